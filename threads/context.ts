/**
 * What a thread module's function receives.
 * @module
 */
import type { GoContext } from 'gorx';

/**
 * The context of a goroutine running on a worker thread: a `GoContext` (`signal`, `go`, usable
 * as operation options) plus `heartbeat`.
 *
 * @example
 * ```ts
 * import type { ThreadContext } from 'gorx/threads';
 *
 * // in a thread module
 * export async function crunch(ctx: ThreadContext, n: number): Promise<number> {
 *   let acc = 0;
 *   for (let i = 0; i < n; i++) {
 *     acc = (acc * 31 + i) % 1_000_003;
 *     if (i % 10_000 === 0) ctx.heartbeat({ i });
 *   }
 *   return acc;
 * }
 * ```
 */
export interface ThreadContext<D = unknown> extends GoContext {
  /**
   * Proves the goroutine is alive: increments a counter in memory shared with the main thread
   * (no message per call, so it is cheap in a hot loop). The main side reads it as
   * `ThreadGoroutine.heartbeats`. `details`, when given, are sent to the main side at most once
   * per event-loop turn of the thread (the latest wins).
   */
  heartbeat(details?: D): void;
}

/**
 * A thread module's export: `go()`'s function shape plus arguments.
 *
 * @example
 * ```ts
 * import type { ThreadFunction } from 'gorx/threads';
 *
 * export const double: ThreadFunction<number, [number]> = async (_ctx, n) => n * 2;
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ThreadFunction<R = unknown, A extends unknown[] = any[]> = (
  ctx: ThreadContext,
  ...args: A
) => Promise<R> | Generator<unknown, R, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
