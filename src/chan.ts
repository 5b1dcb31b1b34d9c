/**
 * Channels: Go's typed conduits between concurrent code, on Node's event loop.
 * @module
 */
import { Channel } from './internal/channel.js';
import { checkFunction, checkName, checkObject, describeValue } from './internal/validate.js';
import type { Chan, ChanOptions } from './types.js';

/**
 * Makes a channel. `capacity` 0 (default) is unbuffered (a send completes only when a receiver
 * takes the value), a positive integer is a FIFO buffer of that size, `Infinity` is unbounded (a
 * send never blocks). Anything else throws `RangeError`.
 *
 * @example
 * ```ts
 * import { chan } from 'gorx';
 *
 * const jobs = chan<number>(10, { name: 'jobs' });
 * jobs.trySend(1);
 * console.log(jobs.length, jobs.capacity); // 1 10
 * const events = chan<string>(Infinity); // never blocks a sender
 * await events.send('started');
 * ```
 */
export function chan<T>(capacity: number = 0, options?: ChanOptions): Chan<T> {
  if (
    typeof capacity !== 'number' ||
    !(capacity === Infinity || (Number.isInteger(capacity) && capacity >= 0))
  ) {
    throw new RangeError(
      `chan: capacity must be 0, a positive integer or Infinity, got ${describeValue(capacity)}`,
    );
  }
  checkObject(options, 'chan: options');
  if (options !== undefined) {
    checkName(options.name, 'chan: options.name');
    if (options.onDemand !== undefined) checkFunction(options.onDemand, 'chan: options.onDemand');
    if (options.onClose !== undefined) checkFunction(options.onClose, 'chan: options.onClose');
  }
  return new Channel<T>(capacity, options);
}

/**
 * True when `value` is a channel made by this copy of gorx.
 *
 * @example
 * ```ts
 * import { chan, isChan } from 'gorx';
 *
 * console.log(isChan(chan()), isChan({})); // true false
 * ```
 */
export function isChan(value: unknown): value is Chan<unknown> {
  return value instanceof Channel;
}
