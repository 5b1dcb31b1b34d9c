/**
 * The one goroutine-per-value runner of `mergeGo` and `fromChannelGo`, and the source forwarding
 * that `mergeGo` and `switchGo` share: the error and teardown rules live here once.
 */
import type { Observable, Subscriber, Subscription } from 'rxjs';
import { go, GoroutineExit, type Goroutine } from 'gorx';
import type { GoWork } from '../go-work.js';
import { reportLater } from './report-later.js';

/**
 * Starts `fn(value)` as a goroutine tracked in `running`. Its result is emitted, then `after()`
 * runs (both only while `subscriber` is open); its error errors `subscriber`. Once the subscriber
 * is closed, a kill is expected (teardown kills the running set) and any other error is surfaced
 * as an unhandled rejection rather than swallowed.
 */
export function runGo<T, R>(
  fn: GoWork<T, R>,
  value: T,
  name: string,
  subscriber: Subscriber<R>,
  running: Set<Goroutine<R>>,
  after: () => void,
): void {
  const g = go<R>((ctx) => fn(value, ctx), { name });
  running.add(g);
  g.done.then(
    (result) => {
      running.delete(g);
      if (subscriber.closed) return;
      subscriber.next(result);
      after();
    },
    (error: unknown) => {
      running.delete(g);
      if (!subscriber.closed) subscriber.error(error);
      else if (!(error instanceof GoroutineExit)) reportLater(error);
    },
  );
}

/**
 * Subscribes to an operator's `source`: values go to `next`, an error errors `subscriber` at
 * once, completion calls `complete` (which decides when the output completes).
 */
export function forwardSource<T>(
  source: Observable<T>,
  subscriber: Subscriber<unknown>,
  next: (value: T) => void,
  complete: () => void,
): Subscription {
  return source.subscribe({ next, error: (e: unknown) => subscriber.error(e), complete });
}

/** Teardown of a pool: kills every running goroutine (reason `'unsubscribed'`). */
export function killAll<R>(running: Set<Goroutine<R>>): void {
  const gs = [...running];
  running.clear();
  for (const g of gs) void g.kill('unsubscribed');
}
