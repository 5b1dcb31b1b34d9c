/**
 * A parked select: one waiter per channel case (a case repeating the channel and direction of an
 * earlier one is not queued: it could never fire), one shared claim (`done`) so exactly one case
 * commits, and O(1) removal of the losing waiters at the moment of commit.
 *
 * Invariants:
 * - while `done` is false, every waiter of the select is queued on its channel;
 * - `commit` sets `done` and unlinks every other waiter before any user code can run, so no
 *   partner can ever find a waiter of a finished select;
 * - a pending promise case is registered in the promise's shared state while the select waits,
 *   and removed by `finish`, so a settled promise never notifies a finished select.
 */
import { ChannelClosedError } from '../errors.js';
import type { SignalOptions } from '../types.js';
import { Parked, park, setCurrent, unpark } from './park.js';
import { type Taken, fill } from './taken.js';
import { FULFILLED, type PromiseState } from './promise-case.js';
import { CaseWaiter, RECV, SEND, type WaitQ, rethrow } from './waiter.js';
import { defer, resume } from './yield.js';

/** Result of a select: the fired case, the value received (recv) and Go's `ok`. */
export interface RawResult {
  index: number;
  value: unknown;
  ok: boolean;
}

export type OnResult = (result: RawResult) => void;
export type OnError = (error: unknown) => void;

export class SelectOp extends Parked {
  // Declared, then set in the constructor: see Parked.
  /** The queued case waiters, chained through `CaseWaiter.sibling` (no array per select). */
  declare private waiters: CaseWaiter | null;
  declare done: boolean;
  /** A select started by a generator goroutine's code: what its receive case takes (taken.ts). */
  declare rec: Taken | null;
  declare private promises: PromiseState[] | null;
  declare private onResult: OnResult | null;
  declare private onError: OnError | null;

  /** A callback select; `promised()` makes a promise one (it has a `promise`). */
  constructor(onResult: OnResult | null, onError: OnError | null) {
    super();
    this.waiters = null;
    this.done = false;
    this.rec = null;
    this.promises = null;
    this.onResult = onResult;
    this.onError = onError;
  }

  /**
   * A promise-mode select with its promise (`promise`).
   * Promise mode: results are deferred when the turn's budget is spent; callbacks never are.
   */
  static promised(): SelectOp {
    const op = new SelectOp(null, null);
    // A closure executor, not one shared function that finds the select in a static field: V8
    // inlines the executor into the caller, where the static field cost a store with a write
    // barrier and a call per select (about 4% of a parked select's instructions).
    op.promise = new Promise<RawResult>((resolve, reject) => {
      op.onResult = resolve;
      op.onError = reject;
    });
    return op;
  }

  /** Adds a channel case. Precondition: not yet parked; `w.sel` is this select. */
  addWaiter(w: CaseWaiter, q: WaitQ): void {
    q.push(w);
    w.sibling = this.waiters;
    this.waiters = w;
  }

  /** True when the last waiter queued on `q` is one of this select's. */
  isLastIn(q: WaitQ): boolean {
    const first = q.head;
    if (first === null) return false;
    const last = first.prev!;
    // Tested by its constructor, not `instanceof`: the tail is a CaseWaiter or a plain Waiter,
    // and V8 answers `instanceof` on such a mix by walking the prototype chain (60 instructions
    // more per parked 4-case select of the benchmark).
    return last.constructor === CaseWaiter && (last as CaseWaiter).sel === this;
  }

  /** Adds a pending promise case. Precondition: not yet parked; `s` is pending. */
  addPromise(s: PromiseState, index: number): void {
    (s.waiters ??= new Map()).set(this, index);
    (this.promises ??= []).push(s);
  }

  /** Registers the select as parked. Precondition: every case is added. */
  parkWith(opts: SignalOptions | undefined): void {
    park(this, opts);
  }

  /** Called by a channel when one of this select's waiters is completed by a partner. */
  commit(w: CaseWaiter, value: unknown, ok: boolean, error: unknown): void {
    this.finish(w);
    if (w.kind === SEND && !ok) {
      this.deliverError(error ?? new ChannelClosedError('send on closed channel'));
      return;
    }
    if (this.rec !== null) {
      if (w.kind === RECV && ok) fill(this.rec, w.ch, value);
      else this.rec.empty = true;
    }
    this.deliver({ index: w.index, value: w.kind === RECV ? value : undefined, ok });
  }

  /** Called when a promise case settles. Precondition: the select is still waiting on it. */
  settlePromise(index: number, s: PromiseState): void {
    this.finish(null);
    if (this.rec !== null) this.rec.empty = true;
    if (s.status === FULFILLED) this.deliver({ index, value: s.value, ok: true });
    else this.deliverError(s.value);
  }

  /** Claims the select and unlinks every waiter except `winner`. */
  private finish(winner: CaseWaiter | null): void {
    this.done = true;
    for (let x = this.waiters; x !== null; x = x.sibling) {
      if (x !== winner && x.q !== null) x.q.remove(x);
    }
    if (this.promises !== null) for (const s of this.promises) s.waiters?.delete(this);
    unpark(this);
  }

  private deliver(result: RawResult): void {
    const cb = this.onResult!;
    this.onResult = this.onError = null;
    if (this.promise !== null) resume(cb, result, false);
    else invokeUserCallback(cb, result);
  }

  private deliverError(error: unknown): void {
    const cb = this.onError!;
    this.onResult = this.onError = null;
    if (this.promise !== null) cb(error);
    else invokeUserCallback(cb, error);
  }

  /** A callback select (`selectCallback`) is a listener; a promise select is blocked code. */
  override get listener(): boolean {
    return this.promise === null;
  }

  withdraw(): boolean {
    if (this.done) return false;
    this.finish(null);
    return true;
  }

  fail(error: unknown): void {
    if (this.rec !== null) this.rec.empty = true;
    this.deliverError(error);
  }

  describe(): string {
    const cases: CaseWaiter[] = [];
    for (let x = this.waiters; x !== null; x = x.sibling) cases.push(x);
    const parts = cases.sort((a, b) => a.index - b.index).map((w) => w.describe());
    if (this.promises !== null)
      for (let i = 0; i < this.promises.length; i++) parts.push('promise');
    return `${this.listener ? 'selectCallback' : 'select'} [${parts.join(', ')}]`;
  }
}

/**
 * Runs a callback-mode select's user callback with `current` cleared. A callback may run inside
 * close(): if it threw there, close would stop half-way and leave other waiters parked on a closed
 * channel, so an error is reported later instead.
 */
function invokeUserCallback<A>(cb: (arg: A) => void, arg: A): void {
  const saved = setCurrent(null);
  try {
    cb(arg);
  } catch (e) {
    defer(rethrow, e);
  } finally {
    setCurrent(saved);
  }
}
