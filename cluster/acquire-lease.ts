/**
 * `acquireLease`: wait until this process holds a named lease; it renews itself until released
 * or lost.
 * @module
 */
import type { LeaseStore } from './lease-store.js';
import { newHolderId } from './internal/holder.js';
import { LeaseKeeper } from './internal/lease-keeper.js';
import { checkName, checkOptions, checkSignal, checkStore, checkTtl } from './internal/validate.js';
import { waitTurn } from './internal/wait-turn.js';

/** Options of `acquireLease` and `singleton`. */
export interface LeaseOptions {
  /**
   * Time to live on the store's clock (ms, integer >= 100). The holder renews every ttl/3 and
   * gives the lease up at 80% of the ttl after its last successful renewal was sent.
   */
  ttlMs: number;
  /** Aborting it stops waiting (rejects with its reason); it does not release a held lease. */
  signal?: AbortSignal | undefined;
}

/** A held lease. */
export interface Lease {
  readonly name: string;
  /** Strictly greater than every fence issued before for this name, across the whole cluster. */
  readonly fence: bigint;
  /** Aborted (reason: a `LeaseLostError`) when the lease is lost or released. */
  readonly signal: AbortSignal;
  /** Details an earlier holder saved with `saveDetails` (`undefined` if none). */
  readonly details: unknown;
  /** Keeps JSON-serializable `details` with the lease for the next holder; false if not held. */
  saveDetails(details: unknown): Promise<boolean>;
  /** Stops renewing and frees the lease for the next waiter. Never rejects (expiry is the backstop). */
  release(): Promise<void>;
}

const FN = 'acquireLease';

/**
 * Waits until this process holds the lease `name`, then returns it. The lease renews itself
 * until `release()`, or until it is lost: then `lease.signal` aborts with a `LeaseLostError`.
 * Pass `lease.fence` to every write the lease protects, and have the target reject writes with
 * a fence lower than one it has seen (docs/cluster.md, "Fencing").
 *
 * @example
 * ```ts
 * import { acquireLease, postgresStore } from 'gorx/cluster';
 *
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL });
 * const lease = await acquireLease(store, 'ledger-sync', { ttlMs: 10_000 });
 * try {
 *   console.log('holding with fence', lease.fence);
 *   lease.signal.throwIfAborted();
 * } finally {
 *   await lease.release();
 *   await store.close();
 * }
 * ```
 */
export async function acquireLease(
  store: LeaseStore,
  name: string,
  options: LeaseOptions,
): Promise<Lease> {
  checkLeaseArgs(FN, store, name, options);
  return acquireKeeper(store, name, options.ttlMs, options.signal);
}

/** Precondition: none. Shared by acquireLease and singleton. */
export function checkLeaseArgs(fn: string, store: unknown, name: unknown, options: unknown): void {
  checkStore(fn, store);
  checkName(fn, 'name', name);
  checkOptions(fn, options, ['ttlMs', 'signal'], true);
  const o = options as LeaseOptions;
  checkTtl(fn, o.ttlMs);
  checkSignal(fn, o.signal);
}

/** Precondition: arguments checked. */
export async function acquireKeeper(
  store: LeaseStore,
  name: string,
  ttlMs: number,
  signal: AbortSignal | undefined,
): Promise<LeaseKeeper> {
  const holder = newHolderId();
  const turn = await waitTurn(
    store,
    'lease',
    name,
    () => store.tryAcquire('lease', name, holder, ttlMs),
    (fence) => store.release('lease', name, holder, fence),
    signal,
  );
  return new LeaseKeeper(
    store,
    'lease',
    name,
    holder,
    turn.fence,
    ttlMs,
    turn.sentAt,
    turn.details,
  );
}
