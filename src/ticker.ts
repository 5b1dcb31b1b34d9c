/** @module */
import { chan } from './chan.js';
import type { RecvChan } from './types.js';
import { checkMs } from './internal/validate.js';

/** A running ticker: `c` receives `Date.now()` every period; `stop()` ends it. */
export interface Ticker {
  /** Receives a tick every period. Holds at most one tick: a slow receiver skips ticks (as Go). */
  readonly c: RecvChan<number>;
  /** Stops the ticker. No more ticks are sent; the channel is not closed (as Go). Idempotent. */
  stop(): void;
}

/**
 * Go's `time.NewTicker`: `c` receives `Date.now()` every `ms` milliseconds. Always `stop()` it.
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
  let id: ReturnType<typeof setInterval> | undefined = setInterval(() => c.trySend(Date.now()), ms);
  const clear = clearInterval; // the one that matches the setInterval above, even if swapped later
  return {
    c,
    stop(): void {
      if (id !== undefined) clear(id);
      id = undefined;
    },
  };
}
