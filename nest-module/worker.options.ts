/**
 * Options of supervised workers and of `GorxModule`. Defaults are merged in one place
 * (`internal/resolve-options.ts`); the decisions made from them are pure functions
 * (`internal/restart-policy.ts`).
 * @module
 */
import type { LeaseStore } from 'gorx/cluster';
import type { GorxMetricsOptions } from './observability.options.js';

/**
 * The restart policies, in one list: the `RestartPolicy` type and the option check both come
 * from it.
 *
 * @example
 * ```ts
 * import { RESTART_POLICIES } from 'gorx/nest';
 *
 * console.log(RESTART_POLICIES.join(', ')); // 'permanent, transient, temporary'
 * ```
 */
export const RESTART_POLICIES = Object.freeze(['permanent', 'transient', 'temporary'] as const);

/**
 * What the supervisor does when a worker's run ends (OTP child restart types):
 * `'permanent'` always restarts, `'transient'` restarts after a failure or a hang but not after a
 * normal return, `'temporary'` never restarts.
 *
 * @example
 * ```ts
 * import type { RestartPolicy } from 'gorx/nest';
 *
 * const policy: RestartPolicy = 'transient';
 * ```
 */
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

/**
 * The overlap policies of a schedule, in one list (see `ScheduleOptions.overlap`).
 *
 * @example
 * ```ts
 * import { OVERLAP_POLICIES } from 'gorx/nest';
 *
 * console.log(OVERLAP_POLICIES.includes('skip')); // true
 * ```
 */
export const OVERLAP_POLICIES = Object.freeze(['skip', 'supersede', 'queue'] as const);

/**
 * What a schedule tick does while the previous run is still running: `'skip'` drops the tick,
 * `'supersede'` kills the running run (`SupersededError`; its `finally` finishes first) and starts
 * a new one, `'queue'` starts a run as soon as the running one ends (at most one waits: ticks
 * while one is already queued are dropped, so a slow job never builds a backlog).
 *
 * @example
 * ```ts
 * import type { OverlapPolicy } from 'gorx/nest';
 *
 * const overlap: OverlapPolicy = 'queue';
 * ```
 */
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/**
 * When a scheduled worker runs: a cron expression (5 fields, or 6 with seconds first; needs the
 * optional peer `croner`) or a fixed interval. Exactly one of `cron` and `intervalMs`.
 *
 * @example
 * ```ts
 * import type { ScheduleOptions } from 'gorx/nest';
 *
 * const nightly: ScheduleOptions = { cron: '0 3 * * *', timezone: 'Europe/Berlin', overlap: 'skip' };
 * const often: ScheduleOptions = { intervalMs: 30_000, overlap: 'queue', runOnStart: true };
 * ```
 */
export interface ScheduleOptions {
  /** A cron expression, read by `croner` (install it: `npm i croner`). */
  cron?: string | undefined;
  /** A fixed interval in ms (1 .. 2^31 - 1), measured from the previous tick, not from a run's end. */
  intervalMs?: number | undefined;
  /** IANA time zone of a `cron` schedule (default: the process's). */
  timezone?: string | undefined;
  /** What a tick does while the previous run is still running (default `'skip'`). */
  overlap?: OverlapPolicy | undefined;
  /** Run once as soon as the worker starts, then on every tick (default false). */
  runOnStart?: boolean | undefined;
}

/**
 * Exponential backoff between restarts: the n-th restart inside the `maxRestarts` window waits
 * `min(maxMs, initialMs * factor ** (n - 1))`, spread by `jitter` (0..1: a delay `d` becomes a
 * uniform pick in `[d * (1 - jitter), d * (1 + jitter)]`, capped at `maxMs`).
 *
 * @example
 * ```ts
 * import type { BackoffOptions } from 'gorx/nest';
 *
 * const backoff: BackoffOptions = { initialMs: 200, maxMs: 10_000, factor: 2, jitter: 0.2 };
 * ```
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Growth per restart (default 2). */
  factor?: number | undefined;
  /** Spread, 0..1 (default 0.2). 0 gives exact, testable delays. */
  jitter?: number | undefined;
}

/**
 * Restart intensity (OTP's `intensity`/`period`): more than `count` restarts within `withinMs`
 * and the worker is `'gave-up'`: reported down and never restarted again by the supervisor.
 *
 * @example
 * ```ts
 * import type { MaxRestartsOptions } from 'gorx/nest';
 *
 * const limit: MaxRestartsOptions = { count: 5, withinMs: 60_000 };
 * ```
 */
export interface MaxRestartsOptions {
  count: number;
  withinMs: number;
}

/**
 * The Nest log level of gorx's lifecycle lines (started, restarting, stopped, superseded,
 * skipped, completed); `'off'` drops them. Failures are always logged at `warn` (a missed
 * heartbeat) or `error` (a failed or hung run, a failed cleanup, giving up).
 *
 * @example
 * ```ts
 * import type { LifecycleLogLevel } from 'gorx/nest';
 *
 * const level: LifecycleLogLevel = 'log'; // show lifecycle lines at the default Nest level
 * ```
 */
export type LifecycleLogLevel = 'log' | 'debug' | 'verbose' | 'off';

/**
 * Options of `@BackgroundWorker()` and `WorkerRegistry.spawn()`. Unset fields take the module's
 * per-worker override (`GorxModuleOptions.workers[name]`, which wins over these), the module's
 * `workerDefaults`, then gorx's defaults (`GORX_DEFAULTS`).
 *
 * @example
 * ```ts
 * import type { BackgroundWorkerOptions } from 'gorx/nest';
 *
 * const options: BackgroundWorkerOptions = {
 *   name: 'mailer',
 *   heartbeatTimeoutMs: 5_000,
 *   restart: 'permanent',
 *   backoff: { initialMs: 100, maxMs: 5_000 },
 *   maxRestarts: { count: 3, withinMs: 60_000 },
 * };
 * ```
 */
export interface BackgroundWorkerOptions {
  /** Unique name (default `ClassName.methodName`). */
  name?: string | undefined;
  /**
   * Ms within which the worker must call `ctx.heartbeat()`, else it is killed as hung. 0: off.
   * At most 2^31 - 1 (Node's timer limit).
   */
  heartbeatTimeoutMs?: number | undefined;
  /** @deprecated Use `heartbeatTimeoutMs` (same meaning; giving both with different values is refused). */
  heartbeatTimeout?: number | undefined;
  restart?: RestartPolicy | undefined;
  backoff?: BackoffOptions | undefined;
  maxRestarts?: MaxRestartsOptions | undefined;
  /** Start with the application (default true). `false`: start it with `WorkerRegistry.start()`. */
  autoStart?: boolean | undefined;
  /**
   * Run on a schedule instead of continuously: each tick starts a supervised run (heartbeats,
   * events, health, kill at shutdown as for any worker). A failed or hung run is reported and the
   * next tick runs again: schedules take no `restart` policy.
   */
  schedule?: ScheduleOptions | undefined;
  /** Level of this worker's lifecycle log lines (default: the module's `lifecycleLogLevel`). */
  lifecycleLogLevel?: LifecycleLogLevel | undefined;
  /**
   * Run on one replica of the cluster at a time (needs `GorxModule.forRoot({ cluster: { store } })`):
   * the others show state `'standby'`; the run gets `ctx.fence`; its heartbeat details are kept
   * in the store, so the replica that takes over starts from `ctx.lastHeartbeat`. See docs/cluster.md.
   */
  singleton?: boolean | undefined;
  /** Lease ttl of a singleton worker (ms, integer >= 100; default 15000). */
  leaseTtlMs?: number | undefined;
}

/**
 * A per-worker override in `GorxModuleOptions.workers`: every option but the name. Its `schedule`
 * fields are merged over the decorator's (so a config can change only `cron`).
 *
 * @example
 * ```ts
 * import type { WorkerOverride } from 'gorx/nest';
 *
 * const fromConfig: WorkerOverride = { heartbeatTimeoutMs: 2_000, schedule: { cron: '*\/5 * * * *' } };
 * ```
 */
export type WorkerOverride = Omit<BackgroundWorkerOptions, 'name'>;

/**
 * The `cluster` option of `GorxModule.forRoot()`: the lease store shared by the replicas. The
 * application owns the store: close it after `app.close()`.
 *
 * @example
 * ```ts
 * import { postgresStore } from 'gorx/cluster';
 * import { GorxModule, type GorxClusterOptions } from 'gorx/nest';
 *
 * const cluster: GorxClusterOptions = { store: postgresStore({ connectionString: process.env.DATABASE_URL }) };
 * GorxModule.forRoot({ cluster });
 * ```
 */
export interface GorxClusterOptions {
  store: LeaseStore;
}

/**
 * Options of `GorxModule.forRoot()` / `forRootAsync()`.
 *
 * @example
 * ```ts
 * import { GorxModule } from 'gorx/nest';
 *
 * GorxModule.forRoot({
 *   isGlobal: true,
 *   shutdownGraceMs: 10_000,
 *   workerDefaults: { heartbeatTimeoutMs: 30_000, restart: 'transient' },
 *   workers: { mailer: { heartbeatTimeoutMs: 5_000 } },
 * });
 * ```
 */
export interface GorxModuleOptions {
  /** Cluster coordination for `singleton` workers and `@Supersede({ scope: 'cluster' })`. */
  cluster?: GorxClusterOptions | undefined;
  /** Defaults for every worker of the application; each worker's own options win. */
  workerDefaults?: Omit<BackgroundWorkerOptions, 'name' | 'schedule'> | undefined;
  /**
   * Per-worker overrides by worker name, resolved at bootstrap (typically from `ConfigService` in
   * `forRootAsync`). They win over the decorator's options. A name that matches no decorated worker
   * is logged as a warning at bootstrap and applies to a worker spawned later under that name.
   */
  workers?: Record<string, WorkerOverride> | undefined;
  /**
   * How long shutdown waits for killed workers' `finally` blocks (default 5000 ms); also the
   * default grace of `WorkerRegistry.stop()`.
   */
  shutdownGraceMs?: number | undefined;
  /** `GorxHealthIndicator` reports down when the event loop's p99 delay exceeds this (ms). */
  maxEventLoopDelayMs?: number | undefined;
  /** Level of lifecycle log lines (default `'debug'`): see `LifecycleLogLevel`. */
  lifecycleLogLevel?: LifecycleLogLevel | undefined;
  /**
   * At most this many per-worker entries in a health result (default 100): workers that are down
   * come first; the rest are counted (`omitted`, `counts`), so the body stays bounded.
   */
  healthDetailsLimit?: number | undefined;
  /**
   * Metrics of workers, supersede calls and goroutines through `prom-client` and/or the
   * OpenTelemetry metrics API (optional peers, loaded only when configured). Off by default.
   */
  metrics?: GorxMetricsOptions | undefined;
  /**
   * One OpenTelemetry span per worker run and per supersede call (needs `@opentelemetry/api`
   * and a registered tracer provider). Off by default.
   */
  tracing?: boolean | undefined;
}

/**
 * gorx's defaults: no heartbeat supervision unless asked, permanent restarts from 100 ms doubling
 * up to 30 s with 20 % jitter, at most 5 restarts a minute, 5 s shutdown grace, lifecycle lines at
 * debug level, 100 workers in a health result.
 *
 * @example
 * ```ts
 * import { GORX_DEFAULTS } from 'gorx/nest';
 *
 * console.log(GORX_DEFAULTS.worker.restart); // 'permanent'
 * ```
 */
export const GORX_DEFAULTS = Object.freeze({
  worker: Object.freeze({
    heartbeatTimeoutMs: 0,
    restart: 'permanent' as RestartPolicy,
    backoff: Object.freeze({ initialMs: 100, maxMs: 30_000, factor: 2, jitter: 0.2 }),
    maxRestarts: Object.freeze({ count: 5, withinMs: 60_000 }),
    autoStart: true,
    overlap: 'skip' as OverlapPolicy,
    leaseTtlMs: 15_000,
  }),
  shutdownGraceMs: 5_000,
  lifecycleLogLevel: 'debug' as LifecycleLogLevel,
  healthDetailsLimit: 100,
});
