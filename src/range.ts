/** @module */
import type { RecvChan, SignalOptions } from './types.js';
import { Channel, bridgedChannelError, isBridgedChannel } from './internal/channel.js';
import { describeValue } from './internal/validate.js';

/**
 * Go's `for v := range ch` with cancellation: a `for await` loop over `ch` that a signal (or a
 * kill, with `ctx.signal`) can interrupt while it waits. A plain `for await (const v of ch)`
 * cannot be interrupted while blocked, because it has nowhere to receive a signal: inside an
 * async goroutine, loop with `range(ch, { signal: ctx.signal })`.
 *
 * @example
 * ```ts
 * import { chan, go, range } from 'gorx';
 *
 * const jobs = chan<string>();
 * const worker = go(async (ctx) => {
 *   for await (const job of range(jobs, { signal: ctx.signal })) console.log('doing', job);
 * });
 * await jobs.send('a');
 * await worker.kill(); // the loop throws the GoroutineExit while it waits for the next job
 * ```
 */
export function range<T>(ch: RecvChan<T>, opts?: SignalOptions): AsyncIterableIterator<T> {
  if (!(ch instanceof Channel)) {
    if (isBridgedChannel(ch)) {
      throw bridgedChannelError(
        'range',
        'ch',
        'use for await (const v of ch) on it, which receives until it is closed and drained',
      );
    }
    throw new TypeError(
      `range: ch must be a channel made by chan() of this copy of gorx, got ${describeValue(ch)}`,
    );
  }
  return (ch as Channel<T>).iterate(opts);
}
