/**
 * `supersedeAcrossCluster`: kill-on-supersede whose reach is the whole cluster.
 *
 * Protocol (one lease row per key, scope 'supersede'):
 * 1. the call takes a ticket: a new fence, higher than every earlier run's, and a NOTIFY;
 * 2. the running holder learns of it (NOTIFY, or its next renewal returns the newer fence),
 *    kills its goroutine with SupersededError, waits for its finally blocks, then releases;
 * 3. the call starts once the lease is free (released, or expired when the holder's replica is
 *    unreachable) and its ticket is still the newest; if a newer ticket exists by then it never
 *    starts and rejects SupersededError.
 * @module
 */
import { go, type Goroutine } from 'gorx';
import { SupersededError } from 'gorx';
import { clusterContext, type ClusterGoFunction } from './cluster-context.js';
import type { LeaseStore } from './lease-store.js';
import { newHolderId } from './internal/holder.js';
import { LeaseKeeper } from './internal/lease-keeper.js';
import {
  checkFunction,
  checkSignal,
  checkName,
  checkOptions,
  checkStore,
  checkTtl,
} from './internal/validate.js';
import { waitTurn } from './internal/wait-turn.js';

/** Options of `supersedeAcrossCluster`. */
export interface SupersedeAcrossClusterOptions {
  /**
   * Lease ttl of the run (ms, default 10000): how long a newer call waits at most when the
   * replica running the older one is unreachable.
   */
  ttlMs?: number | undefined;
  /**
   * Aborting it stops the wait (rejects with its reason) or kills the run (with its reason, after
   * which the lease is released as usual).
   */
  signal?: AbortSignal | undefined;
}

const FN = 'supersedeAcrossCluster';
const DEFAULT_TTL_MS = 10_000;

/**
 * Runs `fn` as a goroutine (its `ctx.fence` higher than any earlier run's for `key`). A newer
 * call with the same key, on any replica, kills this run wherever it runs: its promise rejects
 * `SupersededError`, and its `finally` blocks finish before the newer run starts (when its
 * replica is unreachable, the newer starts after this run's lease expired). Losing the lease
 * (store unreachable past the deadline) kills the run with `LeaseLostError`.
 *
 * @example
 * ```ts
 * import { sleep, SupersededError } from 'gorx';
 * import { postgresStore, supersedeAcrossCluster } from 'gorx/cluster';
 *
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL });
 * const reindex = (tenant: string) =>
 *   supersedeAcrossCluster(store, `reindex:${tenant}`, async (ctx) => {
 *     await sleep(5_000, ctx);
 *     return `reindexed ${tenant} under fence ${ctx.fence}`;
 *   });
 * const first = reindex('acme');
 * const second = reindex('acme'); // kills the first, on whichever replica it runs
 * await first.catch((e: unknown) => console.log(e instanceof SupersededError)); // true
 * console.log(await second);
 * await store.close();
 * ```
 */
export async function supersedeAcrossCluster<R>(
  store: LeaseStore,
  key: string,
  fn: ClusterGoFunction<R>,
  options?: SupersedeAcrossClusterOptions,
): Promise<R> {
  checkStore(FN, store);
  checkName(FN, 'key', key);
  checkFunction(FN, 'fn', fn);
  checkOptions(FN, options, ['ttlMs', 'signal'], false);
  const o = options as SupersedeAcrossClusterOptions | undefined;
  const ttlMs: unknown = o?.ttlMs ?? DEFAULT_TTL_MS;
  checkTtl(FN, ttlMs);
  const signal = o?.signal;
  checkSignal(FN, signal);
  signal?.throwIfAborted();

  const holder = newHolderId();
  const ticket = await store.takeTicket('supersede', key);
  const turn = await waitTurn(
    store,
    'supersede',
    key,
    () => store.tryStart('supersede', key, holder, ticket, ttlMs),
    (fence) => store.release('supersede', key, holder, fence),
    signal,
  );
  const lease = new LeaseKeeper(
    store,
    'supersede',
    key,
    holder,
    ticket,
    ttlMs,
    turn.sentAt,
    turn.details,
  );
  let g: Goroutine<R> | null = null;
  const kill = (reason: unknown): void => void g?.kill(reason);
  const onLost = (): void => kill(lease.signal.reason);
  lease.signal.addEventListener('abort', onLost, { once: true });
  lease.onSuperseded = () => kill(new SupersededError(key));
  // A ticket taken anywhere notifies: check at once instead of at the next renewal.
  const unsubscribe = store.subscribe('supersede', key, () => lease.checkNow());
  try {
    g = go<R>((c) => fn(clusterContext(c, ticket)), { name: `supersede:${key}`, signal });
    return await g.done;
  } finally {
    unsubscribe();
    lease.signal.removeEventListener('abort', onLost);
    lease.onSuperseded = null;
    // Only now (the run's finally blocks have finished) may the newer run start.
    await lease.release();
  }
}
