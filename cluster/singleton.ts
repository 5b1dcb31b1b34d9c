/**
 * `singleton`: a goroutine that runs on one process of the cluster at a time.
 * @module
 */
import { go, type Goroutine } from 'gorx';
import { acquireKeeper, checkLeaseArgs, type LeaseOptions } from './acquire-lease.js';
import { clusterContext, type ClusterGoFunction } from './cluster-context.js';
import type { LeaseStore } from './lease-store.js';
import { checkFunction } from './internal/validate.js';

const FN = 'singleton';

/**
 * Starts a goroutine that waits for the lease `name`, then runs `fn` while this process holds
 * it (`ctx.fence` is the lease's fence). If the lease cannot be renewed before this process's
 * own deadline, the goroutine is killed with `LeaseLostError` (before another process can
 * acquire the lease, unless this one was paused or stalled: then only the fence protects).
 * The goroutine ends when `fn` ends or the lease is lost; the lease is released when it ends.
 * Killing the goroutine (or aborting `signal`) stops the wait or the run.
 *
 * @example
 * ```ts
 * import { sleep } from 'gorx';
 * import { postgresStore, singleton } from 'gorx/cluster';
 *
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL });
 * const g = singleton(
 *   store,
 *   'ledger-sync',
 *   async (ctx) => {
 *     for (;;) {
 *       console.log('syncing under fence', ctx.fence);
 *       await sleep(1000, ctx);
 *     }
 *   },
 *   { ttlMs: 10_000 },
 * );
 * await g.kill();
 * await store.close();
 * ```
 */
export function singleton<R>(
  store: LeaseStore,
  name: string,
  fn: ClusterGoFunction<R>,
  options: LeaseOptions,
): Goroutine<R> {
  checkLeaseArgs(FN, store, name, options);
  checkFunction(FN, 'fn', fn);
  const { ttlMs } = options;
  const g: Goroutine<R> = go<R>(
    async (ctx) => {
      const lease = await acquireKeeper(store, name, ttlMs, ctx.signal);
      // Losing the lease kills this goroutine (children first, so `fn`'s finally runs), with the
      // LeaseLostError as its exit.
      const onLost = (): void => void g.kill(lease.signal.reason);
      lease.signal.addEventListener('abort', onLost, { once: true });
      try {
        const body = ctx.go<R>((c) => fn(clusterContext(c, lease.fence)), { name });
        return await body.done;
      } finally {
        lease.signal.removeEventListener('abort', onLost);
        await lease.release();
      }
    },
    { name: `singleton:${name}`, signal: options.signal },
  );
  return g;
}
