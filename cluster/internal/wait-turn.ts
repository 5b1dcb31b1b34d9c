/**
 * The waiting loop shared by `acquireLease` and `supersedeAcrossCluster`: try, then sleep until a
 * notification, the store's hint of the holder's expiry, or the polling interval, whichever
 * comes first. The subscription is made before the first try, so a release that lands between
 * a failed try and the sleep is not missed.
 */
import { SupersededError } from 'gorx';
import { ClusterError } from '../errors.js';
import type { AcquireResult, LeaseScope, LeaseStore } from '../lease-store.js';

export interface Turn {
  fence: bigint;
  details: unknown;
  /** Monotonic time at which the successful try was sent: the lease runs from here. */
  sentAt: number;
}

const MIN_ERROR_BACKOFF_MS = 50;

/**
 * Precondition: `signal` not aborted on entry is not required (checked first). Resolves once
 * `attempt` acquired; rejects with `signal.reason`, with `SupersededError` when a newer ticket
 * exists, or with a closed-store error. A lease won after the abort is released.
 */
export async function waitTurn(
  store: LeaseStore,
  scope: LeaseScope,
  name: string,
  attempt: () => Promise<AcquireResult>,
  release: (fence: bigint) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<Turn> {
  let woken: boolean;
  let wake: (() => void) | null = null;
  const unsubscribe = store.subscribe(scope, name, () => {
    woken = true;
    wake?.();
  });
  let errorBackoffMs = MIN_ERROR_BACKOFF_MS;
  try {
    for (;;) {
      signal?.throwIfAborted();
      woken = false;
      const sentAt = performance.now();
      let waitMs: number;
      try {
        const r = await attempt();
        if (r.acquired) {
          if (signal?.aborted) {
            await release(r.fence).catch(() => {});
            signal.throwIfAborted();
          }
          return { fence: r.fence, details: r.details, sentAt };
        }
        if (r.superseded) throw new SupersededError(name);
        errorBackoffMs = MIN_ERROR_BACKOFF_MS;
        // +2 ms: the hint is rounded on the server; waking a hair late beats polling twice.
        waitMs = Math.min(store.pollIntervalMs, (r.retryInMs ?? store.pollIntervalMs) + 2);
      } catch (e) {
        if (!(e instanceof ClusterError) || e.code !== 'ERR_LEASE_STORE') throw e;
        // Store unreachable: keep waiting (the caller's signal bounds it), backing off.
        waitMs = errorBackoffMs;
        errorBackoffMs = Math.min(store.pollIntervalMs, errorBackoffMs * 2);
      }
      if (!woken) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            wake = null;
            resolve();
          };
          const timer = setTimeout(done, waitMs);
          signal?.addEventListener('abort', done, { once: true });
          wake = done;
        });
      }
    }
  } finally {
    unsubscribe();
  }
}
