/**
 * Goroutines: `go(fn)` runs an async or generator function as a killable, structured task.
 * @module
 */
import { spawn } from './internal/goroutine.js';
import { installReporter } from './internal/report.js';
import type { GoFunction, GoOptions, Goroutine } from './types.js';

/**
 * Starts a goroutine. `fn` runs at once until its first suspension; `go` returns its handle.
 * An async `fn` is interrupted by a kill at every gorx operation given `ctx.signal`; a generator
 * `fn` (yielding promises, resumed with their results) is stopped at its current `yield`
 * whatever it waits on. Either way its `finally` blocks run before `kill()` resolves.
 *
 * @example
 * ```ts
 * import { chan, go } from 'gorx';
 *
 * const jobs = chan<number>();
 * const worker = go(async (ctx) => {
 *   try {
 *     for (;;) console.log('job', await jobs.recv(ctx));
 *   } finally {
 *     console.log('worker cleaned up');
 *   }
 * }, { name: 'worker' });
 * await jobs.send(1);
 * await worker.kill(); // logs 'worker cleaned up' before resolving
 *
 * const gen = go(function* () {
 *   const v: number = (yield jobs.recv()) as number; // stopped right here by a kill
 *   return v;
 * });
 * await gen.kill();
 * ```
 */
export function go<R>(fn: GoFunction<R>, options?: GoOptions): Goroutine<R> {
  installReporter();
  return spawn(fn, options, null);
}
