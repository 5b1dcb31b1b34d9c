/** @module */
import { GoroutineExit, GorxError } from 'gorx';

/** Stable codes of `WorkerRegistryError`. */
export type WorkerRegistryErrorCode =
  'ERR_WORKER_NOT_FOUND' | 'ERR_WORKER_EXISTS' | 'ERR_SHUTTING_DOWN' | 'ERR_STOP_TIMEOUT';

/**
 * A misuse of `WorkerRegistry` (unknown name, duplicate name, work started during shutdown) or a
 * worker that did not stop within its grace period (`ERR_STOP_TIMEOUT`). A `GorxError`: match it
 * with `instanceof` or `code`.
 *
 * @example
 * ```ts
 * import { WorkerRegistryError, type WorkerRegistry } from 'gorx/nest';
 *
 * declare const registry: WorkerRegistry;
 * try {
 *   await registry.stop('nope');
 * } catch (e) {
 *   if (e instanceof WorkerRegistryError && e.code === 'ERR_WORKER_NOT_FOUND') console.log('no such worker');
 * }
 * ```
 */
export class WorkerRegistryError extends GorxError {
  declare readonly code: WorkerRegistryErrorCode;
  constructor(code: WorkerRegistryErrorCode, message: string) {
    super(code, message);
  }
}

/**
 * The exit of a `@Supersede` / `registry.supersede()` run cut off by application shutdown, and the
 * rejection of such a call made once shutdown has begun (it never starts). A `GoroutineExit`
 * (code `ERR_APPLICATION_SHUTDOWN`), also the reason of a worker's `ctx.signal` at shutdown. Map it
 * to 503 so a rolling deploy answers "try another replica", not 500.
 *
 * @example
 * ```ts
 * import { ConflictException, ServiceUnavailableException } from '@nestjs/common';
 * import { SupersededError } from 'gorx';
 * import { ShutdownError } from 'gorx/nest';
 *
 * async function answer<T>(call: Promise<T>): Promise<T> {
 *   try {
 *     return await call;
 *   } catch (e) {
 *     if (e instanceof SupersededError) throw new ConflictException('superseded');
 *     if (e instanceof ShutdownError) throw new ServiceUnavailableException('shutting down');
 *     throw e;
 *   }
 * }
 * ```
 */
export class ShutdownError extends GoroutineExit {
  constructor() {
    super(undefined, 'application shutdown', 'ERR_APPLICATION_SHUTDOWN');
  }
}
