/**
 * `fromChannel`: a channel as a cold Observable whose subscribers compete for values.
 * @module
 */
import { Observable } from 'rxjs';
import type { RecvChan } from 'gorx';

const REPEAT = { repeat: true } as const;

/**
 * Receives from `ch` for each subscriber (subscribers compete, as receivers do) until the
 * channel is closed and drained: then it completes, or errors with the close error.
 *
 * Each value is emitted synchronously at the moment of hand-off (`ch.recvCallback`, as a
 * persistent receiver), and the next receive is posted only after `next()` has returned and only
 * if the subscriber is still open. Buffered values are therefore drained synchronously, one at a time, and the drain stops
 * the moment the subscriber closes: `take(1)` on a channel holding 10 values leaves 9.
 * Unsubscribing withdraws the pending receive synchronously, so `take`, `race`, `switchMap`,
 * `takeUntil` and friends never lose or duplicate a value that was sent.
 *
 * @example
 * ```ts
 * import { chan } from 'gorx';
 * import { fromChannel } from 'gorx/rxjs';
 * import { take } from 'rxjs';
 *
 * const ch = chan<number>(10);
 * for (let i = 0; i < 10; i++) ch.trySend(i);
 * fromChannel(ch)
 *   .pipe(take(1))
 *   .subscribe((v) => console.log(v)); // 0
 * console.log(ch.length); // 9
 * ```
 */
export function fromChannel<T>(ch: RecvChan<T>): Observable<T> {
  if (ch === null || typeof ch !== 'object' || typeof ch.recvCallback !== 'function') {
    throw new TypeError('fromChannel: expected a channel');
  }
  return new Observable<T>((subscriber) => {
    // A persistent receiver: returning true asks for the next value. Values ready in the buffer
    // are delivered in a loop that stops the moment the subscriber closes (take(1) leaves the rest).
    const cancel = ch.recvCallback((value, ok, error) => {
      if (subscriber.closed) return false;
      if (!ok) {
        if (error !== undefined) subscriber.error(error);
        else subscriber.complete();
        return false;
      }
      subscriber.next(value as T);
      return !subscriber.closed;
    }, REPEAT);
    return () => {
      cancel();
    };
  });
}
