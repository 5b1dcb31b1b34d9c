/**
 * Bookkeeping shared by every blocking operation ("parked op"): the process-wide list used by
 * deadlock detection, AbortSignal wiring, and binding to the goroutine that performs it.
 *
 * A plain channel waiter is parked exactly while it is in its channel's wait queue, so it is found
 * through the queue and not listed: parking it stores nothing into a long-lived object but the
 * queue's own link (V8's write barrier takes its slow path for every store of a new object into an
 * old one, and the list's head would be one more). The queues that may hold waiters are listed
 * instead (`listQueue`), once, and an emptied queue leaves the list when the list is swept.
 *
 * Invariants:
 * - an op parked by `park` is in the global list exactly while it is parked (until `unpark`); one
 *   parked by `parkQueued` is in a listed queue exactly while it is parked (until `unparkQueued`);
 * - `seq` orders ops by when they parked;
 * - an op given a foreign AbortSignal is linked in that signal's hub exactly while it is parked;
 * - an op's `owner` has it in its bound set exactly while it is parked (`owner` itself stays set).
 */
import { setImmediate as realSetImmediate } from 'node:timers';
import { type SignalOptions, goContext } from '../types.js';
import { DeadlockError, GoroutineExit } from '../errors.js';
import { kIsOwner } from './owner.js';
import {
  type AbortLink,
  FIRED,
  type Hub,
  LIVE,
  existingHub,
  hubOf,
  isAborted,
  unlisten,
} from './signal-hub.js';
import type { TakenSet } from './taken.js';
import { checkOptions } from './validate.js';

export { kIsOwner };

/** What a goroutine exposes to the channel layer. Implemented by `go()`'s runtime. */
export interface Owner {
  readonly id: number;
  readonly name: string;
  /** The exit its operations reject with once it has been interrupted; null before. */
  readonly abortedExit: unknown;
  /** Generator goroutines: receives started in their steps record what they take (see taken.ts). */
  readonly taken: TakenSet | null;
  bind(op: Parked): void;
  unbind(op: Parked): void;
}

/**
 * The goroutine the options name through `goContext` (a GoContext names itself; a wrapper such as
 * gorx/nest's WorkerContext names the context it wraps), or undefined. Precondition for a
 * non-undefined result to be an Owner: the options passed `stopReason` (which checks the brand).
 */
function ownerOf(opts: SignalOptions): Owner | undefined {
  return opts[goContext] as unknown as Owner | undefined;
}

function isOwner(ctx: unknown): boolean {
  return (ctx as { [kIsOwner]?: boolean } | null)?.[kIsOwner] === true;
}

/** Returned by `stopReason` when the operation may start. */
export const GO_ON: unique symbol = Symbol('gorx.goOn');

const SignalClass: typeof AbortSignal | null =
  typeof AbortSignal === 'function' ? AbortSignal : null;

/**
 * Validates an operation's options (throws TypeError naming `fn` on a bad one, before anything
 * changed) and says why the operation must not start (an aborted signal, an interrupted
 * goroutine), or GO_ON.
 */
export function stopReason(opts: SignalOptions | undefined, fn: string): unknown {
  if (opts === undefined) return GO_ON;
  if (opts === null || typeof opts !== 'object') checkOptions(opts, fn);
  const owner = ownerOf(opts);
  if (owner !== undefined) {
    if (!isOwner(owner)) checkOptions(opts, fn);
    return interruption(owner);
  }
  const signal = opts.signal;
  if (signal === undefined) return GO_ON;
  // An AbortSignal gorx knows (it has a hub) may say whether it has aborted without a read of the
  // signal itself, which is slow (signal-hub.ts).
  const hub = existingHub(signal);
  if (hub !== undefined) {
    // A goroutine's own `ctx.signal`: aborted exactly when the goroutine has been interrupted
    // (its exit is set before the signal aborts, and is the signal's reason).
    const owner = hub.owner as Owner | null;
    if (owner !== null) return interruption(owner);
    if (hub.state >= LIVE) return hub.state === FIRED ? signal.reason : GO_ON;
  } else if (SignalClass === null || !(signal instanceof SignalClass)) {
    checkOptions(opts, fn);
  }
  return isAborted(signal, hub) ? signal.reason : GO_ON;
}

/** The exit of a goroutine that has been interrupted, or GO_ON. */
function interruption(owner: Owner): unknown {
  const exit = owner.abortedExit;
  return exit === null ? GO_ON : exit;
}

const noop = (): void => {};

/**
 * The promise of an operation that must not start. A goroutine's exit is not an error: an
 * operation its code started but never awaited must not become an unhandled rejection.
 */
export function rejectStopped<T>(stop: unknown): Promise<T> {
  const p = Promise.reject(stop);
  if (stop instanceof GoroutineExit) p.catch(noop);
  return p as Promise<T>;
}

/**
 * A blocking operation: a plain send/recv waiter or a select. An op given a foreign AbortSignal
 * links itself into that signal's hub while parked (its `hub`, `hprev`, `hnext`: no separate link
 * object), so the hub's one listener can withdraw it.
 */
export abstract class Parked implements AbortLink {
  // Fields are declared here and set in the constructor, not given initialisers: V8 (Node 20) does
  // not inline the construction of a class whose fields have initialisers, and every blocking
  // operation constructs one (see `declare` below and in the subclasses on the hot paths).
  declare gprev: Parked | null;
  declare gnext: Parked | null;
  /** When it parked, in park order over every op (deadlock reports list ops oldest first). */
  declare seq: number;
  declare owner: Owner | null;
  /** Promise mode: the promise the operation returned (to mark it handled when a kill ends it). */
  declare promise: Promise<unknown> | null;
  /**
   * A callback receiver or callback select (`recvCallback`, `selectCallback`): a listener, not
   * blocked code. It never counts as a deadlock (see onBeforeExit). A getter: the kinds of op that
   * can be listeners derive it from a field they have anyway.
   */
  get listener(): boolean {
    return false;
  }
  /** Its links in a signal's hub (see signal-hub.ts): set only while parked with a foreign signal. */
  declare hub: Hub | null;
  declare hprev: AbortLink | null;
  declare hnext: AbortLink | null;

  constructor() {
    this.gprev = null;
    this.gnext = null;
    this.seq = 0;
    this.owner = null;
    this.promise = null;
    this.hub = null;
    this.hprev = null;
    this.hnext = null;
  }

  /** Removes the op from every queue and unparks it. Returns false when it had already ended. */
  abstract withdraw(): boolean;
  /** Ends a withdrawn op with an error. Precondition: `withdraw()` returned true. */
  abstract fail(error: unknown): void;
  /** One line for diagnostics: what the op waits on. */
  abstract describe(): string;

  /** Its signal aborted while it was parked (it has been unlinked from the hub already). */
  onSignalAbort(reason: unknown): void {
    if (this.withdraw()) this.fail(reason);
  }
}

/**
 * Ends a parked op because its goroutine was killed: withdraws it and rejects it with the exit,
 * marked handled (a kill never causes an unhandled rejection, even for an op the goroutine's
 * code started and had not awaited yet).
 *
 * The handler is added after the rejection: on a settled promise `catch` queues its job directly,
 * without the reaction record a pending promise needs. An op the goroutine awaits is handled
 * already (Node is told of nothing); one it never awaited is reported to Node as unhandled and
 * handled again before the microtask queue drains, before Node checks (no event, no warning).
 */
export function killOp(op: Parked, exit: unknown): void {
  if (!op.withdraw()) return;
  op.fail(exit);
  op.promise?.catch(noop);
}

/** The generator goroutine whose code is running synchronously right now, if any. */
export let current: Owner | null = null;

/** Sets `current`; returns the previous value so callers can restore it. */
export function setCurrent(owner: Owner | null): Owner | null {
  const prev = current;
  current = owner;
  return prev;
}

let head: Parked | null = null;
let exitHooked = false;
let parkSeq = 0;
/**
 * `seq` stays a small integer: past 2^31 V8 would change the field to a double in every op's hidden
 * class (a deoptimization, then a boxed number per op). The parked ops are renumbered first.
 */
const SEQ_LIMIT = 2 ** 30;

function nextSeq(): number {
  if (parkSeq >= SEQ_LIMIT) renumber();
  return ++parkSeq;
}

/** Numbers the parked ops 1..n, oldest first, keeping their order. */
function renumber(): void {
  const ops = parkedOps(); // newest first
  let seq = ops.length;
  for (const op of ops) op.seq = seq--;
  parkSeq = ops.length;
}

/** Tests only: makes the next `seq` follow `seq` (to reach the renumbering). */
export function setParkSeq(seq: number): void {
  parkSeq = seq;
}

/** Registers a parked op. Precondition: the op is already enqueued on its channel(s). */
export function park(op: Parked, opts: SignalOptions | undefined): void {
  op.gnext = head;
  if (head !== null) head.gprev = op;
  head = op;
  if (!exitHooked) hookExit();
  op.seq = nextSeq();
  bind(op, opts);
}

/**
 * Registers a parked op that is found through a listed queue (a plain channel waiter, see the
 * top). Precondition: the op is already in a queue given to `listQueue`.
 */
export function parkQueued(op: Parked, opts: SignalOptions | undefined): void {
  op.seq = nextSeq();
  bind(op, opts);
}

/** Links `op` to its signal's hub or binds it to its goroutine. */
function bind(op: Parked, opts: SignalOptions | undefined): void {
  let owner: Owner | null = null;
  if (opts !== undefined) {
    const named = ownerOf(opts);
    if (named !== undefined) {
      // A goroutine's context (or a wrapper naming it) given as options: bind without touching
      // `ctx.signal`.
      owner = named;
    } else {
      const signal = opts.signal;
      if (signal !== undefined) {
        const hub = hubOf(signal);
        owner = hub.owner as Owner | null;
        if (owner === null) hub.add(op);
      }
    }
  }
  if (owner === null) owner = current;
  if (owner !== null) {
    op.owner = owner;
    owner.bind(op);
  }
}

/** Undoes `park`. Precondition: the op is parked. */
export function unpark(op: Parked): void {
  if (op.gprev !== null) op.gprev.gnext = op.gnext;
  else head = op.gnext;
  if (op.gnext !== null) op.gnext.gprev = op.gprev;
  op.gprev = op.gnext = null;
  unparkQueued(op);
}

/** Undoes `parkQueued` (and the rest of `park`). Precondition: the op is parked. */
export function unparkQueued(op: Parked): void {
  if (op.hub !== null) unlisten(op);
  // `owner` stays set: completion code still needs it (to record a value taken for a generator).
  if (op.owner !== null) op.owner.unbind(op);
}

/** A wait queue whose plain waiters are parked ops found through it (waiter.ts's WaitQ). */
export interface OpQueue {
  /** True while in the list of queues (set and cleared here only). */
  listed: boolean;
  /** Null when the queue is empty. */
  readonly head: unknown;
  /** Appends the parked ops it holds (its plain waiters) to `out`. */
  collectOps(out: Parked[]): void;
}

/** Every queue that held a parked op since the last sweep (see `listQueue`). */
let queues: OpQueue[] = [];
/** The list is swept of empty queues when it grows this long. */
let sweepAt = 64;

/**
 * Lists `q` among the queues that hold parked ops, if not yet. An emptied queue stays listed until
 * the list is next swept, which happens when it has doubled since the last sweep: listing costs
 * O(1) amortised, and the list holds at most about twice the queues that were last found holding
 * ops, plus 64 (an empty queue holds nothing but itself).
 */
export function listQueue(q: OpQueue): void {
  if (q.listed) return;
  if (!exitHooked) hookExit();
  if (queues.length >= sweepAt) sweepQueues();
  q.listed = true;
  queues.push(q);
}

function sweepQueues(): void {
  const kept: OpQueue[] = [];
  for (const q of queues) {
    if (q.head !== null) kept.push(q);
    else q.listed = false;
  }
  queues = kept;
  sweepAt = Math.max(64, kept.length * 2);
}

/** Number of queues listed (tests: the list stays bounded). */
export function listedQueueCount(): number {
  return queues.length;
}

/** Number of parked ops (diagnostics and tests). */
export function parkedCount(): number {
  return parkedOps().length;
}

/** Parked ops, newest first (diagnostics). */
export function parkedOps(): Parked[] {
  const out: Parked[] = [];
  for (let op = head; op !== null; op = op.gnext) out.push(op);
  for (const q of queues) if (q.head !== null) q.collectOps(out);
  return out.sort((a, b) => b.seq - a.seq);
}

/** Renders the deadlock message body; installed by the goroutine runtime (goroutines.ts). */
export type DeadlockReporter = (blocked: Parked[], listening: Parked[]) => string;

let reporter: DeadlockReporter | null = null;

export function setDeadlockReporter(fn: DeadlockReporter): void {
  reporter = fn;
}

function defaultReport(blocked: Parked[], listening: Parked[]): string {
  return [
    ...blocked.map((op) => `main program: blocked in ${op.describe()}`),
    ...listening.map((op) => `listening (not blocked): ${op.describe()}`),
  ].join('\n');
}

export const DEADLOCK_HEADLINE = 'all goroutines are asleep - deadlock!';

/**
 * `beforeExit` fires when the event loop has nothing left to do. Any op still parked then can
 * never complete: reject each with a DeadlockError. The rejections only queue microtasks, which
 * do not keep the loop alive: one `setImmediate` does, so Node emits `beforeExit` again if code
 * that caught the error blocks once more (without it the process would exit silently then).
 *
 * A callback receiver or callback select (`listener`: a `fromChannel` subscription, say) is not
 * blocked code: like an event listener or a Subject subscription it simply receives nothing more
 * when the program ends. It is never failed, and alone it is no deadlock (the process exits
 * normally); next to blocked operations the report lists it as listening, not as blocked.
 */
function onBeforeExit(): void {
  const blocked: Parked[] = [];
  const listening: Parked[] = [];
  for (const op of parkedOps()) (op.listener ? listening : blocked).push(op);
  if (blocked.length === 0) {
    deadlockRounds = 0;
    return;
  }
  blocked.reverse();
  listening.reverse();
  const message = `${DEADLOCK_HEADLINE}\n\n${(reporter ?? defaultReport)(blocked, listening)}`;
  for (const op of blocked) {
    if (op.withdraw()) op.fail(new DeadlockError(message));
  }
  // Keep the process alive so code that caught the error and blocks again is reported again,
  // but not forever: a loop that retries on every DeadlockError would spin at full CPU.
  if (++deadlockRounds <= MAX_DEADLOCK_ROUNDS) realSetImmediate(noop);
}

/** Consecutive deadlock reports at exit before gorx lets the process end. */
const MAX_DEADLOCK_ROUNDS = 100;
let deadlockRounds = 0;

/**
 * One `beforeExit` listener per process, shared by every copy of gorx (and every module instance a
 * test runner creates): each copy adds its own check to a set kept on `process`.
 */
const HOOKS = Symbol.for('gorx.beforeExit');

function hookExit(): void {
  exitHooked = true;
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  if (proc === undefined || typeof proc.on !== 'function') return;
  const slot = proc as unknown as Record<symbol, Set<() => void> | undefined>;
  let hooks = slot[HOOKS];
  if (hooks === undefined) {
    const set = new Set<() => void>();
    hooks = set;
    slot[HOOKS] = set;
    proc.on('beforeExit', () => {
      for (const check of [...set]) check();
    });
  }
  hooks.add(onBeforeExit);
}
