/**
 * `select$`: Go's `select` as a one-shot Observable.
 * @module
 */
import { Observable } from 'rxjs';
import { selectCallback, type SelectCase, type SelectResult } from 'gorx';

/**
 * Performs `select(cases)` for each subscriber: emits the result of the one case that fired, at
 * the moment it commits, then completes. Errors as `select` rejects (a send case on a closed
 * channel, a rejected promise case). Unsubscribing before a case fired withdraws every case, so
 * a `select$` that loses a `race` (or is cut by `takeUntil`) never takes or gives a value.
 *
 * @example
 * ```ts
 * import { chan, recv, send } from 'gorx';
 * import { select$ } from 'gorx/rxjs';
 * import { race, timer, map } from 'rxjs';
 *
 * const jobs = chan<string>(1);
 * const results = chan<number>();
 * jobs.trySend('build');
 * race(
 *   select$([recv(jobs), send(results, 42)]),
 *   timer(1000).pipe(map(() => 'timed out' as const)),
 * ).subscribe((r) => {
 *   if (r === 'timed out') console.log(r);
 *   else if (r.index === 0 && r.ok) console.log('job', r.value); // 'job build'
 * });
 * ```
 */
export function select$<const Cs extends readonly SelectCase[]>(
  cases: Cs,
): Observable<SelectResult<Cs>> {
  return new Observable<SelectResult<Cs>>((subscriber) => {
    const cancel = selectCallback(
      cases,
      (result) => {
        subscriber.next(result);
        subscriber.complete();
      },
      (error) => subscriber.error(error),
    );
    return () => {
      cancel();
    };
  });
}
