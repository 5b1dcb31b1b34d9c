/**
 * Argument checks of `gorx/cluster`: one home, run before anything touches the store.
 * Every failure is a `ClusterError` with code `ERR_CLUSTER_INVALID_ARG`.
 */
import { ClusterError } from '../errors.js';
import type { LeaseStore } from '../lease-store.js';

/** Longest ttl a timer can measure (setTimeout's limit). */
export const MAX_TTL_MS = 2 ** 31 - 1;
/** Shortest ttl: renewals run every ttl/3, so less would mean renewing every few ms. */
export const MIN_TTL_MS = 100;

export function invalid(fn: string, what: string): ClusterError {
  return new ClusterError('ERR_CLUSTER_INVALID_ARG', `${fn}: ${what}`);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `a string of length ${v.length}`;
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

/** Precondition: none. Throws unless `opts` is a plain object with only `allowed` keys. */
export function checkOptions(
  fn: string,
  opts: unknown,
  allowed: readonly string[],
  required: boolean,
): void {
  if (opts === undefined && !required) return;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw invalid(fn, `options must be an object, got ${describe(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) {
      throw invalid(fn, `unknown option ${JSON.stringify(k)} (allowed: ${allowed.join(', ')})`);
    }
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Precondition: none. A lease name or key: a non-empty, well-formed string (any content). */
export function checkName(fn: string, what: string, name: unknown): asserts name is string {
  if (typeof name !== 'string')
    throw invalid(fn, `${what} must be a string, got ${describe(name)}`);
  if (name.length === 0) throw invalid(fn, `${what} must not be empty`);
  // A lone surrogate has no UTF-8 form: two different names would map to the same key.
  if (LONE_SURROGATE.test(name)) throw invalid(fn, `${what} contains a lone surrogate`);
}

/** Precondition: none. `ttlMs`: a finite integer in [MIN_TTL_MS, MAX_TTL_MS]. */
export function checkTtl(fn: string, ttlMs: unknown): asserts ttlMs is number {
  if (
    typeof ttlMs !== 'number' ||
    !Number.isInteger(ttlMs) ||
    ttlMs < MIN_TTL_MS ||
    ttlMs > MAX_TTL_MS
  ) {
    throw invalid(
      fn,
      `ttlMs must be an integer number of milliseconds in [${MIN_TTL_MS}, ${MAX_TTL_MS}], got ${describe(ttlMs)}`,
    );
  }
}

/** Precondition: none. */
export function checkSignal(
  fn: string,
  signal: unknown,
): asserts signal is AbortSignal | undefined {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalid(fn, `signal must be an AbortSignal, got ${describe(signal)}`);
  }
}

/** Precondition: none. */
export function checkFunction(
  fn: string,
  what: string,
  f: unknown,
): asserts f is (...a: never[]) => unknown {
  if (typeof f !== 'function') throw invalid(fn, `${what} must be a function, got ${describe(f)}`);
}

const STORE_METHODS = [
  'tryAcquire',
  'takeTicket',
  'tryStart',
  'renew',
  'release',
  'saveDetails',
  'inspect',
  'subscribe',
  'health',
  'close',
] as const;

/** Precondition: none. Duck-typed: any object with the LeaseStore methods. */
export function checkStore(fn: string, store: unknown): asserts store is LeaseStore {
  const s = store as Record<string, unknown> | null;
  if (s === null || typeof s !== 'object') {
    throw invalid(
      fn,
      `store must be a LeaseStore (e.g. postgresStore(...)), got ${describe(store)}`,
    );
  }
  for (const m of STORE_METHODS) {
    if (typeof s[m] !== 'function')
      throw invalid(fn, `store is not a LeaseStore: no ${m}() method`);
  }
}
