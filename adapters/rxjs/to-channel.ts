/**
 * `toChannel`: an Observable as a channel, subscribed on the first receive.
 * @module
 */
import { Observable, type Subscriber } from 'rxjs';
import { chan, type Chan } from 'gorx';
import { asError } from '../internal/as-error.js';
import { ChannelOverflowError } from './overflow-error.js';

/**
 * What `toChannel` does with a value the source pushes while the buffer is full.
 *
 * @example
 * ```ts
 * import { toChannel, type Overflow } from 'gorx/rxjs';
 * import { Subject } from 'rxjs';
 *
 * const keepLatest: Overflow = 'dropOldest';
 * const prices = toChannel(new Subject<number>(), { capacity: 1, overflow: keepLatest });
 * prices.close();
 * ```
 */
export type Overflow = 'error' | 'dropNewest' | 'dropOldest' | 'unbounded';

/**
 * Options of `toChannel`.
 *
 * @example
 * ```ts
 * import { toChannel, type ToChannelOptions } from 'gorx/rxjs';
 * import { of } from 'rxjs';
 *
 * const options: ToChannelOptions = { capacity: 64, overflow: 'error', name: 'events' };
 * for await (const v of toChannel(of(1, 2), options)) console.log(v); // 1, 2
 * ```
 */
export interface ToChannelOptions {
  /**
   * Buffer size (default 1024). 0 means a value is accepted only when a receiver is already
   * waiting for it. Ignored by `overflow: 'unbounded'`.
   */
  capacity?: number | undefined;
  /**
   * When the source emits while the buffer is full and no receiver waits (default `'error'`):
   * - `'error'`: close the channel with `ChannelOverflowError` and unsubscribe (receivers get the
   *   values buffered before it, then the error);
   * - `'dropNewest'`: drop the value just emitted;
   * - `'dropOldest'`: drop the oldest buffered value to make room (needs `capacity >= 1`);
   * - `'unbounded'`: buffer everything (lossless, memory grows while receivers are slower).
   */
  overflow?: Overflow | undefined;
  /** Debug name of the channel. */
  name?: string | undefined;
}

const DEFAULT_CAPACITY = 1024;

/**
 * A channel fed by `source`. The subscription starts on the first receive (`recv`, `tryRecv`,
 * `recvCallback`, a `for await` step, or a select with a receive case on it), right after that
 * receive is set up, so a source that emits synchronously on subscribe hands its first value to
 * it. Completion closes the channel, an error closes it with that error, and closing the channel
 * unsubscribes.
 *
 * An Observable is a push source: it cannot be paused, so a value emitted while the buffer is
 * full goes through `overflow`. The default, `'error'` with a buffer of 1024, is the safe one:
 * memory stays bounded and nothing is lost silently (a source that outruns its receivers by
 * more than 1024 values fails loudly with `ChannelOverflowError`). Choose a dropping mode for
 * lossy streams (latest price, mouse moves) and `'unbounded'` only for sources known to be finite.
 *
 * The result is an ordinary gorx channel: it works with `select`, `range` and every adapter.
 *
 * Leaving a `for await (const v of ch)` loop early (`break`, `return`, a throw in the body)
 * ends the subscription, as every other Observable-to-iterable bridge does: the loop's pending
 * receive is withdrawn and the channel is closed, which unsubscribes the source. Values already
 * buffered are not lost: a closed channel still drains, so `tryRecv()`/`recv()` (or another
 * loop) receive them before seeing it closed. To stop a loop and resume later with the
 * subscription kept, iterate with `range(ch)` (or call `recv()` in a loop): leaving those
 * withdraws the pending receive and nothing else.
 *
 * @example
 * ```ts
 * import { toChannel } from 'gorx/rxjs';
 * import { after, recv, select } from 'gorx';
 * import { interval, take } from 'rxjs';
 *
 * const ticks = toChannel(interval(10).pipe(take(3)), { capacity: 1, overflow: 'dropOldest' });
 * const first = await select([recv(ticks), recv(after(1000))]);
 * if (first.index === 0) console.log('first tick', first.value); // 0
 * for await (const n of ticks) console.log(n); // 1, 2
 * ```
 */
export function toChannel<T>(source: Observable<T>, options?: ToChannelOptions): Chan<T> {
  if (source === null || typeof source !== 'object' || typeof source.subscribe !== 'function') {
    throw new TypeError('toChannel: source must be an Observable');
  }
  const overflow = options?.overflow ?? 'error';
  if (!['error', 'dropNewest', 'dropOldest', 'unbounded'].includes(overflow)) {
    throw new TypeError(`toChannel: unknown overflow ${JSON.stringify(overflow)}`);
  }
  const capacity = overflow === 'unbounded' ? Infinity : (options?.capacity ?? DEFAULT_CAPACITY);
  if (overflow === 'dropOldest' && capacity === 0) {
    throw new RangeError("toChannel: overflow 'dropOldest' needs a capacity of at least 1");
  }
  let subscriber: Subscriber<T> | null = null;
  const stop = (): void => {
    const s = subscriber;
    subscriber = null;
    s?.unsubscribe();
  };
  const push = (v: T): void => {
    if (ch.closed) return;
    if (ch.trySend(v)) return;
    switch (overflow) {
      case 'dropNewest':
        return;
      case 'dropOldest':
        ch.tryRecv();
        ch.trySend(v);
        return;
      default:
        ch.close(new ChannelOverflowError(ch.capacity));
    }
  };
  const subscribe = (): void => {
    // Subscribing through a wrapper hands us RxJS's own Subscriber before the source runs, so an
    // overflow or a close inside a synchronous firehose stops it at once.
    new Observable<T>((s) => {
      subscriber = s;
      return source.subscribe(s);
    }).subscribe({
      next: push,
      error: (e: unknown) => {
        subscriber = null;
        if (!ch.closed) ch.close(asError(e));
      },
      complete: () => {
        subscriber = null;
        if (!ch.closed) ch.close();
      },
    });
  };
  const ch = chan<T>(capacity, { name: options?.name, onDemand: subscribe, onClose: stop });
  return closingOnBreak(ch);
}

/**
 * Gives `ch` a `for await` iterator whose `return()` (a `break` or a throw out of the loop) also
 * closes the channel, so the source is unsubscribed. `range(ch)` keeps the core iterator, which
 * only withdraws its pending receive: that is the documented way to leave and resume.
 */
function closingOnBreak<T>(ch: Chan<T>): Chan<T> {
  const iterate = ch[Symbol.asyncIterator].bind(ch);
  Object.defineProperty(ch, Symbol.asyncIterator, {
    configurable: true,
    value: (): AsyncIterableIterator<T> => {
      const it = iterate();
      const closing: AsyncIterableIterator<T> = {
        next: () => it.next(),
        // Synchronous: the source is unsubscribed before the loop's code after `break` runs.
        return: () => {
          const done = it.return!();
          if (!ch.closed) ch.close();
          return done;
        },
        [Symbol.asyncIterator]: () => closing,
      };
      return closing;
    },
  });
  return ch;
}
