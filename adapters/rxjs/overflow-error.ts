/**
 * `ChannelOverflowError`: a push source outran a bounded `toChannel` channel.
 * @module
 */
import { GorxError } from 'gorx';

/**
 * The error a `toChannel` channel with `overflow: 'error'` is closed with when its source
 * emits while the buffer is full (and no receiver is waiting). Receivers first drain the values
 * buffered before the overflow, then see this error. `code` is `'ERR_CHANNEL_OVERFLOW'`.
 *
 * @example
 * ```ts
 * import { ChannelOverflowError, toChannel } from 'gorx/rxjs';
 * import { of } from 'rxjs';
 *
 * // The first receive takes 1, the buffer holds 2, and 3 overflows it.
 * const ch = toChannel(of(1, 2, 3), { capacity: 1 });
 * try {
 *   for await (const v of ch) console.log(v); // 1, 2
 * } catch (e) {
 *   if (e instanceof ChannelOverflowError) console.log(e.code, e.capacity); // 'ERR_CHANNEL_OVERFLOW' 1
 * }
 * ```
 */
export class ChannelOverflowError extends GorxError {
  /** The capacity that was exceeded. */
  readonly capacity: number;
  constructor(capacity: number) {
    super(
      'ERR_CHANNEL_OVERFLOW',
      `toChannel: the source emitted while the channel's buffer (capacity ${capacity}) was full ` +
        `and no receiver was waiting; raise \`capacity\` or choose overflow 'dropNewest', ` +
        `'dropOldest' or 'unbounded'`,
    );
    this.capacity = capacity;
  }
}
