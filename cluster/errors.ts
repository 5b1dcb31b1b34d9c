/**
 * Errors of `gorx/cluster`. Match them with `instanceof` or their `code`, never by message.
 * @module
 */
import { GoroutineExit } from 'gorx';

/**
 * The exit of a goroutine whose lease was lost: this process could not renew it before its own
 * monotonic deadline (store unreachable, process paused or stalled), or the store reports that
 * the lease expired or was taken. A `GoroutineExit`, so killing with it is not an error.
 *
 * @example
 * ```ts
 * import { singleton, LeaseLostError, type LeaseStore } from 'gorx/cluster';
 *
 * declare const store: LeaseStore;
 * const g = singleton(store, 'ledger-sync', async (ctx) => console.log('fence', ctx.fence), {
 *   ttlMs: 10_000,
 * });
 * await g.done.catch((e: unknown) => {
 *   if (e instanceof LeaseLostError) console.log(e.code, e.leaseName); // 'ERR_LEASE_LOST' 'ledger-sync'
 * });
 * ```
 */
export class LeaseLostError extends GoroutineExit {
  /** Name of the lease that was lost. */
  readonly leaseName: string;
  constructor(leaseName: string, why: string) {
    super(undefined, `lease ${JSON.stringify(leaseName)} lost: ${why}`, 'ERR_LEASE_LOST');
    this.leaseName = leaseName;
  }
}

/** Stable codes of `ClusterError`. */
export type ClusterErrorCode =
  /** An argument or option of a `gorx/cluster` function has the wrong type or value. */
  | 'ERR_CLUSTER_INVALID_ARG'
  /** The lease store failed (connection refused, query error); details never include secrets. */
  | 'ERR_LEASE_STORE'
  /** The store was used after `close()`. */
  | 'ERR_LEASE_STORE_CLOSED';

/**
 * A misuse of `gorx/cluster` (refused before anything touches the store), or a failure of the
 * lease store. Messages never contain connection strings or passwords.
 *
 * @example
 * ```ts
 * import { postgresStore, ClusterError } from 'gorx/cluster';
 *
 * try {
 *   postgresStore({ connectionString: 'postgres://localhost/app', table: 'leases; drop table x' });
 * } catch (e) {
 *   if (e instanceof ClusterError) console.log(e.code); // 'ERR_CLUSTER_INVALID_ARG'
 * }
 * ```
 */
export class ClusterError extends Error {
  /** Stable, machine-readable code. */
  readonly code: ClusterErrorCode;
  /** For `ERR_LEASE_STORE`: the driver's error code (e.g. `'ECONNREFUSED'`, SQLSTATE `'57P01'`). */
  readonly storeCode: string | undefined;
  constructor(code: ClusterErrorCode, message: string, storeCode?: string) {
    super(message);
    this.code = code;
    this.storeCode = storeCode;
  }
  override get name(): string {
    return 'ClusterError';
  }
}
