/**
 * What the per-worker state machines and supersede slots need from their owner (the supervisor):
 * an event sink, a logger, randomness (replaceable in tests) and the shutdown flag.
 */
import type { WorkerEvent } from '../worker.events.js';

/** The subset of Nest's `LoggerService` gorx logs through. */
export interface LogSink {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, stack?: string): void;
}

export interface SupervisorHost {
  readonly logger: LogSink;
  /** True once shutdown began: nothing may start or restart any more. */
  readonly closing: boolean;
  emit(event: WorkerEvent): void;
  random(): number;
}

/** One log line prefix for every message about a worker run. */
export function who(name: string, attempt: number): string {
  return `worker "${name}" attempt ${attempt}`;
}

export function describeError(e: unknown): { message: string; stack?: string } {
  if (e instanceof Error) return { message: e.message, stack: e.stack };
  return { message: String(e) };
}
