/**
 * The lease store interface: the few atomic operations the cluster primitives need from a
 * coordination store. `postgresStore` implements it; docs/cluster.md maps each operation to
 * Redis/Valkey (`SET NX PX` + Lua, fences from `INCR`, pub/sub + polling).
 *
 * Every operation is atomic on the store, and every expiry is decided by the STORE's clock: the
 * client only passes durations (`ttlMs`), never timestamps. A lease is identified by
 * `(scope, name)`; names may hold any well-formed string.
 * @module
 */

/** Namespace of a lease: `'lease'` for `acquireLease`/`singleton`, `'supersede'` for supersede keys. */
export type LeaseScope = 'lease' | 'supersede';

/** Result of `tryAcquire` / `tryStart`. */
export type AcquireResult =
  | {
      readonly acquired: true;
      /** The holder's fence: strictly greater than every fence issued before for this lease. */
      readonly fence: bigint;
      /** Details saved by an earlier holder (`saveDetails`), or `undefined`. */
      readonly details: unknown;
    }
  | {
      readonly acquired: false;
      /** Store's estimate of when the current holder's lease expires (ms, >= 0), if held. */
      readonly retryInMs: number | undefined;
      /** `tryStart` only: a newer ticket was issued, this one can never start. */
      readonly superseded: boolean;
    };

/** Result of `renew`. */
export type RenewResult =
  | {
      readonly held: true;
      /** Newest fence issued for the lease (> own fence: superseded). */ readonly latestFence: bigint;
    }
  | { readonly held: false };

/** Point-in-time view of a lease, for health and diagnostics. */
export interface LeaseInfo {
  readonly name: string;
  readonly scope: LeaseScope;
  /** Newest fence issued. */
  readonly fence: bigint;
  /** Opaque id of the holding process+acquisition, or `null` when free or expired. */
  readonly holder: string | null;
  /** Remaining lifetime on the store's clock (ms), or `null` when free or expired. */
  readonly expiresInMs: number | null;
  readonly details: unknown;
}

/** Health of the store connection, safe to show (no connection strings, no passwords). */
export interface StoreHealth {
  readonly kind: string;
  /** False after a failed query until a later one succeeds. */
  readonly reachable: boolean;
  /** Whether prompt hand-over notifications are flowing (else polling alone drives waiters). */
  readonly notifications: boolean;
  /** Last failure, scrubbed of secrets. */
  readonly lastError: string | undefined;
}

/**
 * A coordination store for leases. Implementations must make each method a single atomic step
 * on the store and use only the store's clock for expiry.
 *
 * @example
 * ```ts
 * import { postgresStore, type LeaseStore } from 'gorx/cluster';
 *
 * const store: LeaseStore = postgresStore({ connectionString: process.env.DATABASE_URL });
 * console.log(store.health().kind); // 'postgres'
 * await store.close();
 * ```
 */
export interface LeaseStore {
  /**
   * Takes the lease for `holder` if it is free or expired, issuing a new fence (`fence + 1`);
   * it expires `ttlMs` after this call on the store's clock unless renewed.
   */
  tryAcquire(
    scope: LeaseScope,
    name: string,
    holder: string,
    ttlMs: number,
  ): Promise<AcquireResult>;
  /** Issues a new fence without taking the lease (supersede: "I am the newest run"). */
  takeTicket(scope: LeaseScope, name: string): Promise<bigint>;
  /**
   * Takes the lease with an already issued `fence` if it is still the newest and the lease is
   * free or expired; `superseded` when a newer fence was issued.
   */
  tryStart(
    scope: LeaseScope,
    name: string,
    holder: string,
    fence: bigint,
    ttlMs: number,
  ): Promise<AcquireResult>;
  /** Extends the lease to `ttlMs` from now (store clock) if `holder`/`fence` still hold it unexpired. */
  renew(
    scope: LeaseScope,
    name: string,
    holder: string,
    fence: bigint,
    ttlMs: number,
  ): Promise<RenewResult>;
  /** Frees the lease if `holder`/`fence` hold it, and wakes the waiters. */
  release(scope: LeaseScope, name: string, holder: string, fence: bigint): Promise<void>;
  /** Keeps `details` (JSON-serializable) with the lease if `holder`/`fence` hold it. */
  saveDetails(
    scope: LeaseScope,
    name: string,
    holder: string,
    fence: bigint,
    details: unknown,
  ): Promise<boolean>;
  /** Reads the lease's state (`undefined` when it never existed). */
  inspect(scope: LeaseScope, name: string): Promise<LeaseInfo | undefined>;
  /**
   * Calls `onChange` (best effort: notifications can be missed) when the lease is released or a
   * ticket is taken. Returns the unsubscribe function.
   */
  subscribe(scope: LeaseScope, name: string, onChange: () => void): () => void;
  /** Safety-net polling interval for waiters (ms). */
  readonly pollIntervalMs: number;
  health(): StoreHealth;
  /** Stops notifications and closes connections the store opened (not a pool it was given). */
  close(): Promise<void>;
}
