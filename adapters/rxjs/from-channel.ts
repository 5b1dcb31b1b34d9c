/**
 * `fromChannel`: a channel as a cold Observable whose subscribers compete for values.
 * @module
 */
import { Observable } from 'rxjs';
import type { RecvChan } from 'gorx';

/**
 * Receives from `ch` for each subscriber (subscribers compete, as receivers do) until the
 * channel is closed and drained: then it completes, or errors with the close error.
 *
 * Each value is emitted synchronously at the moment of hand-off (`ch.recvCallback`), and the
 * next receive is posted only after `next()` has returned and only if the subscriber is still
 * open. Buffered values are therefore drained synchronously, one at a time, and the drain stops
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
    let cancel: (() => boolean) | null = null;
    // Trampoline: a ready value runs onValue inside recvCallback; posting the next receive from
    // there would recurse once per buffered value, so the loop below posts it instead.
    let looping = false;
    let again = false;

    const onValue = (value: T | undefined, ok: boolean, error: unknown): void => {
      cancel = null;
      if (subscriber.closed) return;
      if (!ok) {
        if (error !== undefined) subscriber.error(error);
        else subscriber.complete();
        return;
      }
      subscriber.next(value as T);
      if (!subscriber.closed) receive();
    };

    const receive = (): void => {
      if (looping) {
        again = true;
        return;
      }
      looping = true;
      try {
        do {
          again = false;
          const c = ch.recvCallback(onValue);
          // Still parked only if onValue has not run synchronously.
          if (!again && !subscriber.closed) cancel = c;
        } while (again && !subscriber.closed);
      } finally {
        looping = false;
      }
    };

    receive();
    return () => {
      const c = cancel;
      cancel = null;
      c?.();
    };
  });
}
