/**
 * The goroutine runtime: the record behind every `Goroutine` handle and `GoContext`, the
 * generator driver, kill (Stackless `tasklet.kill`) and structured lifetimes.
 *
 * Invariants:
 * - `final` is set exactly once, after the body ended and every child finished;
 * - `exit` is set by the first kill and never changes; `interrupted` is set once the goroutine's
 *   own code was stopped (signal aborted, bound operations withdrawn, generator returned);
 * - children are killed and have finished before the parent is interrupted, and before its
 *   `done` settles;
 * - for generator goroutines, values taken for code that has not resumed yet are recorded and
 *   put back at the head of their channel if it is killed first (see taken.ts).
 */
import { AsyncResource } from 'node:async_hooks';
import {
  type GoContext,
  type GoFunction,
  type GoOptions,
  type Goroutine,
  type GoroutineState,
  goContext,
} from '../types.js';
import { GoroutineExit, killExit } from '../errors.js';
import { type Owner, type Parked, kIsOwner, killOp, setCurrent } from './park.js';
import { type Killed, watchKill, unwatchKill } from './kill-watch.js';
import { AbortCallback, hubOf, listen, unlisten } from './signal-hub.js';
import { TakenSet, thenUntracked } from './taken.js';
import { checkFunction, checkName, checkObject, checkSignal, describeValue } from './validate.js';

const NEXT = 0;
const THROW = 1;
const RETURN = 2;
const noop = (): void => {};
let nextId = 1;

/**
 * The live goroutines, oldest first, as plain module state (one list per copy of gorx): a list
 * linked through the records themselves (`older`, `newer`), so that starting and ending a
 * goroutine allocates nothing and hashes nothing.
 */
let oldest: G<unknown> | null = null;
let newest: G<unknown> | null = null;

/** The live goroutines, oldest first (diagnostics). */
export function* live(): Generator<G<unknown>, void, undefined> {
  for (let g = oldest; g !== null; g = g.newer) yield g;
}

function addLive(g: G<unknown>): void {
  g.older = newest;
  if (newest !== null) newest.newer = g;
  else oldest = g;
  newest = g;
}

/**
 * The clock a goroutine's `startedAt` is read from: `Date.now()` once per synchronous run that
 * starts goroutines (the run ends at the next microtask checkpoint), shared by every goroutine
 * it starts. Reading the clock costs 150-400 ns on some virtual machines (no vDSO clock), as much
 * as a tenth of a spawn; a run of spawns pays it once, plus one promise reaction.
 *
 * The goroutines of a run refer to one record of its start: a field of their own holding the time
 * would be boxed by V8 in a heap number per goroutine (16 B and an allocation more per spawn).
 */
interface RunStart {
  readonly at: number;
}

let runStart: RunStart | null = null;
const RESOLVED: Promise<void> = Promise.resolve();

function endRunClock(): void {
  runStart = null;
}

function startTime(): RunStart {
  if (runStart === null) {
    runStart = { at: Date.now() };
    void RESOLVED.then(endRunClock);
  }
  return runStart;
}

function removeLive(g: G<unknown>): void {
  if (g.older !== null) g.older.newer = g.newer;
  else oldest = g.newer;
  if (g.newer !== null) g.newer.older = g.older;
  else newest = g.older;
  g.older = g.newer = null;
}

/**
 * What only a generator goroutine needs: its generator and the state of the driver that steps it
 * (kept out of the goroutine record, which every async goroutine pays for).
 */
class GenRun<R> {
  /** What receives started by its code took (see taken.ts). */
  readonly taken = new TakenSet();
  /** Its async context, where a kill runs its finally blocks. */
  readonly scope: AsyncResource;
  /** Counts its steps: a yield's reaction from an earlier step is stale. */
  stepId = 0;
  /** Its code is running synchronously (a step is on the stack). */
  stepping = false;
  /** It waits on the promise it yielded, or is frozen at its yield until its children end. */
  suspended = false;
  /** A killed generator has been sent `return()`: its finally blocks are running. */
  returning = false;

  constructor(readonly gen: Generator<unknown, R, unknown>) {
    // Its steps run in its own async context (they are reactions registered by its code), but
    // a kill arrives in the killer's: remember this one for the finally blocks (about 60 ns
    // without AsyncLocalStorage, 110 ns with, on Node 20: see bench/context).
    this.scope = new AsyncResource('gorx.goroutine', { requireManualDestroy: true });
  }
}

/** What few goroutines need, made on first use (kept out of the goroutine record). */
class Extras {
  /** `ctx.signal`'s controller, once read. */
  controller: AbortController | null = null;
  /** Linked to `options.signal` while it runs, if one was given. */
  parentLink: AbortCallback | null = null;
  /** Unless the body is a native promise: the promise every `kill()` returns while it runs. */
  exitedPromise: Promise<void> | null = null;
  resolveExited: (() => void) | null = null;
  /** The operations bound to it besides `op` (an async body may start several at once). */
  moreOps: Set<Parked> | null = null;
}

/**
 * The runtime record of a goroutine; also its `GoContext` and its handle.
 *
 * What a goroutine may never need is made on first use: its default name, its `done` promise
 * (a goroutine nobody awaits settles none), the promise `kill()` returns, its AbortController.
 * What only generator goroutines need is in their `GenRun`, what few need in `Extras`: every field
 * here costs every goroutine 8 bytes, and garbage collection is half of a spawn's and a kill's
 * time, more the more bytes the live goroutines take.
 */
export class G<R> implements Goroutine<R>, GoContext, Owner {
  readonly id = nextId++;
  /** When it started (read once per synchronous run of spawns: see startTime). */
  private readonly began = startTime();
  readonly parent: G<unknown> | null;
  /** Its links in the list of live goroutines (see `live`). */
  older: G<unknown> | null = null;
  newer: G<unknown> | null = null;
  private readonly givenName: string | undefined;
  /** `done`, once read. Settled in `finish`; read later, it is made settled. */
  private donePromise: Promise<R> | null = null;
  private resolveDone: ((v: R) => void) | null = null;
  private rejectDone: ((e: unknown) => void) | null = null;
  /** What `done` settles with once final: the result, the panic or the exit. */
  private outcome: unknown = undefined;
  private final: GoroutineState | null = null;
  /** Set by the first kill; the exit every interrupted operation rejects with. */
  exit: GoroutineExit | null = null;
  /**
   * Its own code has been told to stop: from then on its operations reject with the exit (a flag,
   * not a second reference to the exit: a kill stores a new object into a record that is usually
   * old by then, and each such store takes the write barrier's slow path).
   */
  private codeStopped = false;
  private interrupted = false;
  /** A generator goroutine's driver, while it runs. */
  private run: GenRun<R> | null = null;
  private extras: Extras | null = null;
  children: Set<G<unknown>> | null = null;
  /**
   * Kill watch (kill-watch.ts): when it was killed, whether the grace warning was given, and its
   * link in the list of pending kills.
   */
  killedAt: number | null = null;
  warned = false;
  nextKilled: Killed | null = null;
  /** An async body's promise of its end (see start), settled once it has finished. */
  private ended: Promise<void> | null = null;
  op: Parked | null = null;

  constructor(name: string | undefined, parent: G<unknown> | null) {
    this.givenName = name;
    this.parent = parent;
  }

  /** Once its own code has been told to stop, the exit its operations reject with; else null. */
  get abortedExit(): GoroutineExit | null {
    return this.codeStopped ? this.exit : null;
  }

  get startedAt(): number {
    return this.began.at;
  }

  get name(): string {
    return this.givenName ?? `goroutine-${this.id}`;
  }

  /** Generator goroutines, while they run: what receives started by their code took. */
  get taken(): TakenSet | null {
    return this.run === null ? null : this.run.taken;
  }

  get done(): Promise<R> {
    if (this.donePromise !== null) return this.donePromise;
    if (this.final === null) {
      this.donePromise = new Promise<R>((resolve, reject) => {
        this.resolveDone = resolve;
        this.rejectDone = reject;
      });
    } else if (this.final === 'returned') {
      this.donePromise = Promise.resolve(this.outcome as R);
    } else {
      // Killed (a failure's promise was made when it failed: see finish).
      this.donePromise = Promise.reject(this.outcome);
      this.donePromise.catch(noop);
    }
    return this.donePromise;
  }

  get signal(): AbortSignal {
    const extras = (this.extras ??= new Extras());
    if (extras.controller === null) {
      extras.controller = new AbortController();
      hubOf(extras.controller.signal).owner = this;
      if (this.abortedExit !== null) extras.controller.abort(this.abortedExit);
    }
    return extras.controller.signal;
  }

  get state(): GoroutineState {
    if (this.final !== null) return this.final;
    return this.op !== null || this.suspended() ? 'blocked' : 'running';
  }

  get finished(): boolean {
    return this.final !== null;
  }

  /** A generator goroutine waiting on the promise it yielded (or frozen at its yield). */
  private suspended(): boolean {
    return this.run !== null && this.run.suspended;
  }

  /** What the goroutine is blocked in, for diagnostics. */
  blockedOn(): string | null {
    if (this.op !== null) return this.op.describe();
    if (this.suspended()) return 'a promise';
    return null;
  }

  /** Brand: a goroutine record of this copy of gorx (see kIsOwner). */
  get [kIsOwner](): boolean {
    return true;
  }

  /** A goroutine's context is itself valid operation options: it names itself (see goContext). */
  get [goContext](): GoContext {
    return this;
  }

  go<C>(fn: GoFunction<C>, options?: GoOptions): Goroutine<C> {
    return spawn(fn, options, this as G<unknown>);
  }

  startKilled(exit: GoroutineExit): void {
    addLive(this as G<unknown>);
    this.exit = exit;
    // Stopped before its code ever ran: its ctx is aborted like that of any killed goroutine.
    this.codeStopped = true;
    this.finish(false, exit);
  }

  start(fn: GoFunction<R>, signal: AbortSignal | undefined): void {
    addLive(this as G<unknown>);
    if (signal !== undefined) {
      if (signal.aborted) {
        this.exit = toExit(signal.reason);
        this.codeStopped = true;
        this.finish(false, this.exit);
        return;
      }
      // A parent context's cancellation kills it (one shared listener per signal: signal-hub.ts).
      const link = new AbortCallback((reason) => void this.kill(reason));
      (this.extras ??= new Extras()).parentLink = link;
      listen(signal, link);
    }
    let body: Promise<R> | Generator<unknown, R, unknown>;
    // Started from a generator's step, an async body must not bind its ops to that generator
    // (a kill of the parent would put back values the child already received).
    const saved = setCurrent(null);
    try {
      body = fn(this) as Promise<R> | Generator<unknown, R, unknown>;
    } catch (e) {
      this.bodyEnded(false, e);
      return;
    } finally {
      setCurrent(saved);
    }
    // Native promises first: the common case, and the cheapest test.
    if (!(body instanceof Promise) && isGenerator(body)) {
      this.run = new GenRun(body as Generator<unknown, R, unknown>);
      this.step(NEXT, undefined);
    } else if (body instanceof Promise) {
      // The reaction's own promise settles once `finish` has run (`bodyEnded` returns the wait
      // for the children when there are some): `kill()` returns it (see exited).
      this.ended = body.then(
        (v) => this.bodyEnded(true, v),
        (e: unknown) => this.bodyEnded(false, e),
      );
    } else if (body !== null && typeof (body as unknown as Promise<R>)?.then === 'function') {
      (body as unknown as PromiseLike<R>).then(
        (v) => this.bodyEnded(true, v),
        (e: unknown) => this.bodyEnded(false, e),
      );
    } else if (isAsyncGenerator(body)) {
      this.bodyEnded(
        false,
        new TypeError(
          `go: fn returned ${describeValue(body)} with Symbol.asyncIterator (an async generator?), ` +
            'which go() cannot run: use an async function, or a generator function that yields promises',
        ),
      );
    } else {
      this.bodyEnded(true, body as R);
    }
  }

  /** Drives the generator. Loops instead of recursing for synchronously available values. */
  private step(mode: number, arg: unknown): void {
    const run = this.run!;
    const gen = run.gen;
    for (;;) {
      run.stepId++;
      run.suspended = false;
      // Resumed with a result: its code has had every value taken so far.
      if (mode !== RETURN) run.taken.resumed();
      let r: IteratorResult<unknown, R>;
      const saved = setCurrent(this);
      run.stepping = true;
      try {
        r = mode === NEXT ? gen.next(arg) : mode === THROW ? gen.throw(arg) : gen.return(arg as R);
      } catch (e) {
        run.stepping = false;
        setCurrent(saved);
        this.bodyEnded(false, e);
        return;
      }
      run.stepping = false;
      setCurrent(saved);
      if (r.done) {
        this.bodyEnded(true, r.value);
        return;
      }
      const y = r.value;
      if (this.exit !== null && !run.returning) {
        if (!this.stopAtYield(y)) return;
        mode = RETURN;
        arg = undefined;
        continue;
      }
      if (
        y !== null &&
        (typeof y === 'object' || typeof y === 'function') &&
        typeof (y as PromiseLike<unknown>).then === 'function'
      ) {
        const id = run.stepId;
        run.suspended = true;
        run.taken.yielded(y);
        thenUntracked(
          y as PromiseLike<unknown>,
          (v) => {
            if (id === run.stepId) this.step(NEXT, v);
          },
          (e: unknown) => {
            if (id === run.stepId) this.step(THROW, e);
          },
        );
        return;
      }
      mode = NEXT;
      arg = y;
    }
  }

  /**
   * A kill from inside (the generator's own code killed it, or its parent, during the step):
   * stops it at the yield it reached. Returns true when its finally blocks may run now, false
   * when it stays frozen there until its children have finished (see kill).
   */
  private stopAtYield(y: unknown): boolean {
    // Nobody awaits the yielded promise, and its op is about to reject with the exit.
    if (
      y !== null &&
      typeof y === 'object' &&
      typeof (y as PromiseLike<unknown>).then === 'function'
    ) {
      thenUntracked(y as PromiseLike<unknown>, noop, noop);
    }
    if (!this.interrupted) this.stopOwnCode();
    const run = this.run!;
    if (this.childrenGone()) {
      run.returning = true;
      return true;
    }
    run.suspended = true;
    return false;
  }

  kill(reason?: unknown): Promise<void> {
    if (this.final !== null) return Promise.resolve();
    if (this.exit === null) {
      const exit = toExit(reason);
      this.exit = exit;
      // Children are killed first. Then its own code stops at once: signal aborted, operations
      // withdrawn (also ones its children were given through its ctx, so they cannot wait for
      // each other), a generator frozen at its yield. A generator's finally blocks run once its
      // children have finished (nested scopes); an async body reacts to its rejected operation
      // right away, so its cleanup may overlap theirs. Either way `done` settles after them.
      const kids = this.children !== null && this.children.size > 0 ? [...this.children] : null;
      const children = kids === null ? null : Promise.all(kids.map((c) => c.kill(exit)));
      if (this.run !== null && this.run.stepping) {
        // A kill from inside a generator step: the runner stops it at the yield it reaches.
        this.codeStopped = true;
        this.extras?.controller?.abort(exit);
      } else {
        this.stopOwnCode();
      }
      if (children !== null) children.then(() => this.returnGenerator());
      else this.returnGenerator();
      if (this.final === null) watchKill(this);
    }
    return this.exited();
  }

  /** Runs a killed generator's finally blocks. Precondition: its children have finished. */
  private returnGenerator(): void {
    const run = this.run;
    if (this.final !== null || run === null || run.returning || run.stepping) return;
    run.returning = true;
    run.scope.runInAsyncScope(this.step, this, RETURN, undefined);
  }

  private childrenGone(): boolean {
    return this.children === null || this.children.size === 0;
  }

  /** Aborts the signal, withdraws every bound operation, puts back values not yet seen. */
  private stopOwnCode(): void {
    this.interrupted = true;
    const run = this.run;
    if (run !== null) run.stepId++; // the pending yield's reaction is stale: the generator is frozen
    const exit = this.exit!;
    this.codeStopped = true;
    this.extras?.controller?.abort(exit);
    this.withdrawOps(exit);
    if (run !== null) run.taken.putBack();
  }

  private withdrawOps(exit: GoroutineExit): void {
    const op = this.op;
    if (op !== null) killOp(op, exit);
    const more = this.extras?.moreOps;
    if (more != null) for (const o of [...more]) killOp(o, exit);
  }

  /** The body ended. Returns, when its children must finish first, the promise of its finish. */
  private bodyEnded(ok: boolean, value: unknown): Promise<void> | undefined {
    if (this.run !== null) this.run.suspended = false;
    if (this.children !== null && this.children.size > 0) {
      const exit = this.exit ?? new GoroutineExit(undefined, 'parent goroutine ended');
      const kids = [...this.children];
      return Promise.all(kids.map((c) => c.kill(exit))).then(() => this.finish(ok, value));
    }
    this.finish(ok, value);
    return undefined;
  }

  private finish(ok: boolean, value: unknown): void {
    if (this.final !== null) return;
    removeLive(this as G<unknown>);
    this.parent?.children?.delete(this as G<unknown>);
    const extras = this.extras;
    if (extras !== null && extras.parentLink !== null) {
      unlisten(extras.parentLink);
      extras.parentLink = null;
    }
    this.run = null;
    this.ended = null; // kill() returns a settled promise from now on (see exited)
    const awaited = this.donePromise !== null;
    if (ok && this.exit === null) {
      this.final = 'returned';
      this.outcome = value;
      if (awaited) this.resolveDone!(value as R);
    } else if (!ok && !(value instanceof GoroutineExit) && !this.causedByKill(value)) {
      // A panic, even one raised by cleanup code after a kill: it must surface, so its `done`
      // is made now if nobody asked for it yet (an unhandled rejection unless someone catches).
      this.final = 'failed';
      this.outcome = value;
      if (awaited) this.rejectDone!(value);
      else this.donePromise = Promise.reject(value);
    } else {
      this.final = 'killed';
      this.outcome = this.exit ?? value;
      if (awaited) {
        this.donePromise!.catch(noop);
        this.rejectDone!(this.outcome);
      }
    }
    this.resolveDone = this.rejectDone = null;
    if (this.exit !== null) unwatchKill();
    if (extras !== null && extras.resolveExited !== null) {
      const resolveExited = extras.resolveExited;
      extras.resolveExited = null;
      extras.exitedPromise = null;
      resolveExited();
    }
  }

  /**
   * True when `error` is the consequence of this goroutine's own kill: an API given `ctx.signal`
   * (timers/promises, events.once, stream.pipeline, fs, fetch) rejects with an AbortError whose
   * `cause` is the signal's reason, or with the reason itself. Only identity with the exit
   * counts: an AbortError of another signal is a failure like any error.
   */
  private causedByKill(error: unknown): boolean {
    const exit = this.exit;
    if (exit === null) return false;
    let e = error;
    for (let depth = 0; depth < 8 && e !== null && typeof e === 'object'; depth++) {
      if (e === exit) return true;
      e = (e as { cause?: unknown }).cause;
    }
    return false;
  }

  /** Resolves when the goroutine has finished, whatever its outcome. Never rejects. */
  exited(): Promise<void> {
    if (this.final !== null) return Promise.resolve();
    if (this.ended !== null) return this.ended;
    const extras = (this.extras ??= new Extras());
    return (extras.exitedPromise ??= new Promise<void>(
      (resolve) => (extras.resolveExited = resolve),
    ));
  }

  // Owner: the channel layer binds parked ops here and reports values taken for this step.
  bind(op: Parked): void {
    if (this.op === null) this.op = op;
    else ((this.extras ??= new Extras()).moreOps ??= new Set()).add(op);
  }

  unbind(op: Parked): void {
    if (this.op === op) this.op = null;
    else this.extras?.moreOps?.delete(op);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const on = this.blockedOn();
    return `Goroutine #${this.id} ${JSON.stringify(this.name)} { state: ${this.state}${on !== null ? `, blockedOn: ${JSON.stringify(on)}` : ''} }`;
  }
}

function toExit(reason: unknown): GoroutineExit {
  return reason instanceof GoroutineExit ? reason : killExit(reason);
}

/** %AsyncGeneratorFunction.prototype%: the prototype of every `async function*`. */
const ASYNC_GENERATOR_FUNCTION_PROTO: object = Object.getPrototypeOf(
  async function* () {},
) as object;

/** %GeneratorPrototype%: every generator object (from any `function*`) inherits from it. */
const GENERATOR_PROTO: object = Object.getPrototypeOf(
  Object.getPrototypeOf((function* () {})()),
) as object;

/**
 * True for generator objects. The prototype test is fast; the duck-typed fallback (slow: each
 * `function*` has its own prototype) accepts hand-written iterators with next/throw/return.
 */
function isGenerator(x: unknown): boolean {
  if (x === null || typeof x !== 'object') return false;
  const proto = Object.getPrototypeOf(x) as object | null;
  if (proto !== null && Object.getPrototypeOf(proto) === GENERATOR_PROTO) return true;
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof (x as Generator).next === 'function' &&
    typeof (x as Generator).throw === 'function' &&
    typeof (x as Generator)[Symbol.iterator] === 'function'
  );
}

function isAsyncGenerator(x: unknown): boolean {
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof (x as AsyncGenerator).next === 'function' &&
    typeof (x as AsyncGenerator)[Symbol.asyncIterator] === 'function' &&
    typeof (x as PromiseLike<unknown>).then !== 'function'
  );
}

export function spawn<R>(
  fn: GoFunction<R>,
  options: GoOptions | undefined,
  parent: G<unknown> | null,
): G<R> {
  checkFunction(fn, 'go: fn');
  if (Object.getPrototypeOf(fn) === ASYNC_GENERATOR_FUNCTION_PROTO) {
    throw new TypeError(
      'go: fn is an async generator function, which go() cannot run (its body would never ' +
        'start): use an async function, or a generator function that yields promises',
    );
  }
  checkObject(options, 'go: options');
  if (options !== undefined) {
    checkName(options.name, 'go: options.name');
    if (options.signal !== undefined) checkSignal(options.signal, 'go: options.signal');
  }
  const g = new G<R>(options?.name, parent);
  if (parent !== null) {
    if (parent.finished) {
      // A child of a goroutine that has ended is born killed, as a context's child is born done.
      g.startKilled(parent.exit ?? new GoroutineExit(undefined, 'parent goroutine ended'));
      return g;
    }
    (parent.children ??= new Set()).add(g as G<unknown>);
  }
  g.start(fn, options?.signal);
  return g;
}
