/**
 * The clock behind gorx time (`sleep`, `after`, `ticker`, `timeout`): the global timer functions,
 * or a clock installed with `installClock` (a virtual one in tests).
 *
 * Invariants: `installed` holds the installations not yet undone, newest last; the newest one
 * arms every new gorx timer. A timer is always cleared through the clock that armed it, never the
 * current one (the clock, or fake timers on the global object, may have changed since).
 * @module
 */
import { checkFunction, describeValue } from './internal/validate.js';

/**
 * A source of time for gorx: what `sleep`, `after`, `ticker` and `timeout` use to arm and clear
 * their timers and to read the time they send. Identifiers are whatever the clock returns; gorx
 * only hands them back to the matching `clear` function of the same clock.
 *
 * @example
 * ```ts
 * import type { Clock } from 'gorx';
 *
 * // The global timer functions, which gorx uses when no clock is installed.
 * const real: Clock = {
 *   now: () => Date.now(),
 *   setTimeout: (fn, ms) => setTimeout(fn, ms),
 *   clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
 *   setInterval: (fn, ms) => setInterval(fn, ms),
 *   clearInterval: (id) => clearInterval(id as ReturnType<typeof setInterval>),
 * };
 * console.log(typeof real.now()); // 'number'
 * ```
 */
export interface Clock {
  /** The current time in milliseconds (what `after` and `ticker` send). */
  now(): number;
  /** Calls `callback` once, `ms` milliseconds from now; returns an id for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a timer armed by this clock's `setTimeout` (a fired or cleared one is ignored). */
  clearTimeout(id: unknown): void;
  /** Calls `callback` every `ms` milliseconds (`ms > 0`); returns an id for `clearInterval`. */
  setInterval(callback: () => void, ms: number): unknown;
  /** Stops a timer armed by this clock's `setInterval`. */
  clearInterval(id: unknown): void;
}

/** The global timer functions as a Clock, and the functions it was built from. */
interface GlobalClock extends Clock {
  readonly st: typeof setTimeout;
  readonly ct: typeof clearTimeout;
  readonly si: typeof setInterval;
  readonly ci: typeof clearInterval;
}

/**
 * Wraps the global functions of this moment. They are called as plain functions (a browser's
 * `setTimeout` throws when called on another object) and kept, so a timer is cleared by the
 * `clearTimeout` that matches its `setTimeout` even after fake timers were swapped in or out.
 */
function fromGlobals(): GlobalClock {
  const st = globalThis.setTimeout;
  const ct = globalThis.clearTimeout;
  const si = globalThis.setInterval;
  const ci = globalThis.clearInterval;
  return {
    st,
    ct,
    si,
    ci,
    now: () => Date.now(),
    setTimeout: (fn, ms) => st(fn, ms),
    clearTimeout: (id) => ct(id as ReturnType<typeof setTimeout>),
    setInterval: (fn, ms) => si(fn, ms),
    clearInterval: (id) => ci(id as ReturnType<typeof setInterval>),
  };
}

let globals: GlobalClock = fromGlobals();
const installed: { readonly clock: Clock }[] = [];

/**
 * The clock that arms a gorx timer now: the newest installed one, else the global timer
 * functions as they are at this moment (so fake timers installed on the global object drive
 * gorx with no setup). Keep it to clear the timer.
 */
export function currentClock(): Clock {
  const n = installed.length;
  if (n > 0) return installed[n - 1]!.clock;
  const g = globals;
  if (
    g.st !== globalThis.setTimeout ||
    g.ct !== globalThis.clearTimeout ||
    g.si !== globalThis.setInterval ||
    g.ci !== globalThis.clearInterval
  ) {
    globals = fromGlobals();
  }
  return globals;
}

/**
 * Makes gorx time follow `clock`: every `sleep`, `after`, `ticker` and `timeout` started from now
 * on arms its timer on it and reads the time from it, until the returned function is called.
 * Timers armed before keep running on the clock that armed them. Installations nest: undoing one
 * (in any order) leaves the newest remaining one in charge, or the global timer functions.
 *
 * This is the hook behind `runMarbles` of `gorx/rxjs`, which installs a clock backed by an RxJS
 * `TestScheduler`. Jest, Vitest and `node:test` fake timers need no clock: they replace the global
 * functions, which gorx reads each time it arms a timer. Only gorx time follows the clock:
 * `setTimeout` called by other code does not.
 *
 * @returns A function that undoes this installation (calling it again does nothing).
 * @throws TypeError when `clock` lacks one of the `Clock` methods.
 *
 * @example
 * ```ts
 * import { installClock, sleep, type Clock } from 'gorx';
 *
 * // A clock that moves only when told to.
 * let now = 0;
 * let ids = 0;
 * const due = new Map<number, { at: number; fn: () => void }>();
 * const manual: Clock = {
 *   now: () => now,
 *   setTimeout(fn, ms) {
 *     due.set(++ids, { at: now + ms, fn });
 *     return ids;
 *   },
 *   clearTimeout: (id) => void due.delete(id as number),
 *   setInterval() {
 *     throw new Error('no tickers in this example');
 *   },
 *   clearInterval: () => {},
 * };
 * function advance(ms: number): void {
 *   now += ms;
 *   for (const [id, t] of due) {
 *     if (t.at > now) continue;
 *     due.delete(id);
 *     t.fn();
 *   }
 * }
 *
 * const uninstall = installClock(manual);
 * try {
 *   const woke = sleep(60_000).then(() => console.log('woke at', now)); // 60000
 *   advance(60_000); // a minute passes at once
 *   await woke;
 * } finally {
 *   uninstall();
 * }
 * ```
 */
export function installClock(clock: Clock): () => void {
  if (clock === null || typeof clock !== 'object') {
    throw new TypeError(`installClock: clock must be an object, got ${describeValue(clock)}`);
  }
  for (const m of ['now', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] as const) {
    checkFunction(clock[m], `installClock: clock.${m}`);
  }
  const entry = { clock };
  installed.push(entry);
  return () => {
    const i = installed.indexOf(entry);
    if (i >= 0) installed.splice(i, 1);
  };
}
