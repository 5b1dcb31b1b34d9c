/** @module */
import { go } from './go.js';
import type { GoFunction, GoOptions, Goroutine, SignalOptions } from './types.js';
import { describeValue } from './internal/validate.js';
import { GO_ON, Parked, park, rejectStopped, stopReason, unpark } from './internal/park.js';

class WaitOp extends Parked {
  constructor(
    private readonly wg: WaitGroup,
    public resolve: (() => void) | null,
    private reject: ((e: unknown) => void) | null,
  ) {
    super();
  }
  wake(): void {
    unpark(this);
    const r = this.resolve!;
    this.resolve = this.reject = null;
    r();
  }
  withdraw(): boolean {
    if (this.resolve === null) return false;
    (this.wg as unknown as { waiters: Set<WaitOp> }).waiters.delete(this);
    unpark(this);
    return true;
  }
  fail(error: unknown): void {
    const r = this.reject!;
    this.resolve = this.reject = null;
    r(error);
  }
  describe(): string {
    return `WaitGroup.wait (counter ${this.wg.count})`;
  }
}

/**
 * Go's `sync.WaitGroup`: `add` before starting work, `done` when each piece ends, `wait` until the
 * counter is zero. The counter going negative throws `RangeError`.
 *
 * @example
 * ```ts
 * import { go, sleep, WaitGroup } from 'gorx';
 *
 * const wg = new WaitGroup();
 * for (let i = 0; i < 3; i++) {
 *   wg.add(1);
 *   go(async () => {
 *     try {
 *       await sleep(10 * i);
 *     } finally {
 *       wg.done();
 *     }
 *   });
 * }
 * await wg.wait();
 * ```
 */
export class WaitGroup {
  private counter = 0;
  private readonly waiters = new Set<WaitOp>();

  /** The current counter. */
  get count(): number {
    return this.counter;
  }

  /** Adds `delta` (default 1, may be negative) to the counter; waking the waiters at zero. */
  add(delta = 1): void {
    if (!Number.isInteger(delta)) {
      throw new RangeError(`WaitGroup.add: delta must be an integer, got ${describeValue(delta)}`);
    }
    const next = this.counter + delta;
    if (next < 0) throw new RangeError('WaitGroup: negative counter (more done() than add())');
    this.counter = next;
    if (next === 0 && this.waiters.size > 0) {
      const ws = [...this.waiters];
      this.waiters.clear();
      for (const w of ws) w.wake();
    }
  }

  /**
   * Go 1.25's `WaitGroup.Go`: `add(1)`, start `fn` as a goroutine, `done()` when it ends
   * (however it ends). Returns the goroutine.
   *
   * @example
   * ```ts
   * import { WaitGroup } from 'gorx';
   *
   * const wg = new WaitGroup();
   * for (const url of ['a', 'b']) wg.go(async () => console.log('fetched', url));
   * await wg.wait();
   * ```
   */
  go<R>(fn: GoFunction<R>, options?: GoOptions): Goroutine<R> {
    this.add(1);
    let g: Goroutine<R>;
    try {
      g = go(fn, options);
    } catch (e) {
      this.done();
      throw e;
    }
    // exited() never rejects and leaves `done` unobserved, so a panic still surfaces.
    void (g as unknown as { exited(): Promise<void> }).exited().then(() => this.done());
    return g;
  }

  /** `add(-1)`. */
  done(): void {
    this.add(-1);
  }

  /** Resolves when the counter is zero (at once if it already is). */
  wait(opts?: SignalOptions): Promise<void> {
    const stop = stopReason(opts, 'WaitGroup.wait');
    if (stop !== GO_ON) return rejectStopped(stop);
    if (this.counter === 0) return Promise.resolve();
    let op!: WaitOp;
    const p = new Promise<void>((resolve, reject) => {
      op = new WaitOp(this, resolve, reject);
    });
    op.promise = p;
    this.waiters.add(op);
    park(op, opts);
    return p;
  }
}
