/** @module */
import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { errorText } from './internal/host.js';
import type { StoreHealth } from 'gorx/cluster';
import type { WorkerState } from './worker.events.js';
import { WorkerSupervisor } from './worker.supervisor.js';

/**
 * Per-worker details of a `GorxHealthIndicator` result.
 *
 * @example
 * ```ts
 * import type { WorkerHealth } from 'gorx/nest';
 *
 * const isDown = (w: WorkerHealth): boolean => w.down;
 * ```
 */
export interface WorkerHealth {
  state: WorkerState;
  /**
   * True while hung, given up, or still stopping after its stop grace ran out. The verdict on a
   * hang is the heartbeat check's: a blocked event loop is not a hang (it shows in
   * `eventLoopDelayMs`, down past `maxEventLoopDelayMs`).
   */
  down: boolean;
  attempt: number;
  restarts: number;
  lastHeartbeatAt: number | null;
  lastError?: string;
  /** Cluster singletons: `'standby'`, `'held'` (with `fence`) or `'released'`. */
  lease?: { state: 'standby' | 'held' | 'released'; fence: string | null };
}

/**
 * Event-loop delay since the previous health check (ms), from `perf_hooks.monitorEventLoopDelay`.
 *
 * @example
 * ```ts
 * import type { EventLoopDelay } from 'gorx/nest';
 *
 * const slow = (d: EventLoopDelay): boolean => d.p99 > 100;
 * ```
 */
export interface EventLoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/**
 * The result of `isHealthy(key)`: the shape of `@nestjs/terminus`'s `HealthIndicatorResult`
 * (`{ [key]: { status, ...details } }`), built without importing terminus.
 *
 * @example
 * ```ts
 * import type { GorxHealthResult } from 'gorx/nest';
 *
 * const up = (r: GorxHealthResult<'workers'>): boolean => r.workers.status === 'up';
 * ```
 */
export type GorxHealthResult<Key extends string = string> = Record<
  Key,
  {
    status: 'up' | 'down';
    /** At most `healthDetailsLimit` entries, workers that are down first. */
    workers: Record<string, WorkerHealth>;
    /** Workers per state, all of them (present when some were left out of `workers`). */
    counts?: Partial<Record<WorkerState, number>>;
    /** How many workers were left out of `workers` (present when some were). */
    omitted?: number;
    eventLoopDelayMs?: EventLoopDelay;
    /**
     * With `GorxModule.forRoot({ cluster })`: the lease store's health (no secrets). A store outage
     * shows here but does NOT make the status down: every replica would be restarted at once,
     * while the singletons already stop themselves and wait in standby until the store is back.
     */
    cluster?: { store: StoreHealth };
    message?: string;
  }
>;

/**
 * Health of the supervised workers for `@nestjs/terminus`: down while any worker is hung or has
 * given up, with details per worker and the event-loop delay (a worker that blocks the loop
 * freezes the whole service, its own heartbeat timer included). Terminus is an optional peer:
 * this class never imports it; its result is a plain terminus-shaped value.
 *
 * @example
 * ```ts
 * import { Controller, Get } from '@nestjs/common';
 * import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
 * import { GorxHealthIndicator } from 'gorx/nest';
 *
 * @Controller('health')
 * class HealthController {
 *   constructor(
 *     private readonly health: HealthCheckService,
 *     private readonly gorx: GorxHealthIndicator,
 *   ) {}
 *
 *   @Get()
 *   @HealthCheck()
 *   check(): Promise<HealthCheckResult> {
 *     return this.health.check([() => this.gorx.isHealthy('workers')]);
 *   }
 * }
 * ```
 */
@Injectable()
export class GorxHealthIndicator implements OnApplicationBootstrap, OnApplicationShutdown {
  private histogram: IntervalHistogram | null = null;

  constructor(private readonly supervisor: WorkerSupervisor) {}

  onApplicationBootstrap(): void {
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
  }

  onApplicationShutdown(): void {
    this.histogram?.disable();
    this.histogram = null;
  }

  /**
   * `{ [key]: { status: 'up' | 'down', workers, eventLoopDelayMs, message?, counts?, omitted? } }`.
   * Bounded: at most `healthDetailsLimit` workers in `workers` (down ones first) and at most 10
   * names in `message`, however many workers exist.
   */
  isHealthy<const Key extends string = 'gorx'>(key: Key = 'gorx' as Key): GorxHealthResult<Key> {
    const limit = this.supervisor.settings.healthDetailsLimit;
    const up: WorkerHealth[] = [];
    const down: [string, WorkerHealth][] = [];
    const names = new Map<WorkerHealth, string>();
    const counts: Partial<Record<WorkerState, number>> = {};
    let downCount = 0;
    for (const w of this.supervisor.runners()) {
      const state = w.state;
      counts[state] = (counts[state] ?? 0) + 1;
      const isDown = state === 'hung' || state === 'gave-up' || w.stopOverdue;
      if (isDown) downCount++;
      // Past the limit, only down workers are still detailed (until the limit of those too).
      if (isDown ? down.length >= limit : up.length + down.length >= limit) continue;
      const health: WorkerHealth = {
        state,
        down: isDown,
        attempt: w.attempt,
        restarts: w.restarts,
        lastHeartbeatAt: w.lastHeartbeatAt,
        ...(w.lastError !== undefined && { lastError: errorText(w.lastError) }),
        ...(w.lease !== null && { lease: { state: w.lease.state, fence: w.lease.fence } }),
      };
      if (isDown) {
        const why = w.stopOverdue && state === 'stopping' ? 'stop overdue' : state;
        down.push([`${w.name} (${why})`, health]);
      } else up.push(health);
      names.set(health, w.name);
    }
    const shown = [...down.map(([, h]) => h), ...up].slice(0, limit);
    const workers: Record<string, WorkerHealth> = {};
    for (const h of shown) workers[names.get(h)!] = h;
    const detail: GorxHealthResult<Key>[Key] = { status: 'up', workers };
    const store = this.supervisor.clusterStore;
    if (store !== undefined) detail.cluster = { store: store.health() };
    const total = this.supervisor.size;
    if (shown.length < total) {
      detail.counts = counts;
      detail.omitted = total - shown.length;
    }
    const reasons = down.slice(0, 10).map(([why]) => why);
    if (downCount > reasons.length) reasons.push(`${downCount - reasons.length} more`);
    const delay = this.readDelay();
    if (delay !== undefined) {
      detail.eventLoopDelayMs = delay;
      const max = this.supervisor.settings.maxEventLoopDelayMs;
      if (max !== undefined && delay.p99 > max) {
        reasons.push(`event loop delay p99 ${delay.p99} ms > ${max} ms`);
      }
    }
    if (reasons.length > 0) {
      detail.status = 'down';
      detail.message = `down: ${reasons.join(', ')}`;
    }
    return { [key]: detail } as GorxHealthResult<Key>;
  }

  /** Delay percentiles since the previous call; the histogram restarts for the next window. */
  private readDelay(): EventLoopDelay | undefined {
    const h = this.histogram;
    if (h === null || h.count === 0) return undefined;
    // Samples are the time between two ticks of the monitor's timer: take its period out.
    const ms = (ns: number): number =>
      Math.max(0, Math.round(ns / 1e4 - RESOLUTION_MS * 100) / 100);
    const delay = { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
    h.reset();
    return delay;
  }
}

const RESOLUTION_MS = 10;
