/** @module */
import { type Clock, currentClock } from './clock.js';
import { GO_ON, Parked, park, rejectStopped, stopReason, unpark } from './internal/park.js';
import { checkMs } from './internal/validate.js';
import type { SignalOptions } from './types.js';

class SleepOp extends Parked {
  timer: unknown = undefined;
  /** The clock that armed the timer (fake timers or the installed clock may have changed since). */
  clock: Clock | null = null;
  constructor(
    private readonly ms: number,
    private resolve: (() => void) | null,
    private reject: ((e: unknown) => void) | null,
  ) {
    super();
  }
  fire(): void {
    if (this.resolve === null) return; // withdrawn, but its timer could not be cleared
    unpark(this);
    const resolve = this.resolve!;
    this.resolve = this.reject = null;
    resolve();
  }
  withdraw(): boolean {
    if (this.resolve === null) return false;
    this.clock!.clearTimeout(this.timer);
    unpark(this);
    return true;
  }
  fail(error: unknown): void {
    const reject = this.reject!;
    this.resolve = this.reject = null;
    reject(error);
  }
  describe(): string {
    return `sleep(${this.ms} ms)`;
  }
}

/**
 * Resolves after `ms` milliseconds. Inside a goroutine, pass `ctx.signal` (async goroutines) so
 * a kill interrupts the sleep; generator goroutines are interrupted at their `yield` anyway.
 *
 * @example
 * ```ts
 * import { sleep } from 'gorx';
 *
 * await sleep(10);
 * const ac = new AbortController();
 * setTimeout(() => ac.abort(new Error('stop')), 5);
 * await sleep(1000, { signal: ac.signal }).catch((e: Error) => console.log(e.message)); // 'stop'
 * ```
 */
export function sleep(ms: number, opts?: SignalOptions): Promise<void> {
  checkMs(ms, 'sleep');
  const stop = stopReason(opts, 'sleep');
  if (stop !== GO_ON) return rejectStopped(stop);
  let op!: SleepOp;
  const p = new Promise<void>((resolve, reject) => {
    op = new SleepOp(ms, resolve, reject);
  });
  op.promise = p;
  const clock = currentClock();
  op.clock = clock;
  op.timer = clock.setTimeout(() => op.fire(), ms);
  park(op, opts);
  return p;
}
