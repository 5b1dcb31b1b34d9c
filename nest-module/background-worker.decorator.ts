/** @module */
import { SetMetadata } from '@nestjs/common';
import { GORX_WORKER_METADATA } from './gorx.constants.js';
import type { SingletonWorkerContext, WorkerFunction } from './worker.context.js';
import type { BackgroundWorkerOptions } from './worker.options.js';

/**
 * Marks a provider method as a supervised background worker: a goroutine started when the
 * application has bootstrapped, watched by its heartbeat, restarted by its policy, killed at
 * shutdown. With `schedule`, each cron or interval tick starts a supervised run instead. The
 * method (async or generator) receives a `WorkerContext`; it runs bound to its instance.
 * Request-scoped providers are skipped with a warning. Options are checked at bootstrap, before
 * any worker starts (a bad value fails `app.init()`), and `GorxModule`'s `workers[name]` overrides
 * them (e.g. from `ConfigService`).
 *
 * With `isolatedModules` + `emitDecoratorMetadata` (the Nest starters), a type that is only an
 * interface (`Chan`, `WorkerStatus`, ...) in a decorated signature must be imported with
 * `import type` (else TS1272); `WorkerContext` is a class and imports either way.
 *
 * @example
 * ```ts
 * import { Injectable } from '@nestjs/common';
 * import { sleep } from 'gorx';
 * import { BackgroundWorker, WorkerContext } from 'gorx/nest';
 *
 * @Injectable()
 * class Reporter {
 *   sent = 0;
 *
 *   @BackgroundWorker({ name: 'reporter', heartbeatTimeoutMs: 5_000, restart: 'permanent' })
 *   *report(ctx: WorkerContext): Generator<unknown, void, unknown> {
 *     for (;;) {
 *       this.sent++;
 *       ctx.heartbeat();
 *       yield sleep(1_000); // a kill stops the worker right here
 *     }
 *   }
 *
 *   // Every night at 3:00 Berlin time; a run still going at the next tick is left alone.
 *   @BackgroundWorker({ name: 'nightly', schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin' } })
 *   async compact(ctx: WorkerContext): Promise<void> {
 *     await sleep(10_000, { signal: ctx.signal });
 *   }
 * }
 * ```
 */
type SingletonWorkerFunction = (
  ctx: SingletonWorkerContext<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
) => ReturnType<WorkerFunction>;

export function BackgroundWorker(options: BackgroundWorkerOptions = {}) {
  const setMetadata = SetMetadata(GORX_WORKER_METADATA, options);
  // The typed descriptor rejects, at compile time, methods that cannot be a worker body.
  // A singleton worker may declare `SingletonWorkerContext` (its ctx has `fence`).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return <T extends WorkerFunction<any> | SingletonWorkerFunction>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): void => {
    setMetadata(target, key, descriptor);
  };
}
