/**
 * Waiter records (Go's `sudog`) and the intrusive FIFO queues that hold them.
 *
 * Invariants:
 * - a waiter is in at most one queue, and `q` names it (null when not queued);
 * - a waiter of a select (`sel !== null`) is never parked on its own: its select is;
 * - `done` is called exactly once per waiter, after it has left its queue and after the channel
 *   state is consistent, because it may run user code synchronously (callback receivers).
 */
import { ChannelClosedError } from '../errors.js';
import type { RecvCallback, SignalOptions } from '../types.js';
import { Parked, park, setCurrent, unpark } from './park.js';
import { type Taken, type TakenFrom, fill } from './taken.js';
import { defer, resume } from './yield.js';

export const RECV = 0;
export const SEND = 1;

/** Reports an error thrown by a synchronous callback without corrupting the operation that ran it. */
export function rethrow(error: unknown): never {
  throw error;
}

/**
 * Runs a callback receiver. An error it throws is reported later (as an uncaught exception),
 * never into the channel operation that ran it, which could otherwise stop half-way.
 */
export function invokeRecv(
  cb: RecvCallback<unknown>,
  value: unknown,
  ok: boolean,
  error: unknown,
): unknown {
  try {
    return cb(value, ok, error);
  } catch (e) {
    defer(rethrow, e);
    return undefined;
  }
}

/** What a waiter needs of its channel (channel.ts implements it; no import back, no cycle). */
export interface WaiterChannel extends TakenFrom {
  readonly capacity: number;
  /** Re-arms a persistent callback receiver (see Channel.rearm). */
  rearm(w: Waiter, cb: RecvCallback<unknown>): void;
  describe(): string;
}

/** What a waiter needs of the select it is a case of (select-op.ts implements it). */
export interface WaiterSelect {
  /** A partner completed the waiter `w` of this select. */
  commit(w: Waiter, value: unknown, ok: boolean, error: unknown): void;
}

export class WaitQ {
  head: Waiter | null = null;
  tail: Waiter | null = null;

  /** Appends. Precondition: `w.q === null`. */
  push(w: Waiter): void {
    w.q = this;
    w.prev = this.tail;
    w.next = null;
    if (this.tail !== null) this.tail.next = w;
    else this.head = w;
    this.tail = w;
  }

  /** Removes and returns the longest-waiting waiter, or null. */
  shift(): Waiter | null {
    const w = this.head;
    if (w === null) return null;
    this.head = w.next;
    if (this.head !== null) this.head.prev = null;
    else this.tail = null;
    w.next = null;
    w.q = null;
    return w;
  }

  /** Unlinks `w` in O(1). Precondition: `w.q === this`. */
  remove(w: Waiter): void {
    if (w.prev !== null) w.prev.next = w.next;
    else this.head = w.next;
    if (w.next !== null) w.next.prev = w.prev;
    else this.tail = w.prev;
    w.prev = w.next = null;
    w.q = null;
  }

  get size(): number {
    let n = 0;
    for (let w = this.head; w !== null; w = w.next) n++;
    return n;
  }
}

/** A parked send or receive on one channel: either a plain operation or one case of a select. */
export class Waiter extends Parked {
  prev: Waiter | null = null;
  next: Waiter | null = null;
  q: WaitQ | null = null;
  /** Send: the value offered. Receive: unused until completion. */
  value: unknown = undefined;
  sel: WaiterSelect | null = null;
  index = 0;
  resolve: ((v: unknown) => void) | null = null;
  reject: ((e: unknown) => void) | null = null;
  cb: RecvCallback<unknown> | null = null;
  /** A receive started by a generator goroutine's code: what it takes (see taken.ts). */
  rec: Taken | null = null;
  /** Callback mode: re-arm after a hand-off when the callback returns true. */
  repeat = false;

  constructor(
    readonly ch: WaiterChannel,
    readonly kind: typeof RECV | typeof SEND,
  ) {
    super();
  }

  /**
   * Completes the waiter. Receive: `(value, true)` on hand-off, `(undefined, false, closeError)`
   * when the channel closed. Send: `(undefined, true)` when taken, `(undefined, false, error)`
   * when the channel closed. Precondition: the waiter has left its queue.
   */
  done(value: unknown, ok: boolean, error: unknown): void {
    if (this.sel !== null) this.sel.commit(this, value, ok, error);
    else if (this.cb !== null) this.doneCallback(value, ok, error);
    else this.donePromise(value, ok, error);
  }

  /** Callback mode: runs the callback (with `current` cleared); re-arms a persistent receiver. */
  private doneCallback(value: unknown, ok: boolean, error: unknown): void {
    unpark(this);
    const cb = this.cb!;
    this.cb = null;
    const saved = setCurrent(null);
    try {
      if (invokeRecv(cb, value, ok, error) === true && ok && this.repeat) this.ch.rearm(this, cb);
    } finally {
      setCurrent(saved);
    }
  }

  /** Promise mode: resolves with the value (recording it for a generator), or rejects. */
  private donePromise(value: unknown, ok: boolean, error: unknown): void {
    unpark(this);
    if (ok) {
      if (this.rec !== null) fill(this.rec, this.ch, value);
      const resolve = this.resolve!;
      this.resolve = this.reject = null;
      resume(resolve, value, this.ch.capacity > 0);
    } else {
      if (this.rec !== null) this.rec.empty = true;
      const err =
        error ??
        new ChannelClosedError(
          this.kind === RECV ? 'receive from closed channel' : 'send on closed channel',
        );
      const reject = this.reject!;
      this.resolve = this.reject = null;
      reject(err);
    }
  }

  withdraw(): boolean {
    this.repeat = false; // a cancel from inside a repeating callback must not re-arm it
    if (this.q === null) return false;
    this.q.remove(this);
    unpark(this);
    return true;
  }

  fail(error: unknown): void {
    if (this.cb !== null) {
      const cb = this.cb;
      this.cb = null;
      invokeRecv(cb, undefined, false, error);
      return;
    }
    if (this.rec !== null) this.rec.empty = true;
    const reject = this.reject!;
    this.resolve = this.reject = null;
    reject(error);
  }

  describe(): string {
    if (this.listener) return `recvCallback on ${this.ch.describe()}`;
    return `${this.kind === RECV ? 'recv on' : 'send on'} ${this.ch.describe()}`;
  }

  /** Enqueues and registers a plain (non-select) waiter. */
  parkOn(q: WaitQ, opts: SignalOptions | undefined): void {
    q.push(this);
    park(this, opts);
  }
}
