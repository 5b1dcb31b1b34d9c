/**
 * Options of supervised workers and of `GorxModule`, and the one place where defaults are merged.
 * @module
 */

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
export type RestartPolicy = 'permanent' | 'transient' | 'temporary';

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
 * Options of `@BackgroundWorker()` and `WorkerRegistry.spawn()`. Unset fields take the module's
 * `workerDefaults`, then gorx's defaults (`GORX_DEFAULTS`).
 *
 * @example
 * ```ts
 * import type { BackgroundWorkerOptions } from 'gorx/nest';
 *
 * const options: BackgroundWorkerOptions = {
 *   name: 'mailer',
 *   heartbeatTimeout: 5_000,
 *   restart: 'permanent',
 *   backoff: { initialMs: 100, maxMs: 5_000 },
 *   maxRestarts: { count: 3, withinMs: 60_000 },
 * };
 * ```
 */
export interface BackgroundWorkerOptions {
  /** Unique name (default `ClassName.methodName`). */
  name?: string | undefined;
  /** Ms within which the worker must call `ctx.heartbeat()`, else it is killed as hung. 0: off. */
  heartbeatTimeout?: number | undefined;
  restart?: RestartPolicy | undefined;
  backoff?: BackoffOptions | undefined;
  maxRestarts?: MaxRestartsOptions | undefined;
  /** Start with the application (default true). `false`: start it with `WorkerRegistry.start()`. */
  autoStart?: boolean | undefined;
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
 *   workerDefaults: { heartbeatTimeout: 30_000, restart: 'transient' },
 * });
 * ```
 */
export interface GorxModuleOptions {
  /** Defaults for every worker of the application; each worker's own options win. */
  workerDefaults?: Omit<BackgroundWorkerOptions, 'name'> | undefined;
  /** How long shutdown waits for killed workers' `finally` blocks (default 5000 ms). */
  shutdownGraceMs?: number | undefined;
  /** `GorxHealthIndicator` reports down when the event loop's p99 delay exceeds this (ms). */
  maxEventLoopDelayMs?: number | undefined;
}

/** A worker's options with every default applied. */
export interface ResolvedWorkerOptions {
  name: string;
  heartbeatTimeout: number;
  restart: RestartPolicy;
  backoff: { [K in keyof BackoffOptions]-?: Exclude<BackoffOptions[K], undefined> };
  maxRestarts: MaxRestartsOptions;
  autoStart: boolean;
}

/**
 * gorx's defaults: no heartbeat supervision unless asked, permanent restarts from 100 ms doubling
 * up to 30 s with 20 % jitter, at most 5 restarts a minute, 5 s shutdown grace.
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
    heartbeatTimeout: 0,
    restart: 'permanent' as RestartPolicy,
    backoff: Object.freeze({ initialMs: 100, maxMs: 30_000, factor: 2, jitter: 0.2 }),
    maxRestarts: Object.freeze({ count: 5, withinMs: 60_000 }),
    autoStart: true,
  }),
  shutdownGraceMs: 5_000,
});

/** @internal Merges worker options over module defaults over gorx defaults, and validates them. */
export function resolveWorkerOptions(
  name: string,
  own: BackgroundWorkerOptions | undefined,
  module: GorxModuleOptions | undefined,
): ResolvedWorkerOptions {
  const d = GORX_DEFAULTS.worker;
  const m = module?.workerDefaults ?? {};
  const o = own ?? {};
  const backoff = { ...d.backoff, ...defined(m.backoff), ...defined(o.backoff) };
  const resolved: ResolvedWorkerOptions = {
    name,
    heartbeatTimeout: o.heartbeatTimeout ?? m.heartbeatTimeout ?? d.heartbeatTimeout,
    restart: o.restart ?? m.restart ?? d.restart,
    backoff,
    maxRestarts: { ...d.maxRestarts, ...defined(m.maxRestarts), ...defined(o.maxRestarts) },
    autoStart: o.autoStart ?? m.autoStart ?? d.autoStart,
  };
  validate(resolved);
  return resolved;
}

/** `obj` without its undefined properties: `{ factor: undefined }` keeps the default factor. */
function defined<T extends object>(obj: T | undefined): Partial<T> {
  if (obj === undefined) return {};
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** @internal The shutdown grace period with the default applied. */
export function resolveShutdownGrace(module: GorxModuleOptions | undefined): number {
  const ms = module?.shutdownGraceMs ?? GORX_DEFAULTS.shutdownGraceMs;
  checkNonNegative(ms, 'shutdownGraceMs');
  return ms;
}

function validate(o: ResolvedWorkerOptions): void {
  const where = `worker "${o.name}"`;
  checkNonNegative(o.heartbeatTimeout, `${where}: heartbeatTimeout`);
  if (!['permanent', 'transient', 'temporary'].includes(o.restart)) {
    throw new TypeError(`${where}: restart must be 'permanent', 'transient' or 'temporary'`);
  }
  checkNonNegative(o.backoff.initialMs, `${where}: backoff.initialMs`);
  checkNonNegative(o.backoff.maxMs, `${where}: backoff.maxMs`);
  if (!(o.backoff.factor >= 1)) throw new RangeError(`${where}: backoff.factor must be >= 1`);
  if (!(o.backoff.jitter >= 0 && o.backoff.jitter <= 1)) {
    throw new RangeError(`${where}: backoff.jitter must be within 0..1`);
  }
  if (!(Number.isInteger(o.maxRestarts.count) && o.maxRestarts.count >= 0)) {
    throw new RangeError(`${where}: maxRestarts.count must be a non-negative integer`);
  }
  checkNonNegative(o.maxRestarts.withinMs, `${where}: maxRestarts.withinMs`);
}

function checkNonNegative(ms: number, what: string): void {
  if (typeof ms !== 'number' || !(ms >= 0) || ms === Infinity) {
    throw new RangeError(`${what} must be a finite number >= 0, got ${String(ms)}`);
  }
}
