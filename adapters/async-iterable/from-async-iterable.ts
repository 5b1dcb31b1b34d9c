/**
 * `fromAsyncIterable`: an async (or sync) iterable as a channel, pulled with backpressure.
 * @module
 */
import { chan, go, type RecvChan } from 'gorx';
import { asError } from '../internal/as-error.js';

/**
 * Options of `fromAsyncIterable`.
 *
 * @example
 * ```ts
 * import { fromAsyncIterable, type FromAsyncIterableOptions } from 'gorx/async-iterable';
 *
 * const ac = new AbortController();
 * const options: FromAsyncIterableOptions = { capacity: 16, signal: ac.signal, name: 'lines' };
 * const lines = fromAsyncIterable(['a', 'b'], options);
 * console.log(await lines.recv()); // 'a'
 * ac.abort();
 * ```
 */
export interface FromAsyncIterableOptions {
  /** Buffer of the returned channel (default 0: unbuffered). */
  capacity?: number | undefined;
  /**
   * Aborting it stops the pump: the source's `return()` is called, the value the pump holds is
   * dropped and the channel is closed with `signal.reason`.
   */
  signal?: AbortSignal | undefined;
  /** Debug name of the channel and of its pump goroutine. */
  name?: string | undefined;
}

/**
 * Turns an async iterable (or a plain iterable) into a channel, pulled lazily by one pump
 * goroutine that does `await ch.send(value)` for each value.
 *
 * Backpressure, precisely: the pump asks the source for the next value only after its previous
 * send has completed, so at most `capacity + 1` values have left the source ahead of the
 * receivers: `capacity` in the buffer plus one held by the pump's blocked send (with the default
 * capacity 0 that is Go's producer blocked in `ch <- v`). Nothing is requested before the first
 * receive on the channel (or a select with a receive case on it): the pump starts then.
 *
 * Ending: the channel is closed when the source ends, and closed with the source's error when it
 * throws (receivers drain the buffer first, then see the error). When `signal` aborts, the
 * source's `return()` is called at once, the value held by the pump is dropped and the channel
 * is closed with `signal.reason`. `RecvChan` has no `close`: a consumer that stops early (a
 * `break`, a lost `select`) stops the source through `signal`; without it the pump stays blocked
 * (it shows in `dumpGoroutines()`) and, if the process runs out of work, ends with the deadlock
 * report and then calls `return()`.
 *
 * @example
 * ```ts
 * import { fromAsyncIterable } from 'gorx/async-iterable';
 *
 * async function* lines(): AsyncGenerator<string> {
 *   try {
 *     yield 'a';
 *     yield 'b';
 *     yield 'c';
 *   } finally {
 *     console.log('source released');
 *   }
 * }
 * const ac = new AbortController();
 * const ch = fromAsyncIterable(lines(), { signal: ac.signal });
 * for await (const line of ch) {
 *   console.log(line);
 *   if (line === 'b') break;
 * }
 * ac.abort(); // 'source released'
 * ```
 */
export function fromAsyncIterable<T>(
  source: AsyncIterable<T> | Iterable<T>,
  options?: FromAsyncIterableOptions,
): RecvChan<T> {
  const { capacity = 0, signal, name } = options ?? {};
  const iterate = iteratorOf(source);
  // Lazy: the pump starts at the first receive (onDemand), so nothing is pulled before that.
  let started = false;
  const onEarlyAbort = (): void => {
    if (started) return;
    started = true;
    returnQuietly(iterate);
    if (!ch.closed) ch.close(asError(signal?.reason));
  };
  const start = (): void => {
    if (started) return;
    started = true;
    signal?.removeEventListener('abort', onEarlyAbort);
    pump();
  };
  const ch = chan<T>(capacity, { name, onDemand: start });
  if (signal?.aborted) {
    started = true;
    ch.close(asError(signal.reason));
    return ch;
  }
  signal?.addEventListener('abort', onEarlyAbort, { once: true });
  const pumpName = name !== undefined ? `fromAsyncIterable(${name})` : 'fromAsyncIterable';
  const pump = (): unknown =>
    go(
      async (ctx) => {
        let it: AsyncIterator<T> | Iterator<T>;
        try {
          it = iterate();
        } catch (e) {
          ch.close(asError(e));
          return;
        }
        let released = false;
        const release = (): void => {
          if (released) return;
          released = true;
          returnQuietly(() => it);
        };
        let aborted!: () => void;
        // A source may never answer a pending next(): the pump must not outlive an abort for it.
        const abortedP = new Promise<undefined>((resolve) => (aborted = () => resolve(undefined)));
        const onAbort = (): void => {
          release();
          if (!ch.closed) ch.close(asError(signal?.reason ?? ctx.signal.reason));
          aborted();
        };
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        try {
          for (;;) {
            let r: IteratorResult<T> | undefined;
            try {
              r = await Promise.race([it.next(), abortedP]);
            } catch (e) {
              released = true; // a throwing iterator is finished: no return() owed
              if (!ch.closed) ch.close(asError(e));
              return;
            }
            if (r === undefined || ctx.signal.aborted) return;
            if (r.done === true) {
              released = true;
              ch.close();
              return;
            }
            await ch.send(r.value, { signal: ctx.signal });
          }
        } catch (e) {
          // The send failed: killed (onAbort did the rest) or the process deadlocked with nobody
          // left to receive. Release the source and end quietly: there is nobody to report to.
          release();
          if (!ch.closed) ch.close(asError(e));
        } finally {
          ctx.signal.removeEventListener('abort', onAbort);
        }
      },
      { name: pumpName, signal },
    );
  return ch;
}

/**
 * Calls the source iterator's `return()`. An async generator queues it behind a pending next(),
 * and whatever it throws or rejects with is not ours to report.
 */
function returnQuietly<T>(get: () => AsyncIterator<T> | Iterator<T>): void {
  try {
    Promise.resolve(get().return?.()).catch(() => {});
  } catch {
    // A source whose iterator cannot even be made has nothing to release.
  }
}

function iteratorOf<T>(
  source: AsyncIterable<T> | Iterable<T>,
): () => AsyncIterator<T> | Iterator<T> {
  if (source !== null && typeof source === 'object') {
    const a = (source as AsyncIterable<T>)[Symbol.asyncIterator];
    if (typeof a === 'function') return () => a.call(source);
    const s = (source as Iterable<T>)[Symbol.iterator];
    if (typeof s === 'function') return () => s.call(source);
  }
  if (typeof source === 'string') return () => (source as Iterable<T>)[Symbol.iterator]();
  throw new TypeError('fromAsyncIterable: source must be an async iterable or an iterable');
}
