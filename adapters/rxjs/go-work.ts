/**
 * `GoWork`: the per-value goroutine body of `switchGo` and `mergeGo`.
 * @module
 */
import type { GoContext } from 'gorx';

/**
 * A goroutine body started for one value: an async function (pass `ctx.signal` to every
 * blocking call so a kill interrupts it) or a generator function (stopped at its current
 * `yield` by a kill). Its return value is emitted downstream.
 *
 * @example
 * ```ts
 * import { sleep } from 'gorx';
 * import type { GoWork } from 'gorx/rxjs';
 *
 * const lookup: GoWork<string, number> = async (query, ctx) => {
 *   await sleep(100, { signal: ctx.signal });
 *   return query.length;
 * };
 * ```
 */
export type GoWork<T, R> = (value: T, ctx: GoContext) => Promise<R> | Generator<unknown, R, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
