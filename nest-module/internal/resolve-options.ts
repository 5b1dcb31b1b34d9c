/**
 * The one place where worker options are merged (override > own > module defaults > gorx
 * defaults) and validated: every check runs when the worker is registered, before anything of it
 * starts, so a bad value fails the bootstrap (or the `spawn` call), never a restart or a shutdown.
 */
import {
  GORX_DEFAULTS,
  OVERLAP_POLICIES,
  RESTART_POLICIES,
  type BackgroundWorkerOptions,
  type GorxModuleOptions,
  type LifecycleLogLevel,
  type MaxRestartsOptions,
  type RestartPolicy,
  type ScheduleOptions,
} from '../worker.options.js';
import { cronSchedule, intervalSchedule, type ResolvedSchedule } from './schedule.js';

/** Node clamps a timer delay of 2^31 ms or more to 1 ms: such a delay would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const LOG_LEVELS: readonly LifecycleLogLevel[] = ['log', 'debug', 'verbose', 'off'];

/** A worker's options with every default applied. */
export interface ResolvedWorkerOptions {
  readonly name: string;
  readonly heartbeatTimeoutMs: number;
  readonly restart: RestartPolicy;
  readonly backoff: Readonly<Required<NonNullable<BackgroundWorkerOptions['backoff']>>>;
  readonly maxRestarts: Readonly<MaxRestartsOptions>;
  readonly autoStart: boolean;
  readonly schedule: ResolvedSchedule | null;
  readonly lifecycleLogLevel: LifecycleLogLevel;
  /** Cluster singleton: the lease ttl, or null for a worker that runs on every replica. */
  readonly singleton: { readonly leaseTtlMs: number } | null;
}

/** Module-wide settings with defaults applied. */
export interface ResolvedModuleOptions {
  readonly shutdownGraceMs: number;
  readonly lifecycleLogLevel: LifecycleLogLevel;
  readonly healthDetailsLimit: number;
  readonly maxEventLoopDelayMs: number | undefined;
}

export function resolveModuleOptions(module: GorxModuleOptions | undefined): ResolvedModuleOptions {
  const m = module ?? {};
  const shutdownGraceMs = m.shutdownGraceMs ?? GORX_DEFAULTS.shutdownGraceMs;
  checkTimerMs(shutdownGraceMs, 'shutdownGraceMs');
  const lifecycleLogLevel = m.lifecycleLogLevel ?? GORX_DEFAULTS.lifecycleLogLevel;
  checkLogLevel(lifecycleLogLevel, 'lifecycleLogLevel');
  const healthDetailsLimit = m.healthDetailsLimit ?? GORX_DEFAULTS.healthDetailsLimit;
  if (!Number.isInteger(healthDetailsLimit) || healthDetailsLimit < 0) {
    throw new RangeError(
      `healthDetailsLimit must be an integer >= 0, got ${String(healthDetailsLimit)}`,
    );
  }
  if (m.maxEventLoopDelayMs !== undefined) checkMs(m.maxEventLoopDelayMs, 'maxEventLoopDelayMs');
  if (m.workers !== undefined && (typeof m.workers !== 'object' || m.workers === null)) {
    throw new TypeError('workers must be an object of per-worker options by name');
  }
  return {
    shutdownGraceMs,
    lifecycleLogLevel,
    healthDetailsLimit,
    maxEventLoopDelayMs: m.maxEventLoopDelayMs,
  };
}

export function resolveWorkerOptions(
  name: string,
  own: BackgroundWorkerOptions | undefined,
  module: GorxModuleOptions | undefined,
): ResolvedWorkerOptions {
  const where = `worker "${name}"`;
  const d = GORX_DEFAULTS.worker;
  const m = module?.workerDefaults ?? {};
  const o = own ?? {};
  const v = module?.workers?.[name] ?? {};
  const layers: BackgroundWorkerOptions[] = [v, o, m];
  const pick = <K extends keyof BackgroundWorkerOptions>(key: K): BackgroundWorkerOptions[K] => {
    for (const layer of layers) if (layer[key] !== undefined) return layer[key];
    return undefined;
  };
  let heartbeatTimeoutMs: number | undefined;
  for (const layer of layers) {
    heartbeatTimeoutMs = heartbeatOf(layer, where);
    if (heartbeatTimeoutMs !== undefined) break;
  }
  const scheduleOptions =
    o.schedule === undefined && v.schedule === undefined
      ? undefined
      : { ...defined(o.schedule), ...defined(v.schedule) };
  const schedule = scheduleOptions === undefined ? null : resolveSchedule(scheduleOptions, where);
  const restart = pick('restart') ?? d.restart;
  if (
    schedule !== null &&
    (o.restart ?? v.restart) !== undefined &&
    (o.restart ?? v.restart) !== 'temporary'
  ) {
    throw new TypeError(
      `${where}: a scheduled worker is not restarted (a failed run waits for the next tick); remove restart: '${o.restart ?? v.restart}'`,
    );
  }
  const resolved: ResolvedWorkerOptions = {
    name,
    heartbeatTimeoutMs: heartbeatTimeoutMs ?? d.heartbeatTimeoutMs,
    restart: schedule === null ? restart : 'temporary',
    // Workers that keep the defaults share gorx's frozen objects (memory per worker).
    backoff:
      m.backoff === undefined && o.backoff === undefined && v.backoff === undefined
        ? d.backoff
        : { ...d.backoff, ...defined(m.backoff), ...defined(o.backoff), ...defined(v.backoff) },
    maxRestarts:
      m.maxRestarts === undefined && o.maxRestarts === undefined && v.maxRestarts === undefined
        ? d.maxRestarts
        : {
            ...d.maxRestarts,
            ...defined(m.maxRestarts),
            ...defined(o.maxRestarts),
            ...defined(v.maxRestarts),
          },
    autoStart: pick('autoStart') ?? d.autoStart,
    schedule,
    lifecycleLogLevel:
      pick('lifecycleLogLevel') ?? module?.lifecycleLogLevel ?? GORX_DEFAULTS.lifecycleLogLevel,
    singleton: resolveSingleton(pick('singleton'), pick('leaseTtlMs'), module, where),
  };
  validate(resolved, where);
  return resolved;
}

function resolveSingleton(
  singleton: unknown,
  leaseTtlMs: unknown,
  module: GorxModuleOptions | undefined,
  where: string,
): ResolvedWorkerOptions['singleton'] {
  if (singleton !== undefined && typeof singleton !== 'boolean') {
    throw new TypeError(`${where}: singleton must be a boolean`);
  }
  if (singleton !== true) {
    if (leaseTtlMs !== undefined) throw new TypeError(`${where}: leaseTtlMs needs singleton: true`);
    return null;
  }
  if (module?.cluster?.store === undefined) {
    throw new TypeError(
      `${where}: singleton: true needs a lease store: GorxModule.forRoot({ cluster: { store: postgresStore(...) } })`,
    );
  }
  const ttl = leaseTtlMs ?? GORX_DEFAULTS.worker.leaseTtlMs;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 100 || ttl > MAX_TIMER_MS) {
    throw new RangeError(`${where}: leaseTtlMs must be an integer in [100, ${MAX_TIMER_MS}]`);
  }
  return { leaseTtlMs: ttl };
}

/** `obj` without its undefined properties: `{ factor: undefined }` keeps the default factor. */
function defined<T extends object>(obj: T | undefined): Partial<T> {
  if (obj === undefined) return {};
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function heartbeatOf(layer: BackgroundWorkerOptions, where: string): number | undefined {
  const { heartbeatTimeoutMs: ms, heartbeatTimeout: old } = layer;
  if (ms !== undefined && old !== undefined && ms !== old) {
    throw new TypeError(
      `${where}: heartbeatTimeoutMs (${String(ms)}) and its deprecated alias heartbeatTimeout (${String(old)}) disagree; give heartbeatTimeoutMs only`,
    );
  }
  return ms ?? old;
}

function resolveSchedule(s: ScheduleOptions, where: string): ResolvedSchedule {
  const overlap = s.overlap ?? GORX_DEFAULTS.worker.overlap;
  if (!OVERLAP_POLICIES.includes(overlap)) {
    throw new TypeError(`${where}: schedule.overlap must be one of ${OVERLAP_POLICIES.join(', ')}`);
  }
  const runOnStart = s.runOnStart ?? false;
  if ((s.cron === undefined) === (s.intervalMs === undefined)) {
    throw new TypeError(`${where}: schedule needs exactly one of cron and intervalMs`);
  }
  if (s.intervalMs !== undefined) {
    checkTimerMs(s.intervalMs, `${where}: schedule.intervalMs`);
    if (s.intervalMs < 1) throw new RangeError(`${where}: schedule.intervalMs must be >= 1`);
    if (s.timezone !== undefined) {
      throw new TypeError(`${where}: schedule.timezone applies to cron schedules only`);
    }
    return intervalSchedule(s.intervalMs, overlap, runOnStart);
  }
  if (typeof s.cron !== 'string') throw new TypeError(`${where}: schedule.cron must be a string`);
  return cronSchedule(where, s.cron, s.timezone, overlap, runOnStart);
}

function validate(o: ResolvedWorkerOptions, where: string): void {
  checkTimerMs(o.heartbeatTimeoutMs, `${where}: heartbeatTimeoutMs`);
  if (!RESTART_POLICIES.includes(o.restart)) {
    throw new TypeError(`${where}: restart must be one of ${RESTART_POLICIES.join(', ')}`);
  }
  checkTimerMs(o.backoff.initialMs, `${where}: backoff.initialMs`);
  checkTimerMs(o.backoff.maxMs, `${where}: backoff.maxMs`);
  if (!(o.backoff.factor >= 1) || o.backoff.factor === Infinity) {
    throw new RangeError(`${where}: backoff.factor must be a finite number >= 1`);
  }
  if (!(o.backoff.jitter >= 0 && o.backoff.jitter <= 1)) {
    throw new RangeError(`${where}: backoff.jitter must be within 0..1`);
  }
  if (!(Number.isInteger(o.maxRestarts.count) && o.maxRestarts.count >= 0)) {
    throw new RangeError(`${where}: maxRestarts.count must be a non-negative integer`);
  }
  checkMs(o.maxRestarts.withinMs, `${where}: maxRestarts.withinMs`);
  checkLogLevel(o.lifecycleLogLevel, `${where}: lifecycleLogLevel`);
}

function checkMs(ms: unknown, what: string): void {
  if (typeof ms !== 'number' || !(ms >= 0) || ms === Infinity) {
    throw new RangeError(`${what} must be a finite number >= 0, got ${String(ms)}`);
  }
}

/** A delay that a single Node timer can hold. */
export function checkTimerMs(ms: unknown, what: string): void {
  checkMs(ms, what);
  if ((ms as number) > MAX_TIMER_MS) {
    throw new RangeError(
      `${what} must be at most ${MAX_TIMER_MS} ms (2^31 - 1: a longer Node timer fires at once), got ${String(ms)}`,
    );
  }
}

function checkLogLevel(level: unknown, what: string): void {
  if (!LOG_LEVELS.includes(level as LifecycleLogLevel)) {
    throw new TypeError(`${what} must be one of ${LOG_LEVELS.join(', ')}, got ${String(level)}`);
  }
}
