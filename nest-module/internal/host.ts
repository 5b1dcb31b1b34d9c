/**
 * What the per-worker state machines and supersede slots need from their owner (the supervisor):
 * an event sink, a logger, randomness (replaceable in tests), the shutdown flag and telemetry.
 */
import type { LeaseStore } from 'gorx/cluster';
import type { WorkerEvent } from '../worker.events.js';
import type { LifecycleLogLevel } from '../worker.options.js';
import type { Telemetry } from './telemetry.js';

/** The subset of Nest's `LoggerService` gorx logs through. */
export interface LogSink {
  log(message: string): void;
  debug(message: string): void;
  verbose(message: string): void;
  warn(message: string): void;
  error(message: string, stack?: string): void;
}

export interface SupervisorHost {
  readonly logger: LogSink;
  /** True once shutdown began: nothing may start or restart any more. */
  readonly closing: boolean;
  /** Level of supersede lifecycle lines (workers carry their own). */
  readonly lifecycleLogLevel: LifecycleLogLevel;
  emit(event: WorkerEvent): void;
  random(): number;
  /** Metrics and traces of runs; null when none are configured (the common, free case). */
  readonly telemetry: Telemetry | null;
  /** The lease store of cluster singletons (`GorxModule.forRoot({ cluster })`), if any. */
  readonly clusterStore: LeaseStore | undefined;
}

/** One log line prefix for every message about a worker run. */
export function who(name: string, attempt: number): string {
  return `worker "${name}" attempt ${attempt}`;
}

/** A lifecycle line (started, stopped, ...) at the configured level, or nothing for `'off'`. */
export function logLifecycle(logger: LogSink, level: LifecycleLogLevel, message: string): void {
  if (level !== 'off') logger[level](message);
}

export function describeError(e: unknown): { message: string; stack?: string } {
  if (e instanceof Error) return { message: e.message, stack: e.stack };
  return { message: String(e) };
}

/** An error rendered for JSON (status snapshots, health details): `Error` itself renders as `{}`. */
export function errorJson(e: unknown): { name: string; message: string; code?: unknown } | string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  return { name: e.name, message: e.message, ...(code !== undefined && { code }) };
}

/** `Name: message` of an error, for one-line displays. */
export function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
