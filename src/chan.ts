/**
 * Channels: Go's typed conduits between concurrent code, on Node's event loop.
 * @module
 */
import { Channel } from './internal/channel.js';
import type { RecvCallback } from './internal/waiter.js';

export type { RecvCallback };

/** Options of `chan()`. */
export interface ChanOptions {
  /** Debug name, shown in deadlock reports, `dumpGoroutines()` and `util.inspect`. */
  name?: string;
  /**
   * For adapters that feed a channel from a lazy source: called once, synchronously, right after
   * the first receive-side operation (`recv`, `tryRecv`, `recvCallback`, a `for await` step, or a
   * select with a receive case on this channel) has been set up, so a source that emits at once
   * finds that receiver waiting. If it throws, the channel is closed with the error.
   */
  onDemand?: () => void;
  /** For adapters: called once, synchronously, at the end of `close(error)`. */
  onClose?: (error: Error | undefined) => void;
}

/**
 * Options of a blocking operation (`send`, `recv`, `select`, `sleep`, `range`, `WaitGroup.wait`).
 * Inside a goroutine, pass its context itself: `await ch.recv(ctx)` ties the operation to the
 * goroutine (a kill withdraws it and it rejects with the `GoroutineExit`), like
 * `{ signal: ctx.signal }` but without creating the AbortController behind `ctx.signal`.
 */
export interface OpOptions {
  /** Aborting withdraws the operation (it never takes or gives a value) and rejects with the reason. */
  signal?: AbortSignal;
}

/** Options of `recvCallback`. */
export interface RecvCallbackOptions {
  /** Keep receiving while the callback returns `true` (default false: one value). */
  repeat?: boolean;
}

/** Result of `tryRecv()`: a value, or why there is none (`closed: true` once closed and drained). */
export type TryRecvResult<T> = { ok: true; value: T } | { ok: false; closed: boolean };

/** Read-only facts shared by both directions of a channel. */
export interface ChanInfo {
  /** Go's `cap`: 0 unbuffered, `n` buffered, `Infinity` unbounded. */
  readonly capacity: number;
  /** Go's `len`: values waiting in the buffer. */
  readonly length: number;
  /** True once `close()` has been called (buffered values may still be received). */
  readonly closed: boolean;
  /** The debug name given to `chan()`, if any. */
  readonly name: string | undefined;
}

/**
 * The sending side of a channel (Go's `chan<- T`): it has no `recv`.
 *
 * @example
 * ```ts
 * import { chan, type SendChan } from 'gorx';
 *
 * async function produce(out: SendChan<number>): Promise<void> {
 *   for (let i = 0; i < 3; i++) await out.send(i);
 *   out.close();
 * }
 * const ch = chan<number>(3);
 * await produce(ch);
 * ```
 */
export interface SendChan<T> extends ChanInfo {
  /**
   * Hands `value` to the longest-waiting receiver, else buffers it, else blocks (FIFO among
   * blocked senders). Rejects `ChannelClosedError` if the channel is or becomes closed (the value
   * is then dropped). Abort rejects with `signal.reason` and withdraws the send.
   */
  send(value: T, opts?: OpOptions): Promise<void>;
  /** Non-blocking send: true if delivered or buffered. Throws `ChannelClosedError` when closed. */
  trySend(value: T): boolean;
  /**
   * Closes the channel. Receivers drain the buffer, then end (`for await`) or reject with
   * `ChannelClosedError`, or with `error` when given. Blocked senders reject. Closing twice throws.
   */
  close(error?: Error): void;
}

/**
 * The receiving side of a channel (Go's `<-chan T`): it has no `send` or `close`.
 *
 * @example
 * ```ts
 * import { chan, type RecvChan } from 'gorx';
 *
 * async function sum(input: RecvChan<number>): Promise<number> {
 *   let total = 0;
 *   for await (const n of input) total += n;
 *   return total;
 * }
 * const ch = chan<number>(2);
 * await ch.send(1);
 * await ch.send(2);
 * ch.close();
 * console.log(await sum(ch)); // 3
 * ```
 */
export interface RecvChan<T> extends ChanInfo, AsyncIterable<T> {
  /**
   * Takes from a waiting sender or the buffer in FIFO order, else blocks. A closed channel drains
   * its buffer first, then rejects `ChannelClosedError` (or the close error). Abort withdraws the
   * receive: a withdrawn receive never takes a value.
   */
  recv(opts?: OpOptions): Promise<T>;
  /** Non-blocking receive. */
  tryRecv(): TryRecvResult<T>;
  /**
   * Low-level receive for adapters: `callback(value, ok, closeError)` runs synchronously at the
   * moment of hand-off (or at once when a value is ready). `ok` is false when the channel is closed
   * and drained. With `{ repeat: true }`, a callback that returns `true` after a value receives
   * again with the same registration (a persistent receiver: ready values are delivered in a
   * loop, then it waits at the tail of the queue like any receiver). Returns a function that
   * withdraws the pending receive: it returns true if it did, false if nothing was pending.
   */
  recvCallback(callback: RecvCallback<T>, options?: RecvCallbackOptions): () => boolean;
  /** `for await` receives until the channel is closed and drained; `break` withdraws the pending receive. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T>;
}

/**
 * A channel: both a `SendChan<T>` and a `RecvChan<T>`.
 *
 * @example
 * ```ts
 * import { chan } from 'gorx';
 *
 * const ch = chan<string>(); // unbuffered: a send waits for a receiver
 * const sent = ch.send('ping');
 * console.log(await ch.recv()); // 'ping'
 * await sent;
 * ```
 */
export interface Chan<T> extends SendChan<T>, RecvChan<T> {}

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
      `chan: capacity must be 0, a positive integer or Infinity, got ${String(capacity)}`,
    );
  }
  if (options !== undefined) {
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw new TypeError('chan: options.name must be a string');
    }
    if (options.onDemand !== undefined && typeof options.onDemand !== 'function') {
      throw new TypeError('chan: options.onDemand must be a function');
    }
    if (options.onClose !== undefined && typeof options.onClose !== 'function') {
      throw new TypeError('chan: options.onClose must be a function');
    }
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
