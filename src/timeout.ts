/** @module */
import { currentClock } from './clock.js';
import { TimeoutError } from './errors.js';
import { AbortCallback, listen, unlisten } from './internal/signal-hub.js';
import { checkFunction, checkMs, checkOptions } from './internal/validate.js';
import { afterCompletionsInFlight, completionsInFlight } from './internal/yield.js';
import type { SignalOptions } from './types.js';

/**
 * Runs `fn` with an AbortSignal and a deadline (stacklesslib's timeout context manager). If `fn`
 * has not settled after `ms` milliseconds, its signal is aborted with a `TimeoutError` and the
 * returned promise rejects with it; whatever `fn` settles with later is ignored. One exception
 * keeps values safe: an operation that had already taken its value when the deadline passed (its
 * completion still on its way, see the starvation guard in docs/channels.md) is not undone, and
 * `timeout` then returns what `fn` returns. A timed-out operation either took nothing or its
 * value is returned.
 * Work that ignores the signal keeps running: pass the signal on to every operation.
 *
 * @example
 * ```ts
 * import { chan, timeout, TimeoutError } from 'gorx';
 *
 * const replies = chan<string>();
 * try {
 *   const reply = await timeout(100, (signal) => replies.recv({ signal }));
 *   console.log(reply);
 * } catch (e) {
 *   if (e instanceof TimeoutError) console.log('no reply within', e.ms, 'ms');
 * }
 * ```
 */
export function timeout<R>(
  ms: number,
  fn: (signal: AbortSignal) => Promise<R> | R,
  opts?: SignalOptions,
): Promise<R> {
  checkMs(ms, 'timeout');
  checkFunction(fn, 'timeout: fn');
  checkOptions(opts, 'timeout');
  const parent = opts?.signal;
  if (parent !== undefined && parent.aborted) return Promise.reject(parent.reason);
  const ac = new AbortController();
  const clock = currentClock();
  return new Promise<R>((resolve, reject) => {
    // 0: running; 1: the deadline passed, waiting for completions already decided; 2: settled.
    let phase = 0;
    let outcome: { ok: boolean; value: unknown } | null = null;
    const settle = (ok: boolean, value: unknown): void => {
      phase = 2;
      clock.clearTimeout(timer);
      if (link !== null) unlisten(link);
      if (ok) resolve(value as R);
      else reject(value);
    };
    const link =
      parent === undefined
        ? null
        : new AbortCallback((reason) => {
            if (phase === 2) return;
            ac.abort(reason);
            settle(false, reason);
          });
    const verdict = (e: TimeoutError): void => {
      if (phase === 2) return;
      // An operation that took its value before the deadline returns it (see the doc above).
      if (outcome !== null) settle(outcome.ok, outcome.value);
      else settle(false, e);
    };
    const timer = clock.setTimeout(() => {
      if (phase !== 0) return;
      phase = 1;
      const e = new TimeoutError(ms);
      ac.abort(e);
      // Completions decided before the deadline may still be on their way (the starvation guard
      // delivers them in a later macrotask): wait for those, never for fn's further work.
      if (completionsInFlight()) afterCompletionsInFlight(() => verdict(e));
      else verdict(e);
    }, ms);
    if (link !== null) listen(parent!, link);
    let p: Promise<R>;
    try {
      p = Promise.resolve(fn(ac.signal));
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (v) => {
        if (phase === 0) settle(true, v);
        else if (phase === 1) outcome = { ok: true, value: v };
      },
      (e: unknown) => {
        if (phase === 0) settle(false, e);
        else if (phase === 1) outcome = { ok: false, value: e };
      },
    );
  });
}
