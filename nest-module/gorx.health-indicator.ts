/** @module */
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { GORX_MODULE_OPTIONS } from './gorx.module-definition.js';
import type { WorkerState } from './worker.events.js';
import type { GorxModuleOptions } from './worker.options.js';
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
  /** True while hung (including a heartbeat overdue but not yet handled) or given up. */
  down: boolean;
  attempt: number;
  restarts: number;
  lastHeartbeatAt: number | null;
  lastError?: string;
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
    workers: Record<string, WorkerHealth>;
    eventLoopDelayMs?: EventLoopDelay;
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

  constructor(
    private readonly supervisor: WorkerSupervisor,
    @Inject(GORX_MODULE_OPTIONS) private readonly options: GorxModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
  }

  onApplicationShutdown(): void {
    this.histogram?.disable();
    this.histogram = null;
  }

  /** `{ [key]: { status: 'up' | 'down', workers, eventLoopDelayMs, message? } }`. */
  isHealthy<const Key extends string = 'gorx'>(key: Key = 'gorx' as Key): GorxHealthResult<Key> {
    const now = Date.now();
    const workers: Record<string, WorkerHealth> = {};
    const down: string[] = [];
    for (const w of this.supervisor.runners()) {
      const s = w.status();
      const overdue = w.overdue(now);
      const isDown = overdue || s.state === 'hung' || s.state === 'gave-up';
      if (isDown) down.push(`${s.name} (${overdue ? 'heartbeat overdue' : s.state})`);
      workers[s.name] = {
        state: s.state,
        down: isDown,
        attempt: s.attempt,
        restarts: s.restarts,
        lastHeartbeatAt: s.lastHeartbeatAt,
        ...(s.lastError !== undefined && { lastError: errorText(s.lastError) }),
      };
    }
    const detail: GorxHealthResult<Key>[Key] = { status: 'up', workers };
    const delay = this.readDelay();
    if (delay !== undefined) {
      detail.eventLoopDelayMs = delay;
      const limit = this.options?.maxEventLoopDelayMs;
      if (limit !== undefined && delay.p99 > limit) {
        down.push(`event loop delay p99 ${delay.p99} ms > ${limit} ms`);
      }
    }
    if (down.length > 0) {
      detail.status = 'down';
      detail.message = `down: ${down.join(', ')}`;
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

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
