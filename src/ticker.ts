/** @module */
import { chan } from './chan.js';
import { currentClock } from './clock.js';
import type { RecvChan } from './types.js';
import { checkMs } from './internal/validate.js';

/** A running ticker: `c` receives the time (as `Date.now()`) every period; `stop()` ends it. */
export interface Ticker {
  /** Receives a tick every period. Holds at most one tick: a slow receiver skips ticks (as Go). */
  readonly c: RecvChan<number>;
  /** Stops the ticker. No more ticks are sent; the channel is not closed (as Go). Idempotent. */
  stop(): void;
}

/**
 * Go's `time.NewTicker`: `c` receives the time every `ms` milliseconds (`Date.now()`, or the
 * installed clock's `now()`, see `installClock`). Always `stop()` it.
 *
 * @example
 * ```ts
 * import { ticker } from 'gorx';
 *
 * const t = ticker(100);
 * for (let i = 0; i < 3; i++) console.log('tick at', await t.c.recv());
 * t.stop();
 * ```
 */
export function ticker(ms: number): Ticker {
  checkMs(ms, 'ticker', false);
  const c = chan<number>(1, { name: `ticker(${ms})` });
  const clock = currentClock(); // cleared by the clock that armed it, even if another is current
  let id: unknown = clock.setInterval(() => c.trySend(clock.now()), ms);
  return {
    c,
    stop(): void {
      if (id !== undefined) clock.clearInterval(id);
      id = undefined;
    },
  };
}
