/** @module */
import { chan } from './chan.js';
import { currentClock } from './clock.js';
import type { RecvChan } from './types.js';
import { checkMs } from './internal/validate.js';

/**
 * Go's `time.After`: a channel that receives the time (`Date.now()`, or the installed clock's
 * `now()`, see `installClock`) once, `ms` milliseconds from now.
 * Handy as a timeout case in `select`. The timer runs until it fires even if nobody receives;
 * in a hot loop prefer `select(cases, { signal })` with a timeout signal you clear yourself.
 *
 * @example
 * ```ts
 * import { after, chan, recv, select } from 'gorx';
 *
 * const replies = chan<string>();
 * const r = await select([recv(replies), recv(after(50))]);
 * if (r.index === 1) console.log('timeout');
 * ```
 */
export function after(ms: number): RecvChan<number> {
  checkMs(ms, 'after');
  const c = chan<number>(1, { name: `after(${ms})` });
  const clock = currentClock();
  clock.setTimeout(() => c.trySend(clock.now()), ms);
  return c;
}
