/** @module */
import type { GoContext } from 'gorx';

/**
 * What a supervised worker receives: its goroutine context (`signal`, `go` for children that die
 * with it) plus supervision. Pass `signal` to every blocking call of an async worker; a generator
 * worker is stopped at its current `yield` anyway.
 *
 * @example
 * ```ts
 * import { sleep } from 'gorx';
 * import type { WorkerContext } from 'gorx/nest';
 *
 * async function poll(ctx: WorkerContext<{ cursor: number }>): Promise<void> {
 *   let cursor = ctx.lastHeartbeat?.cursor ?? 0; // resume where the previous attempt was
 *   for (;;) {
 *     cursor++;
 *     ctx.heartbeat({ cursor });
 *     await sleep(1000, { signal: ctx.signal });
 *   }
 * }
 * ```
 */
export interface WorkerContext<D = unknown> extends GoContext {
  /** The worker's name (also the goroutine's name). */
  readonly name: string;
  /** 1 for the first run, incremented by every (re)start. */
  readonly attempt: number;
  /** The last details given to `heartbeat(details)` by an earlier attempt, if any. */
  readonly lastHeartbeat: D | undefined;
  /**
   * Proves the worker is alive. Costs a timestamp store: call it as often as you like, even in a
   * hot loop. `details` (optional) is kept for status and handed to the next attempt.
   */
  heartbeat(details?: D): void;
}

/**
 * A worker body: an async function or a generator function taking a `WorkerContext`.
 *
 * @example
 * ```ts
 * import { sleep } from 'gorx';
 * import type { WorkerFunction } from 'gorx/nest';
 *
 * const ping: WorkerFunction = function* (ctx) {
 *   for (;;) {
 *     ctx.heartbeat();
 *     yield sleep(1000);
 *   }
 * };
 * ```
 */
export type WorkerFunction<D = unknown> = (
  ctx: WorkerContext<D>,
) => Promise<unknown> | Generator<unknown, unknown, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
