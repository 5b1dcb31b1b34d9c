/** @module */

/** Stable codes of `WorkerRegistryError`. */
export type WorkerRegistryErrorCode =
  'ERR_WORKER_NOT_FOUND' | 'ERR_WORKER_EXISTS' | 'ERR_SHUTTING_DOWN';

/**
 * A misuse of `WorkerRegistry`: unknown name, duplicate name, or work started during shutdown.
 * Match it with `instanceof` or `code`.
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
export class WorkerRegistryError extends Error {
  readonly code: WorkerRegistryErrorCode;
  constructor(code: WorkerRegistryErrorCode, message: string) {
    super(message);
    this.code = code;
  }
  override get name(): string {
    return 'WorkerRegistryError';
  }
}
