/** Shared setup of the gorx/nest tests: a testing app with a log-capturing logger. */
import { jest } from '@jest/globals';
import { expectNothingLeft, flush } from '../helpers/leaks.js';
import type { INestApplication, LoggerService, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { GorxModule, WorkerRegistry, type GorxRootOptions, type WorkerEvent } from 'gorx/nest';

export class CaptureLogger implements LoggerService {
  readonly lines: { level: string; message: string; context?: string }[] = [];
  private push(level: string, message: unknown, rest: unknown[]): void {
    const context = rest.length > 0 ? String(rest[rest.length - 1]) : undefined;
    this.lines.push({ level, message: String(message), context });
  }
  log(message: unknown, ...rest: unknown[]): void {
    this.push('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.push('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.push('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.push('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.push('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.push('fatal', message, rest);
  }
  /** Lines logged by gorx (context 'Gorx'). */
  gorx(): string[] {
    return this.lines.filter((l) => l.context === 'Gorx').map((l) => `${l.level}: ${l.message}`);
  }
}

export interface TestApp {
  app: INestApplication;
  registry: WorkerRegistry;
  logger: CaptureLogger;
  events: WorkerEvent[];
}

/** Compiles and initialises an app with `GorxModule.forRoot(options)` plus `metadata`. */
export async function createApp(
  metadata: ModuleMetadata,
  options: GorxRootOptions = {},
): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({
    ...metadata,
    imports: [GorxModule.forRoot(options), ...(metadata.imports ?? [])],
  }).compile();
  const logger = new CaptureLogger();
  const app = moduleRef.createNestApplication({ logger });
  const registry = app.get(WorkerRegistry);
  const events: WorkerEvent[] = [];
  registry.events$.subscribe((e) => events.push(e));
  await app.init();
  return { app, registry, logger, events };
}

/** Virtual time for supervision tests; promise plumbing (nextTick, setImmediate) stays real. */
export function useFakeTime(): void {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
}

/** `type worker#attempt` of each event, for compact sequence assertions. */
export function trace(events: WorkerEvent[], worker?: string): string[] {
  return events
    .filter((e) => worker === undefined || e.worker === worker)
    .map((e) => `${e.type} ${e.worker}#${e.attempt}`);
}

/**
 * Closes the app (driving fake timers through its shutdown grace period), then checks that no
 * worker, goroutine, parked operation or timer is left, and restores real timers.
 */
export async function closeAndExpectNothingLeft(t: TestApp | null): Promise<void> {
  if (t !== null) {
    const closing = t.app.close();
    await jest.advanceTimersByTimeAsync(10_000).catch(() => {});
    await closing;
  }
  await flush();
  expectNothingLeft();
  jest.useRealTimers();
}
