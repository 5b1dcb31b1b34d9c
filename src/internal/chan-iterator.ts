/**
 * `for await` over a channel (and `range(ch, opts)`).
 *
 * Invariant: `pending` holds exactly the receives this iterator has parked and not yet seen
 * complete; `return()` withdraws them all, so a `break` never takes a value.
 */
import type { SignalOptions } from '../types.js';
import { type Demanding, demanded } from './demand.js';
import { GO_ON, current, rejectStopped, stopReason } from './park.js';
import { type Taken, type TakenFrom, fill } from './taken.js';
import { RECV, type WaitQ, Waiter, type WaiterChannel } from './waiter.js';
import { resolvedWith, resume } from './yield.js';

/** What the iterator needs of its channel (channel.ts implements it; no import back, no cycle). */
export interface IteratedChannel<T> extends Demanding, WaiterChannel, TakenFrom {
  readonly recvq: WaitQ;
  readonly isClosed: boolean;
  readonly closeError: Error | undefined;
  recvReady(): boolean;
  take(): T;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * `for await` over a channel. `return()` (a `break`) withdraws any pending receive. With a signal,
 * an abort (or a kill of the goroutine owning the signal) withdraws the pending receive and makes
 * the loop throw the abort reason.
 */
export class ChanIterator<T> implements AsyncIterableIterator<T> {
  private pending: Set<Waiter> | null = null;
  private finished = false;

  constructor(
    private readonly ch: IteratedChannel<T>,
    private readonly opts: SignalOptions | undefined,
  ) {}

  next(): Promise<IteratorResult<T>> {
    const ch = this.ch;
    // The hot path of a `for await` over a buffered channel with values ready: no signal to look
    // at, no generator goroutine step to track, no onDemand hook pending (nextNow's checks,
    // each known to pass).
    if (this.opts === undefined && current === null && ch.demand === null && !this.finished) {
      if (ch.recvReady()) return resolvedWith({ value: ch.take(), done: false as const });
    }
    return demanded(ch, this.nextNow());
  }

  private nextNow(): Promise<IteratorResult<T>> {
    const ch = this.ch;
    if (this.finished) return Promise.resolve(DONE);
    const opts = this.opts;
    const stop = stopReason(opts, 'range');
    if (stop !== GO_ON) {
      this.finished = true;
      return rejectStopped(stop);
    }
    // A generator goroutine's step: what this receive takes is put back if it is killed before
    // it resumes (taken.ts), as for `recv`.
    const taken = current !== null ? current.taken : null;
    if (ch.recvReady()) {
      const v = ch.take();
      const done = resolvedWith({ value: v, done: false as const });
      if (taken !== null) taken.track(done, ch, v);
      return done;
    }
    if (ch.isClosed) {
      this.finished = true;
      return ch.closeError !== undefined ? Promise.reject(ch.closeError) : Promise.resolve(DONE);
    }
    const w = new Waiter(ch, RECV);
    let rec: Taken | null = null;
    const p = new Promise<IteratorResult<T>>((resolve, reject) => {
      w.cb = (value, ok, error) => {
        this.pending?.delete(w);
        if (rec !== null) {
          if (ok) fill(rec, ch, value);
          else rec.empty = true;
        }
        if (ok) {
          const r = { value: value as T, done: false as const };
          resume(resolve, r, ch.capacity > 0);
        } else {
          this.finished = true;
          if (error !== undefined) reject(error);
          else resolve(DONE);
        }
      };
    });
    w.promise = p;
    if (taken !== null) rec = taken.track(p, null, undefined);
    w.parkOn(ch.recvq, opts);
    (this.pending ??= new Set()).add(w);
    return p;
  }

  return(): Promise<IteratorResult<T>> {
    this.finished = true;
    const pending = this.pending;
    this.pending = null;
    if (pending !== null) {
      for (const w of pending) {
        const cb = w.cb;
        if (w.withdraw() && cb !== null) cb(undefined, false, undefined);
      }
    }
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
