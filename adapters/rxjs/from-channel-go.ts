/**
 * `fromChannelGo`: asynchronous processing of channel values with backpressure, as an Observable.
 * @module
 */
import { Observable } from 'rxjs';
import type { Goroutine, RecvChan } from 'gorx';
import type { GoWork } from './go-work.js';
import { killAll, runGo } from './internal/run-go.js';

/**
 * Options of `fromChannelGo`.
 *
 * @example
 * ```ts
 * import { chan } from 'gorx';
 * import { fromChannelGo, type FromChannelGoOptions } from 'gorx/rxjs';
 *
 * const options: FromChannelGoOptions = { concurrency: 4, name: 'resizer' };
 * const jobs = chan<number>();
 * const sub = fromChannelGo(jobs, async (n) => n * 2, options).subscribe();
 * sub.unsubscribe();
 * ```
 */
export interface FromChannelGoOptions {
  /**
   * Values processed at once (default 1): a positive integer. A value is received from the
   * channel only when fewer than `concurrency` goroutines are running.
   */
  concurrency?: number | undefined;
  /** Debug name of the goroutines (default `'fromChannelGo'`). */
  name?: string | undefined;
}

const NOTHING_PENDING = (): boolean => false;

/**
 * Processes the values of `ch` asynchronously, with backpressure and without losing a value:
 * each value runs `go((ctx) => fn(value, ctx))`, and the next value is received only when one of
 * the `concurrency` slots is free. Until then values stay in the channel, so its producer blocks
 * (or its buffer fills) as a Go consumer loop would make it. Emits each goroutine's return value
 * as it returns (in FIFO order with the default `concurrency: 1`, else in completion order).
 *
 * This is the lossless replacement for `fromChannel(ch).pipe(concatMap(...))` (or `mergeMap`,
 * `delay`, `observeOn`): those operators take values from `fromChannel` as fast as the channel
 * hands them out and buffer them, so a `take(n)` or unsubscribe after them drops what they
 * buffered, and a slow operator never slows the producer.
 *
 * Guarantees: a value leaves the channel only when a slot is free, and the receive is posted
 * only after the previous result's `next()` has returned and only if the subscriber is still
 * open, so `take(n)` downstream receives exactly `n` values with `concurrency: 1`. Unsubscribing
 * withdraws the pending receive synchronously (the value stays in the channel) and kills the
 * running goroutines (`GoroutineExit`, reason `'unsubscribed'`): with `concurrency > 1` those
 * values were already handed to `fn`, which sees the kill through `ctx.signal` (or its `finally`)
 * and owns them, as a killed Go worker owns the job it took. A close is seen, as in a Go worker
 * loop, by the next receive: at once while a slot is free, else when one frees. The output then
 * completes once every goroutine has returned, or errors with the close error (killing the
 * running ones). A goroutine's error errors the output (the others are killed).
 *
 * @example
 * ```ts
 * import { chan, go, sleep } from 'gorx';
 * import { fromChannelGo } from 'gorx/rxjs';
 * import { take } from 'rxjs';
 *
 * const jobs = chan<number>(1);
 * const producer = go(async (ctx) => {
 *   for (let i = 1; i <= 5; i++) await jobs.send(i, ctx);
 * });
 * fromChannelGo(jobs, async (n, ctx) => {
 *   await sleep(10, ctx); // slow work: the producer waits for us
 *   return n * 10;
 * })
 *   .pipe(take(2))
 *   .subscribe((r) => console.log(r)); // 10, then 20
 * await sleep(50);
 * console.log(jobs.length); // 1
 * console.log(await jobs.recv()); // 3
 * await producer.kill();
 * ```
 */
export function fromChannelGo<T, R>(
  ch: RecvChan<T>,
  fn: GoWork<T, R>,
  options?: FromChannelGoOptions,
): Observable<R> {
  if (ch === null || typeof ch !== 'object' || typeof ch.recvCallback !== 'function') {
    throw new TypeError(`fromChannelGo: ch must be a channel, got ${describe(ch)}`);
  }
  if (typeof fn !== 'function') {
    throw new TypeError(`fromChannelGo: fn must be a function, got ${describe(fn)}`);
  }
  const concurrency = options?.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(
      `fromChannelGo: options.concurrency must be a positive integer, got ${describe(concurrency)}` +
        ' (for no limit, use fromChannel(ch).pipe(mergeGo(fn)), which takes values as they come)',
    );
  }
  const name = options?.name ?? 'fromChannelGo';
  return new Observable<R>((subscriber) => {
    const running = new Set<Goroutine<R>>();
    let receiving = false;
    let cancel: () => boolean = NOTHING_PENDING;
    let drained = false;
    let pulling = false;

    const maybeComplete = (): void => {
      if (drained && running.size === 0) subscriber.complete();
    };

    const onReceive = (value: T | undefined, ok: boolean, error: unknown): void => {
      receiving = false;
      cancel = NOTHING_PENDING;
      if (!ok) {
        drained = true;
        if (error !== undefined) subscriber.error(error);
        else maybeComplete();
        return;
      }
      runGo(fn, value as T, name, subscriber, running, () => {
        maybeComplete();
        pull();
      });
      pull();
    };

    /** Posts one receive at a time while a slot is free; a loop, so a full buffer costs no stack. */
    const pull = (): void => {
      if (pulling) return;
      pulling = true;
      try {
        while (!receiving && !drained && !subscriber.closed && running.size < concurrency) {
          receiving = true;
          const c = ch.recvCallback(onReceive);
          if (receiving) cancel = c;
        }
      } finally {
        pulling = false;
      }
    };

    pull();
    return () => {
      cancel();
      receiving = false;
      killAll(running);
    };
  });
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'function') return 'a function';
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}
