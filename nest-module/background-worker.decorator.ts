/** @module */
import { SetMetadata } from '@nestjs/common';
import { GORX_WORKER_METADATA } from './gorx.constants.js';
import type { WorkerFunction } from './worker.context.js';
import type { BackgroundWorkerOptions } from './worker.options.js';

/**
 * Marks a provider method as a supervised background worker: a goroutine started when the
 * application has bootstrapped, watched by its heartbeat, restarted by its policy, killed at
 * shutdown. The method (async or generator) receives a `WorkerContext`; it runs bound to its
 * instance. Request-scoped providers are skipped with a warning.
 *
 * @example
 * ```ts
 * import { Injectable } from '@nestjs/common';
 * import { sleep } from 'gorx';
 * import { BackgroundWorker, type WorkerContext } from 'gorx/nest';
 *
 * @Injectable()
 * class Reporter {
 *   sent = 0;
 *
 *   @BackgroundWorker({ name: 'reporter', heartbeatTimeout: 5_000, restart: 'permanent' })
 *   *report(ctx: WorkerContext): Generator<unknown, void, unknown> {
 *     for (;;) {
 *       this.sent++;
 *       ctx.heartbeat();
 *       yield sleep(1_000); // a kill stops the worker right here
 *     }
 *   }
 * }
 * ```
 */
export function BackgroundWorker(options: BackgroundWorkerOptions = {}) {
  const setMetadata = SetMetadata(GORX_WORKER_METADATA, options);
  // The typed descriptor rejects, at compile time, methods that cannot be a worker body.
  return <T extends WorkerFunction<any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): void => {
    setMetadata(target, key, descriptor);
  };
}
