/**
 * Errors of `gorx/threads`.
 * @module
 */
import { GorxError } from 'gorx';

/**
 * A thread died under a goroutine: an uncaught error outside the goroutine (a throw in a timer
 * callback, or while the thread module loads), `process.exit()`, or running out of memory under
 * `resourceLimits`. `cause` holds the thread's error when there was one; `exitCode` the thread's
 * exit code when it exited.
 *
 * @example
 * ```ts
 * import { goThread, ThreadExitError } from 'gorx/threads';
 *
 * const g = goThread(new URL('./jobs.js', import.meta.url), 'crunch');
 * await g.done.catch((e: unknown) => {
 *   if (e instanceof ThreadExitError) console.error(e.code, e.exitCode); // 'ERR_THREAD_EXIT' 1
 * });
 * ```
 */
export class ThreadExitError extends GorxError {
  /** The thread's exit code, when it exited (`undefined` when it died of an error). */
  readonly exitCode: number | undefined;
  constructor(message: string, options?: { cause?: unknown; exitCode?: number }) {
    super('ERR_THREAD_EXIT', message, options);
    this.exitCode = options?.exitCode;
  }
}
