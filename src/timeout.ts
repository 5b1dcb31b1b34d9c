/** @module */
import { TimeoutError } from './errors.js';
import { checkMs } from './internal/validate.js';
import type { SignalOptions } from './types.js';

/**
 * Runs `fn` with an AbortSignal and a deadline (stacklesslib's timeout context manager). If `fn`
 * has not settled after `ms` milliseconds, its signal is aborted with a `TimeoutError` and the
 * returned promise rejects with it at once; whatever `fn` settles with later is ignored.
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
  if (typeof fn !== 'function') throw new TypeError('timeout: fn must be a function');
  const parent = opts?.signal;
  if (parent !== undefined && parent.aborted) return Promise.reject(parent.reason);
  const ac = new AbortController();
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
      return true;
    };
    const onParentAbort = (): void => {
      if (!finish()) return;
      ac.abort(parent!.reason);
      reject(parent!.reason);
    };
    const timer = setTimeout(() => {
      if (!finish()) return;
      const e = new TimeoutError(ms);
      ac.abort(e);
      reject(e);
    }, ms);
    parent?.addEventListener('abort', onParentAbort, { once: true });
    let p: Promise<R>;
    try {
      p = Promise.resolve(fn(ac.signal));
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (v) => {
        if (finish()) resolve(v);
      },
      (e: unknown) => {
        if (finish()) reject(e);
      },
    );
  });
}
