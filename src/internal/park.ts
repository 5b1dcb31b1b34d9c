/**
 * Bookkeeping shared by every blocking operation ("parked op"): the process-wide list used by
 * deadlock detection, AbortSignal wiring, and binding to the goroutine that performs it.
 *
 * Invariants:
 * - an op is in the global list exactly while it is parked (between `park` and `unpark`);
 * - an op with an abort listener has `signal` and `onAbort` set, and loses both in `unpark`;
 * - an op's `owner` has it in its bound set exactly while it is parked (`owner` itself stays set).
 */
import { setImmediate as realSetImmediate } from 'node:timers';
import type { SignalOptions } from '../types.js';
import { DeadlockError } from '../errors.js';

/** What a goroutine exposes to the channel layer. Implemented by `go()`'s runtime. */
export interface Owner {
  readonly id: number;
  readonly name: string;
  /** The exit its operations reject with once it has been interrupted; null before. */
  readonly abortedExit: unknown;
  /** Generator goroutines: receives started in their steps record what they take. */
  readonly tracksTaken: boolean;
  bind(op: Parked): void;
  unbind(op: Parked): void;
}

/**
 * What a receive started in a generator goroutine's step took, keyed by the promise the receive
 * returned. If the generator yields that very promise and is killed before it resumes, the value
 * goes back to the head of its channel; a value taken by any other code (an async helper that
 * awaited it) is that code's.
 */
export interface TakenRecord {
  ch: TakenFrom | null;
  value: unknown;
}
export const takenByPromise = new WeakMap<object, TakenRecord>();

/** A channel that can take a value back at its head (used when a receiver is killed). */
export interface TakenFrom {
  unrecv(value: unknown): void;
}

/** Property set on a goroutine's `ctx.signal`, so ops given that signal bind to it without a listener. */
export const kOwner: unique symbol = Symbol('gorx.owner');

/**
 * Brand on the goroutine runtime's prototype. A goroutine's `GoContext` has a `signal`, so it is
 * itself a valid options object: `ch.recv(ctx)` binds the operation to the goroutine directly,
 * without creating the AbortController behind `ctx.signal`.
 */
export const kIsOwner: unique symbol = Symbol('gorx.isOwner');

/** True when the options object is a goroutine's context (see kIsOwner). */
function isOwner(opts: SignalOptions): boolean {
  return (opts as { [kIsOwner]?: boolean })[kIsOwner] === true;
}

/** Returned by `stopReason` when the operation may start. */
export const GO_ON: unique symbol = Symbol('gorx.goOn');

/** Why an operation must not start (an aborted signal, an interrupted goroutine), or GO_ON. */
export function stopReason(opts: SignalOptions | undefined): unknown {
  if (opts === undefined) return GO_ON;
  if (isOwner(opts)) {
    const exit = (opts as unknown as Owner).abortedExit;
    return exit === null ? GO_ON : exit;
  }
  const signal = opts.signal;
  return signal !== undefined && signal.aborted ? signal.reason : GO_ON;
}

/** A blocking operation: a plain send/recv waiter or a select. */
export abstract class Parked {
  gprev: Parked | null = null;
  gnext: Parked | null = null;
  owner: Owner | null = null;
  signal: AbortSignal | null = null;
  onAbort: (() => void) | null = null;
  /** Removes the op from every queue and unparks it. Returns false when it had already ended. */
  abstract withdraw(): boolean;
  /** Ends a withdrawn op with an error. Precondition: `withdraw()` returned true. */
  abstract fail(error: unknown): void;
  /** One line for diagnostics: what the op waits on. */
  abstract describe(): string;
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

/** Registers a parked op. Precondition: the op is already enqueued on its channel(s). */
export function park(op: Parked, opts: SignalOptions | undefined): void {
  op.gnext = head;
  if (head !== null) head.gprev = op;
  head = op;
  if (!exitHooked) hookExit();
  let owner: Owner | null = null;
  if (opts !== undefined) {
    if (isOwner(opts)) {
      // A goroutine's context given as options: bind without touching `ctx.signal`.
      owner = opts as unknown as Owner;
    } else {
      const signal = opts.signal;
      if (signal !== undefined) {
        owner = (signal as unknown as { [kOwner]?: Owner })[kOwner] ?? null;
        if (owner === null) {
          const onAbort = (): void => {
            if (op.withdraw()) op.fail(signal.reason);
          };
          op.signal = signal;
          op.onAbort = onAbort;
          signal.addEventListener('abort', onAbort, { once: true });
        }
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
  if (op.signal !== null) {
    op.signal.removeEventListener('abort', op.onAbort!);
    op.signal = null;
    op.onAbort = null;
  }
  // `owner` stays set: completion code still needs it (to record a value taken for a generator).
  if (op.owner !== null) op.owner.unbind(op);
}

/** Number of parked ops (diagnostics and tests). */
export function parkedCount(): number {
  let n = 0;
  for (let op = head; op !== null; op = op.gnext) n++;
  return n;
}

/** Parked ops, newest first (diagnostics). */
export function parkedOps(): Parked[] {
  const out: Parked[] = [];
  for (let op = head; op !== null; op = op.gnext) out.push(op);
  return out;
}

/** Renders the list of blocked goroutines for a deadlock message; installed by the goroutine runtime. */
let reporter: ((ops: Parked[]) => string) | null = null;

export function setDeadlockReporter(fn: (ops: Parked[]) => string): void {
  reporter = fn;
}

function defaultReport(ops: Parked[]): string {
  return ops.map((op) => `main program: blocked in ${op.describe()}`).join('\n');
}

export const DEADLOCK_HEADLINE = 'all goroutines are asleep - deadlock!';

/**
 * `beforeExit` fires when the event loop has nothing left to do. Any op still parked then can
 * never complete: reject each with a DeadlockError. The rejections only queue microtasks, which
 * do not keep the loop alive: one `setImmediate` does, so Node emits `beforeExit` again if code
 * that caught the error blocks once more (without it the process would exit silently then).
 */
function onBeforeExit(): void {
  if (head === null) {
    deadlockRounds = 0;
    return;
  }
  const ops = parkedOps().reverse();
  const message = `${DEADLOCK_HEADLINE}\n\n${(reporter ?? defaultReport)(ops)}`;
  for (const op of ops) {
    if (op.withdraw()) op.fail(new DeadlockError(message));
  }
  // Keep the process alive so code that caught the error and blocks again is reported again,
  // but not forever: a loop that retries on every DeadlockError would spin at full CPU.
  if (++deadlockRounds <= MAX_DEADLOCK_ROUNDS) realSetImmediate(noop);
}

/** Consecutive deadlock reports at exit before gorx lets the process end. */
const MAX_DEADLOCK_ROUNDS = 100;
let deadlockRounds = 0;

const noop = (): void => {};

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
