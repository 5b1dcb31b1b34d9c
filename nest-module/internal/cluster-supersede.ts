/**
 * `@Supersede({ scope: 'cluster' })` runs: `supersedeAcrossCluster` calls tracked for shutdown.
 *
 * Invariants:
 * - every call started here is in `live` until it settled;
 * - after `killAll` no call starts, and every live call is killed (or stops waiting) with the
 *   shutdown reason; `killAll` resolves once all have settled (their finally blocks ran and their
 *   leases were released).
 */
import { supersedeAcrossCluster, type LeaseStore } from 'gorx/cluster';
import { ShutdownError } from '../worker.errors.js';
import type { SupervisorHost } from './host.js';
import { runContext } from './supersede-slots.js';

const noop = (): void => {};

export class ClusterSupersede {
  private readonly controller = new AbortController();
  private readonly live = new Set<Promise<void>>();

  constructor(
    private readonly host: SupervisorHost,
    private readonly store: LeaseStore,
  ) {}

  run<R>(
    key: string,
    callKey: unknown,
    fn: () => Promise<R>,
    ttlMs: number | undefined,
  ): Promise<R> {
    if (this.host.closing) return Promise.reject(new ShutdownError());
    const p = supersedeAcrossCluster(
      this.store,
      key,
      (ctx) => runContext.run({ signal: ctx.signal, key: callKey, fence: ctx.fence }, fn),
      { ...(ttlMs !== undefined && { ttlMs }), signal: this.controller.signal },
    );
    const settled = p.then(noop, noop);
    this.live.add(settled);
    void settled.then(() => this.live.delete(settled));
    return p;
  }

  killAll(reason: ShutdownError): Promise<void> {
    this.controller.abort(reason);
    return Promise.all([...this.live]).then(noop);
  }

  pending(): number {
    return this.live.size;
  }
}

/** The cluster-wide key of a call: strings as they are, other values as JSON. */
export function clusterKeyText(key: unknown): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'bigint' || typeof key === 'boolean') {
    return String(key);
  }
  const json = JSON.stringify(key);
  if (json === undefined) throw new TypeError(`a cluster supersede key must be JSON-serializable`);
  return json;
}
