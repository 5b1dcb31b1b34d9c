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
 */
let runStartedAt = 0;
let runClockRead = false;
const RESOLVED: Promise<void> = Promise.resolve();

function endRunClock(): void {
  runClockRead = false;
}

function startTime(): number {
  if (!runClockRead) {
    runClockRead = true;
    runStartedAt = Date.now();
    void RESOLVED.then(endRunClock);
  }
  return runStartedAt;
}

function removeLive(g: G<unknown>): void {
  if (g.older !== null) g.older.newer = g.newer;
  else oldest = g.newer;
  if (g.newer !== null) g.newer.older = g.older;
  else newest = g.older;
  g.older = g.newer = null;
}

/**
 * The runtime record of a goroutine; also its `GoContext` and its handle.
 *
 * What a goroutine may never need is made on first use: its default name, its `done` promise
 * (a goroutine nobody awaits settles none), the promise `kill()` returns, its AbortController.
 */
export class G<R> implements Goroutine<R>, GoContext, Owner {
  readonly id = nextId++;
  /** When it started (read once per synchronous run of spawns: see startTime). */
  readonly startedAt = startTime();
  readonly parent: G<unknown> | null;
  /** Generator goroutines: what receives started by its code took (see taken.ts). */
  taken: TakenSet | null = null;
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
  private controller: AbortController | null = null;
  private final: GoroutineState | null = null;
  /** Set by the first kill; the exit every interrupted operation rejects with. */
  exit: GoroutineExit | null = null;
  /** Set when its own code is told to stop: from then on its operations reject with it. */
  abortedExit: GoroutineExit | null = null;
  private interrupted = false;
  /** A killed generator has been sent `return()`: its finally blocks are running. */
  private returning = false;
  private gen: Generator<unknown, R, unknown> | null = null;
  /** Linked to `options.signal` while it runs, if one was given. */
  private parentLink: AbortCallback | null = null;
  /** A generator goroutine's async context, where a kill runs its finally blocks. */
  private scope: AsyncResource | null = null;
  private stepId = 0;
  private stepping = false;
  private suspended = false;
  children: Set<G<unknown>> | null = null;
  /**
   * Kill watch (kill-watch.ts): when it was killed, whether the grace warning was given, and its
   * link in the list of pending kills.
   */
  killedAt = 0;
  warned = false;
  nextKilled: Killed | null = null;
  /** An async body's promise of its end (see start), settled once it has finished. */
  private ended: Promise<void> | null = null;
  /** Otherwise the promise every `kill()` of it returns while it runs, and its resolve function. */
  private exitedPromise: Promise<void> | null = null;
  private resolveExited: (() => void) | null = null;
  op: Parked | null = null;
  private moreOps: Set<Parked> | null = null;

  constructor(name: string | undefined, parent: G<unknown> | null) {
    this.givenName = name;
    this.parent = parent;
  }

  get name(): string {
    return this.givenName ?? `goroutine-${this.id}`;
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
    if (this.controller === null) {
      this.controller = new AbortController();
      hubOf(this.controller.signal).owner = this;
      if (this.abortedExit !== null) this.controller.abort(this.abortedExit);
    }
    return this.controller.signal;
  }

  get state(): GoroutineState {
    if (this.final !== null) return this.final;
    return this.op !== null || this.suspended ? 'blocked' : 'running';
  }

  get finished(): boolean {
    return this.final !== null;
  }

  /** What the goroutine is blocked in, for diagnostics. */
  blockedOn(): string | null {
    if (this.op !== null) return this.op.describe();
    if (this.suspended) return 'a promise';
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
    this.finish(false, exit);
  }

  start(fn: GoFunction<R>, signal: AbortSignal | undefined): void {
    addLive(this as G<unknown>);
    if (signal !== undefined) {
      if (signal.aborted) {
        this.exit = toExit(signal.reason);
        this.finish(false, this.exit);
        return;
      }
      // A parent context's cancellation kills it (one shared listener per signal: signal-hub.ts).
      this.parentLink = new AbortCallback((reason) => void this.kill(reason));
      listen(signal, this.parentLink);
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
      this.gen = body as Generator<unknown, R, unknown>;
      this.taken = new TakenSet();
      // Its steps run in its own async context (they are reactions registered by its code), but
      // a kill arrives in the killer's: remember this one for the finally blocks (about 60 ns
      // without AsyncLocalStorage, 110 ns with, on Node 20: see bench/context).
      this.scope = new AsyncResource('gorx.goroutine', { requireManualDestroy: true });
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
    const gen = this.gen!;
    for (;;) {
      this.stepId++;
      this.suspended = false;
      // Resumed with a result: its code has had every value taken so far.
      if (mode !== RETURN) this.taken!.resumed();
      let r: IteratorResult<unknown, R>;
      const saved = setCurrent(this);
      this.stepping = true;
      try {
        r = mode === NEXT ? gen.next(arg) : mode === THROW ? gen.throw(arg) : gen.return(arg as R);
      } catch (e) {
        this.stepping = false;
        setCurrent(saved);
        this.bodyEnded(false, e);
        return;
      }
      this.stepping = false;
      setCurrent(saved);
      if (r.done) {
        this.bodyEnded(true, r.value);
        return;
      }
      const y = r.value;
      if (this.exit !== null && !this.returning) {
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
        const id = this.stepId;
        this.suspended = true;
        this.taken!.yielded(y);
        thenUntracked(
          y as PromiseLike<unknown>,
          (v) => {
            if (id === this.stepId) this.step(NEXT, v);
          },
          (e: unknown) => {
            if (id === this.stepId) this.step(THROW, e);
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
    if (this.childrenGone()) {
      this.returning = true;
      return true;
    }
    this.suspended = true;
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
      if (this.stepping) {
        // A kill from inside a generator step: the runner stops it at the yield it reaches.
        this.abortedExit = exit;
        this.controller?.abort(exit);
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
    if (this.final !== null || this.gen === null || this.returning || this.stepping) return;
    this.returning = true;
    this.scope!.runInAsyncScope(this.step, this, RETURN, undefined);
  }

  private childrenGone(): boolean {
    return this.children === null || this.children.size === 0;
  }

  /** Aborts the signal, withdraws every bound operation, puts back values not yet seen. */
  private stopOwnCode(): void {
    this.interrupted = true;
    this.stepId++; // the pending yield's reaction is stale from now on: the generator is frozen
    const exit = this.exit!;
    this.abortedExit = exit;
    this.controller?.abort(exit);
    this.withdrawOps(exit);
    if (this.taken !== null) this.taken.putBack();
  }

  private withdrawOps(exit: GoroutineExit): void {
    const op = this.op;
    if (op !== null) killOp(op, exit);
    if (this.moreOps !== null) for (const o of [...this.moreOps]) killOp(o, exit);
  }

  /** The body ended. Returns, when its children must finish first, the promise of its finish. */
  private bodyEnded(ok: boolean, value: unknown): Promise<void> | undefined {
    this.suspended = false;
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
    if (this.parentLink !== null) {
      unlisten(this.parentLink);
      this.parentLink = null;
    }
    this.gen = null;
    this.taken = null;
    this.scope = null;
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
    const resolveExited = this.resolveExited;
    this.resolveExited = null;
    this.exitedPromise = null;
    if (resolveExited !== null) resolveExited();
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
    return (this.exitedPromise ??= new Promise<void>((resolve) => (this.resolveExited = resolve)));
  }

  // Owner: the channel layer binds parked ops here and reports values taken for this step.
  bind(op: Parked): void {
    if (this.op === null) this.op = op;
    else (this.moreOps ??= new Set()).add(op);
  }

  unbind(op: Parked): void {
    if (this.op === op) this.op = null;
    else this.moreOps?.delete(op);
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
