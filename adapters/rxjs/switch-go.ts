/**
 * `switchGo`: kill-on-supersede as an RxJS operator.
 * @module
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { go, GoroutineExit, SupersededError, type Goroutine } from 'gorx';
import { reportLater } from './internal/report-later.js';
import { forwardSource } from './internal/run-go.js';
import type { GoWork } from './go-work.js';

/**
 * Options of `switchGo`.
 *
 * @example
 * ```ts
 * import { dumpGoroutines } from 'gorx';
 * import { switchGo, type SwitchGoOptions } from 'gorx/rxjs';
 * import { of } from 'rxjs';
 *
 * const options: SwitchGoOptions = { name: 'search' }; // shown by dumpGoroutines()
 * of('q').pipe(switchGo(async (q) => q, options)).subscribe(() => console.log(dumpGoroutines()));
 * ```
 */
export interface SwitchGoOptions {
  /** Debug name of the goroutines (default `'switchGo'`). */
  name?: string | undefined;
}

/**
 * `switchMap` for goroutines. Each source value starts `go((ctx) => fn(value, ctx))` and its
 * return value is emitted. A new value kills the running goroutine with a `SupersededError`
 * (its `finally` blocks run) and starts the next one only after that cleanup has finished, so
 * two runs never overlap. Values that arrive while a superseded run is still cleaning up replace
 * each other: only the latest one starts.
 *
 * A goroutine's error errors the output (an error thrown by the `finally` of a superseded run
 * too: it is never swallowed). The output completes when the source has completed and the last
 * goroutine has returned. Unsubscribing kills the running goroutine (its `GoroutineExit` reason
 * is `'unsubscribed'`).
 *
 * @example
 * ```ts
 * import { sleep } from 'gorx';
 * import { switchGo } from 'gorx/rxjs';
 * import { Subject } from 'rxjs';
 *
 * const queries = new Subject<string>();
 * queries
 *   .pipe(
 *     switchGo(async (q, ctx) => {
 *       try {
 *         await sleep(100, { signal: ctx.signal }); // a superseded search stops here
 *         return `results for ${q}`;
 *       } finally {
 *         console.log('released', q); // runs before the next search starts
 *       }
 *     }),
 *   )
 *   .subscribe((r) => console.log(r));
 * queries.next('go');
 * queries.next('gorx'); // kills the 'go' search first
 * ```
 */
export function switchGo<T, R>(
  fn: GoWork<T, R>,
  options?: SwitchGoOptions,
): OperatorFunction<T, R> {
  if (typeof fn !== 'function') throw new TypeError('switchGo: fn must be a function');
  const name = options?.name ?? 'switchGo';
  return (source) =>
    new Observable<R>((subscriber) => {
      let running: Goroutine<R> | null = null;
      /** Set while a superseded run cleans up; the next run waits for it. */
      let cleaning = false;
      let waiting: { value: T } | null = null;
      /** Goroutines started whose outcome has not been handled yet. */
      let active = 0;
      let sourceDone = false;

      const maybeComplete = (): void => {
        if (sourceDone && active === 0 && !cleaning && waiting === null) subscriber.complete();
      };

      const start = (value: T): void => {
        active++;
        const g = go<R>((ctx) => fn(value, ctx), { name });
        running = g;
        g.done.then(
          (result) => {
            active--;
            if (running === g) running = null;
            if (subscriber.closed) return;
            subscriber.next(result);
            maybeComplete();
          },
          (error: unknown) => {
            active--;
            if (running === g) running = null;
            if (
              error instanceof GoroutineExit &&
              (error instanceof SupersededError || subscriber.closed)
            ) {
              maybeComplete();
              return;
            }
            if (subscriber.closed) reportLater(error);
            else subscriber.error(error);
          },
        );
      };

      const onValue = (value: T): void => {
        waiting = { value };
        if (cleaning) return;
        const g = running;
        // A run that already ended (its outcome is queued) needs no kill.
        if (g === null || g.state === 'returned' || g.state === 'failed' || g.state === 'killed') {
          waiting = null;
          start(value);
          return;
        }
        running = null;
        cleaning = true;
        void g.kill(new SupersededError()).then(() => {
          cleaning = false;
          if (subscriber.closed) return;
          const w = waiting;
          waiting = null;
          if (w !== null) start(w.value);
          else maybeComplete();
        });
      };

      const sub = forwardSource(source, subscriber, onValue, () => {
        sourceDone = true;
        maybeComplete();
      });
      return () => {
        sub.unsubscribe();
        waiting = null;
        const g = running;
        running = null;
        if (g !== null) void g.kill('unsubscribed');
      };
    });
}
