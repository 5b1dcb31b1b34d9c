/**
 * Keeps a promise ping-pong from starving timers and I/O.
 *
 * Two loops that hand values back and forth through channels form an endless microtask chain:
 * Node drains microtasks before it looks at timers or sockets, so the process stops serving them.
 * Every completed channel operation spends one unit of a per-turn budget; when a single macrotask
 * turn has spent it all, the next completion is delivered through `setImmediate` instead of a
 * microtask, which ends the chain and lets the event loop run its timer, I/O and check phases.
 * The cost is a decrement per operation and one `setImmediate` per turn that uses gorx.
 *
 * `setImmediate` comes from `node:timers`, bound when this module loads: fake timers installed on
 * the global object later (Jest's) must not stall channel hand-offs.
 */
import { setImmediate as realSetImmediate } from 'node:timers';

/** Operations allowed in one macrotask turn before a completion is deferred (about 1 ms). */
export const OPS_PER_TURN = 4096;

let budget = OPS_PER_TURN;
let armed = false;

function refill(): void {
  budget = OPS_PER_TURN;
  armed = false;
}

/** Spends one unit of the turn's budget; true when the caller must defer its completion. */
function spend(): boolean {
  if (!armed) {
    armed = true;
    realSetImmediate(refill);
  }
  if (--budget > 0) return false;
  budget = OPS_PER_TURN;
  return true;
}

/** Completions deferred to a later macrotask and not delivered yet. */
let inFlight = 0;

function deliver<A>(fn: (arg: A) => void, arg: A): void {
  inFlight--;
  fn(arg);
}

/** Delivers a completion in a later macrotask (the budget of this turn is spent). */
function deferCompletion<A>(fn: (arg: A) => void, arg: A): void {
  inFlight++;
  realSetImmediate(deliver, fn, arg);
}

/** True while some completion decided earlier is still on its way (deferred by the guard). */
export function completionsInFlight(): boolean {
  return inFlight > 0;
}

/** Calls `fn` once every completion deferred so far has been delivered (and its microtasks ran). */
export function afterCompletionsInFlight(fn: () => void): void {
  realSetImmediate(fn);
}

/** Calls `fn(arg)` in a later macrotask. */
export function defer<A>(fn: (arg: A) => void, arg: A): void {
  realSetImmediate(fn, arg);
}

const RESOLVED: Promise<void> = Promise.resolve();

/** A settled `Promise<void>` for an operation that completed at once (deferred when due). */
export function resolvedVoid(): Promise<void> {
  if (!spend()) return RESOLVED;
  return new Promise<void>((resolve) => deferCompletion(resolve, undefined));
}

/** A promise of `v` for an operation that completed at once (deferred when due). */
export function resolvedWith<T>(v: T): Promise<T> {
  if (!spend()) return Promise.resolve(v);
  return new Promise<T>((resolve) => deferCompletion(resolve, v));
}

let wakeFns: ((v: unknown) => void)[] = [];
let wakeArgs: unknown[] = [];
let spareFns: ((v: unknown) => void)[] = [];
let spareArgs: unknown[] = [];
let flushArmed = false;

function flushWakes(): void {
  const fns = wakeFns;
  const args = wakeArgs;
  wakeFns = spareFns;
  wakeArgs = spareArgs;
  flushArmed = false;
  for (let i = 0; i < fns.length; i++) fns[i]!(args[i]);
  fns.length = 0;
  args.length = 0;
  spareFns = fns;
  spareArgs = args;
}

/**
 * Resumes whoever waits on a parked operation: calls `fn(arg)` (its promise's resolve, or a
 * callback that resolves one). When the turn's budget is spent, in a later macrotask.
 *
 * For a buffered channel (`buffered`), one microtask later than a direct call, batched with the
 * turn's other wake-ups. Go does not say when a woken goroutine runs; here the delay lets the
 * goroutine that completed the operation run one more step first, which breaks the lockstep of a
 * producer and a consumer meeting at a full (or empty) buffer: without it, each of them parks on
 * every item; with it, they overlap and mostly find the buffer ready. Unbuffered channels
 * rendezvous on every value anyway, so they resume directly.
 */
export function resume<A>(fn: (arg: A) => void, arg: A, buffered: boolean): void {
  if (spend()) {
    deferCompletion(fn, arg);
    return;
  }
  if (!buffered) {
    fn(arg);
    return;
  }
  wakeFns.push(fn as (v: unknown) => void);
  wakeArgs.push(arg);
  if (!flushArmed) {
    flushArmed = true;
    void RESOLVED.then(flushWakes);
  }
}
