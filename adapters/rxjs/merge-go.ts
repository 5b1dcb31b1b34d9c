/**
 * `mergeGo`: a pool of goroutines over the values of an Observable.
 * @module
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { Goroutine } from 'gorx';
import { killAll, forwardSource, runGo } from './internal/run-go.js';
import type { GoWork } from './go-work.js';

/**
 * Options of `mergeGo`.
 *
 * @example
 * ```ts
 * import { mergeGo, type MergeGoOptions } from 'gorx/rxjs';
 * import { range } from 'rxjs';
 *
 * const options: MergeGoOptions = { concurrency: 4, name: 'thumbnailer' };
 * range(0, 10)
 *   .pipe(mergeGo(async (n) => n * 2, options))
 *   .subscribe((n) => console.log(n));
 * ```
 */
export interface MergeGoOptions {
  /** Goroutines running at once (default `Infinity`): a positive integer or `Infinity`. */
  concurrency?: number | undefined;
  /** Debug name of the goroutines (default `'mergeGo'`). */
  name?: string | undefined;
}

/**
 * `mergeMap` for goroutines. Each source value runs `go((ctx) => fn(value, ctx))`, at most
 * `concurrency` at a time, and each return value is emitted as its goroutine returns (so in
 * completion order). Values that arrive while the pool is full wait in an unbounded FIFO buffer,
 * as in `mergeMap`: limit the source (or use a channel with backpressure) if it can outrun the
 * pool for long.
 *
 * A goroutine's error errors the output and kills the other goroutines. The output completes
 * when the source has completed and every goroutine has returned. Unsubscribing drops the
 * buffered values and kills every running goroutine (`GoroutineExit` reason `'unsubscribed'`).
 *
 * @example
 * ```ts
 * import { sleep } from 'gorx';
 * import { mergeGo } from 'gorx/rxjs';
 * import { from } from 'rxjs';
 *
 * // 3 and 1 start; 1 ends at 10 ms and 4 takes its place (until 50 ms); 3 ends at 30 ms.
 * from([3, 1, 4])
 *   .pipe(
 *     mergeGo(
 *       async (n, ctx) => {
 *         await sleep(n * 10, { signal: ctx.signal });
 *         return n;
 *       },
 *       { concurrency: 2 },
 *     ),
 *   )
 *   .subscribe((n) => console.log(n)); // 1, 3, 4
 * ```
 */
export function mergeGo<T, R>(fn: GoWork<T, R>, options?: MergeGoOptions): OperatorFunction<T, R> {
  if (typeof fn !== 'function') throw new TypeError('mergeGo: fn must be a function');
  const concurrency = options?.concurrency ?? Infinity;
  if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
    throw new RangeError(
      `mergeGo: concurrency must be a positive integer or Infinity, got ${String(concurrency)}`,
    );
  }
  const name = options?.name ?? 'mergeGo';
  return (source) =>
    new Observable<R>((subscriber) => {
      const running = new Set<Goroutine<R>>();
      const buffer: T[] = [];
      let head = 0;
      let sourceDone = false;

      const start = (value: T): void => runGo(fn, value, name, subscriber, running, next);

      /** Starts buffered values while the pool has room; completes when all is done. */
      const next = (): void => {
        while (running.size < concurrency && head < buffer.length && !subscriber.closed) {
          const v = buffer[head]!;
          buffer[head++] = undefined as T;
          if (head > 1024 && head * 2 > buffer.length) {
            buffer.splice(0, head);
            head = 0;
          }
          start(v);
        }
        if (sourceDone && running.size === 0 && head >= buffer.length) subscriber.complete();
      };

      const sub = forwardSource(
        source,
        subscriber,
        (v) => {
          if (running.size < concurrency) start(v);
          else buffer.push(v);
        },
        () => {
          sourceDone = true;
          next();
        },
      );
      return () => {
        sub.unsubscribe();
        buffer.length = 0;
        head = 0;
        killAll(running);
      };
    });
}
