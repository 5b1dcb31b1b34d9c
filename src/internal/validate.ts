/**
 * The one validator of user arguments. Every public function checks its arguments here before it
 * changes any state, and every message names the argument and what it got (`the string "10"`,
 * `null`, `an AbortController`), so a mistake is fixed from the message alone.
 */
import { type SignalOptions, goContext } from '../types.js';
import { kIsOwner } from './owner.js';

/** The largest delay Node's timers honour (2^31 - 1 ms, about 24.8 days). */
export const TIMER_MAX_MS = 2 ** 31 - 1;

/** What a value is, for an error message: `the string "10"`, `null`, `the number NaN`, ... */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `the ${typeof v} ${String(v)}${typeof v === 'bigint' ? 'n' : ''}`;
    case 'symbol':
      return `a symbol`;
    case 'function':
      return `a function${v.name !== '' ? ` (${v.name})` : ''}`;
  }
  if (Array.isArray(v)) return 'an array';
  if (isAbortController(v)) return 'an AbortController';
  if (v instanceof Promise) return 'a promise';
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object'
    ? `an object (${name})`
    : 'an object';
}

function isAbortController(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as AbortController).abort === 'function' &&
    isAbortSignal((v as AbortController).signal)
  );
}

/** True for an AbortSignal (of any realm: duck-typed after the fast `instanceof`). */
export function isAbortSignal(v: unknown): v is AbortSignal {
  if (typeof AbortSignal !== 'undefined' && v instanceof AbortSignal) return true;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as AbortSignal).aborted === 'boolean' &&
    typeof (v as AbortSignal).addEventListener === 'function' &&
    typeof (v as AbortSignal).removeEventListener === 'function'
  );
}

/** Throws TypeError unless `signal` is an AbortSignal. `what` names it: `sleep: options.signal`. */
export function checkSignal(signal: unknown, what: string): asserts signal is AbortSignal {
  if (isAbortSignal(signal)) return;
  const hint = isAbortController(signal)
    ? ' (pass its .signal, not the AbortController itself)'
    : '';
  throw new TypeError(`${what} must be an AbortSignal, got ${describeValue(signal)}${hint}`);
}

/**
 * Validates the options of a cancellable operation: `undefined`, a goroutine's context, or an
 * object whose `signal` is undefined or an AbortSignal. Throws TypeError otherwise.
 */
export function checkOptions(opts: unknown, fn: string): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object') {
    throw new TypeError(
      `${fn}: options must be an object like { signal } or a goroutine's ctx, got ${describeValue(opts)}`,
    );
  }
  const ctx = (opts as SignalOptions)[goContext];
  if (ctx !== undefined) {
    if ((ctx as { [kIsOwner]?: boolean } | null)?.[kIsOwner] === true) return;
    throw new TypeError(
      `${fn}: options[goContext] must be a goroutine's context given by go() of this copy of gorx, ` +
        `got ${describeValue(ctx)}` +
        (ctx !== null && typeof ctx === 'object' && 'signal' in ctx
          ? ' (a context from another copy of gorx? Pass { signal: ctx.signal } across copies)'
          : ''),
    );
  }
  const signal = (opts as { signal?: unknown }).signal;
  if (signal !== undefined) checkSignal(signal, `${fn}: options.signal`);
}

/**
 * Throws RangeError unless `ms` is a finite number of milliseconds, >= 0 (> 0 unless
 * `allowZero`), within what Node's timers honour (longer delays would fire after 1 ms).
 */
export function checkMs(ms: unknown, fn: string, allowZero = true): asserts ms is number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || (!allowZero && ms === 0)) {
    throw new RangeError(
      `${fn}: ms must be a finite number ${allowZero ? '>= 0' : '> 0'}, got ${describeValue(ms)}`,
    );
  }
  if (ms > TIMER_MAX_MS) {
    throw new RangeError(
      `${fn}: ms must be at most ${TIMER_MAX_MS} (2^31 - 1, about 24.8 days: Node's timers ` +
        `fire longer delays after 1 ms), got ${ms}`,
    );
  }
}

/** Throws TypeError unless `f` is a function. `what` names it: `timeout: fn`. */
export function checkFunction(
  f: unknown,
  what: string,
): asserts f is (...args: never[]) => unknown {
  if (typeof f !== 'function') {
    throw new TypeError(`${what} must be a function, got ${describeValue(f)}`);
  }
}

/** Throws TypeError unless `name` is undefined or a string. */
export function checkName(name: unknown, what: string): void {
  if (name !== undefined && typeof name !== 'string') {
    throw new TypeError(`${what} must be a string, got ${describeValue(name)}`);
  }
}

/** Throws TypeError unless `opts` is undefined or an object. */
export function checkObject(opts: unknown, what: string): void {
  if (opts !== undefined && (opts === null || typeof opts !== 'object')) {
    throw new TypeError(`${what} must be an object, got ${describeValue(opts)}`);
  }
}
