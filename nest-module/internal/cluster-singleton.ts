/**
 * A cluster singleton worker's run: wait for the lease (runner state 'standby', no heartbeat
 * check), then run the worker's body with `ctx.fence` and the store's last heartbeat details;
 * forward heartbeat details to the store; on losing the lease kill the run with LeaseLostError.
 * The restart policy then decides, as for any failure: a restarted run waits in standby again.
 *
 * Invariants:
 * - the body starts only while this replica holds the lease, and the lease is released after
 *   the body's goroutine (and its finally blocks) ended;
 * - at most one store write of heartbeat details is in flight; the newest details win.
 */
import { acquireLease, type Lease, type LeaseStore } from 'gorx/cluster';
import type { GoContext } from 'gorx';
import type { WorkerContext, WorkerFunction } from '../worker.context.js';

/** What the run needs from its WorkerRunner. */
export interface SingletonHooks {
  enterStandby(attempt: number): void;
  leaseAcquired(attempt: number, fence: bigint): void;
  leaseLost(attempt: number, reason: unknown): void;
  leaseReleased(attempt: number): void;
}

/** Precondition: `ttlMs` validated. The returned body runs as the run's goroutine. */
export function singletonBody(
  body: WorkerFunction,
  store: LeaseStore,
  name: string,
  ttlMs: number,
  hooks: SingletonHooks,
): WorkerFunction {
  return async (ctx: WorkerContext) => {
    const attempt = ctx.attempt;
    hooks.enterStandby(attempt);
    const lease = await acquireLease(store, name, { ttlMs, signal: ctx.signal });
    const onLost = (): void => hooks.leaseLost(attempt, lease.signal.reason);
    lease.signal.addEventListener('abort', onLost, { once: true });
    try {
      hooks.leaseAcquired(attempt, lease.fence);
      const saver = detailsSaver(lease);
      const child = ctx.go(
        (c: GoContext) => body(fencedContext(ctx, c, lease, saver)) as Promise<unknown>,
        { name: ctx.name },
      );
      return await child.done;
    } finally {
      lease.signal.removeEventListener('abort', onLost);
      await lease.release();
      hooks.leaseReleased(attempt);
    }
  };
}

/**
 * The body's context: the run's WorkerContext, with the child goroutine's signal/id/go (so a
 * kill reaches the body's operations), the lease's fence, and the store's details as
 * `lastHeartbeat` (the previous holder's progress, whichever replica it ran on).
 */
function fencedContext(
  ctx: WorkerContext,
  c: GoContext,
  lease: Lease,
  save: (details: unknown) => void,
): WorkerContext & { readonly fence: bigint } {
  return Object.create(ctx, {
    signal: { get: () => c.signal },
    id: { value: c.id },
    go: { value: c.go.bind(c) },
    fence: { value: lease.fence, enumerable: true },
    lastHeartbeat: { value: lease.details !== undefined ? lease.details : ctx.lastHeartbeat },
    heartbeat: {
      value: (details?: unknown) => {
        ctx.heartbeat(details);
        if (details !== undefined) save(details);
      },
    },
  }) as WorkerContext & { readonly fence: bigint };
}

/** Coalescing writer: one save in flight, then the newest pending details. */
function detailsSaver(lease: Lease): (details: unknown) => void {
  let pending: { details: unknown } | null = null;
  let busy = false;
  const pump = (): void => {
    if (busy || pending === null || lease.signal.aborted) return;
    const { details } = pending;
    pending = null;
    busy = true;
    // A failed save is not fatal: the lease keeper reports the store's health.
    lease.saveDetails(details).then(
      () => {
        busy = false;
        pump();
      },
      () => {
        busy = false;
        pump();
      },
    );
  };
  return (details) => {
    pending = { details };
    pump();
  };
}
