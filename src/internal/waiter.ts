/**
 * Waiter records (Go's `sudog`) and the intrusive FIFO queues that hold them.
 *
 * Two kinds of waiter sit in the queues: a plain operation's `Waiter` (itself a parked op) and a
 * select's `CaseWaiter` (a queue node only: its select is the parked op). Keeping the case waiter
 * free of the parked-op bookkeeping makes a parked select allocate about half as much.
 *
 * Invariants:
 * - a waiter is in at most one queue, and `q` names it (null when not queued);
 * - a select's case waiter is never parked on its own: its select is;
 * - `done` is called exactly once per waiter, after it has left its queue and after the channel
 *   state is consistent, because it may run user code synchronously (callback receivers).
 */
import { ChannelClosedError } from '../errors.js';
import type { RecvCallback, SignalOptions } from '../types.js';
import { type OpQueue, Parked, listQueue, parkQueued, setCurrent, unparkQueued } from './park.js';
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
  /** A partner completed the case waiter `w` of this select. */
  commit(w: CaseWaiter, value: unknown, ok: boolean, error: unknown): void;
}

/** What a wait queue holds and what a channel's partner needs of it. */
export interface Queued {
  /** Neighbours in its queue (circular: never null while queued), null when not queued. */
  prev: Queued | null;
  next: Queued | null;
  q: WaitQ | null;
  /** Send: the value offered. Receive: unused. */
  value: unknown;
  readonly ch: WaiterChannel;
  readonly kind: typeof RECV | typeof SEND;
  /**
   * Completes the waiter. Receive: `(value, true)` on hand-off, `(undefined, false, closeError)`
   * when the channel closed. Send: `(undefined, true)` when taken, `(undefined, false, error)`
   * when the channel closed. Precondition: the waiter has left its queue.
   */
  done(value: unknown, ok: boolean, error: unknown): void;
  describe(): string;
}

/**
 * A FIFO of waiters: a circular doubly-linked list whose `head.prev` is the tail. A queue lives as
 * long as its channel, so V8 soon moves it to the old generation, where storing a newer object
 * into it takes the write barrier's slow path; a push onto a non-empty queue stores into waiters
 * only (a select with two cases on one channel pushes twice).
 */
export class WaitQ implements OpQueue {
  /** The longest-waiting waiter, or null when the queue is empty. */
  head: Queued | null = null;
  /** Listed among the queues that hold parked ops (park.ts sets it, see `listQueue`). */
  listed = false;

  /** Appends its plain waiters (parked ops; a select's case waiters are not: their select is). */
  collectOps(out: Parked[]): void {
    const first = this.head;
    if (first === null) return;
    let w: Queued = first;
    do {
      if (w instanceof Waiter) out.push(w);
      w = w.next!;
    } while (w !== first);
  }

  /** Appends. Precondition: `w.q === null`. */
  push(w: Queued): void {
    w.q = this;
    const first = this.head;
    if (first === null) {
      w.prev = w.next = w;
      this.head = w;
      return;
    }
    const last = first.prev!;
    w.prev = last;
    w.next = first;
    last.next = w;
    first.prev = w;
  }

  /** Removes and returns the longest-waiting waiter, or null. */
  shift(): Queued | null {
    const w = this.head;
    if (w !== null) this.remove(w);
    return w;
  }

  /** Unlinks `w` in O(1). Precondition: `w.q === this`. */
  remove(w: Queued): void {
    const next = w.next!;
    if (next === w) {
      this.head = null;
    } else {
      const prev = w.prev!;
      prev.next = next;
      next.prev = prev;
      if (this.head === w) this.head = next;
    }
    w.prev = w.next = null;
    w.q = null;
  }

  get size(): number {
    const first = this.head;
    if (first === null) return 0;
    let n = 1;
    for (let w = first.next!; w !== first; w = w.next!) n++;
    return n;
  }
}

/** One channel case of a parked select: a queue node that reports to its select. */
export class CaseWaiter implements Queued {
  // Declared, then set in the constructor: see Parked.
  declare prev: Queued | null;
  declare next: Queued | null;
  declare q: WaitQ | null;
  /** The next case waiter of the same select (its list, newest first). */
  declare sibling: CaseWaiter | null;
  declare readonly ch: WaiterChannel;
  declare readonly kind: typeof RECV | typeof SEND;
  declare value: unknown;
  declare readonly sel: WaiterSelect;
  /** The case's index in the select. */
  declare readonly index: number;

  constructor(
    ch: WaiterChannel,
    kind: typeof RECV | typeof SEND,
    value: unknown,
    sel: WaiterSelect,
    index: number,
  ) {
    this.prev = null;
    this.next = null;
    this.q = null;
    this.sibling = null;
    this.ch = ch;
    this.kind = kind;
    this.value = value;
    this.sel = sel;
    this.index = index;
  }

  done(value: unknown, ok: boolean, error: unknown): void {
    this.sel.commit(this, value, ok, error);
  }

  describe(): string {
    return `${this.kind === RECV ? 'recv on' : 'send on'} ${this.ch.describe()}`;
  }
}

export const NOT_LISTENING = 0;
export const LISTENER = 1;
export const REPEATING = 2;

/** A plain parked send or receive on one channel (promise or callback mode). */
export class Waiter extends Parked implements Queued {
  // Declared, then set in the constructor: see Parked.
  declare readonly ch: WaiterChannel;
  declare readonly kind: typeof RECV | typeof SEND;
  declare prev: Queued | null;
  declare next: Queued | null;
  declare q: WaitQ | null;
  /** Send: the value offered. Receive: unused until completion. */
  declare value: unknown;
  declare resolve: ((v: unknown) => void) | null;
  declare reject: ((e: unknown) => void) | null;
  declare cb: RecvCallback<unknown> | null;
  /** A receive started by a generator goroutine's code: what it takes (see taken.ts). */
  declare rec: Taken | null;
  /**
   * A callback receiver (`recvCallback`): LISTENER, or REPEATING while it re-arms after a hand-off
   * whose callback returns true; NOT_LISTENING for every other waiter (a for-await iterator's too).
   */
  declare listens: typeof NOT_LISTENING | typeof LISTENER | typeof REPEATING;

  constructor(ch: WaiterChannel, kind: typeof RECV | typeof SEND) {
    super();
    this.ch = ch;
    this.kind = kind;
    this.prev = null;
    this.next = null;
    this.q = null;
    this.value = undefined;
    this.resolve = null;
    this.reject = null;
    this.cb = null;
    this.rec = null;
    this.listens = NOT_LISTENING;
  }

  /** See Queued.done. */
  done(value: unknown, ok: boolean, error: unknown): void {
    if (this.cb !== null) this.doneCallback(value, ok, error);
    else this.donePromise(value, ok, error);
  }

  /** Callback mode: runs the callback (with `current` cleared); re-arms a persistent receiver. */
  private doneCallback(value: unknown, ok: boolean, error: unknown): void {
    unparkQueued(this);
    const cb = this.cb!;
    this.cb = null;
    const saved = setCurrent(null);
    try {
      const again = invokeRecv(cb, value, ok, error) === true && ok;
      if (again && this.listens === REPEATING) this.ch.rearm(this, cb);
    } finally {
      setCurrent(saved);
    }
  }

  /** Promise mode: resolves with the value (recording it for a generator), or rejects. */
  private donePromise(value: unknown, ok: boolean, error: unknown): void {
    unparkQueued(this);
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
    // A cancel from inside a repeating callback must not re-arm it.
    if (this.listens === REPEATING) this.listens = LISTENER;
    if (this.q === null) return false;
    this.q.remove(this);
    unparkQueued(this);
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

  override get listener(): boolean {
    return this.listens !== NOT_LISTENING;
  }

  describe(): string {
    if (this.listener) return `recvCallback on ${this.ch.describe()}`;
    return `${this.kind === RECV ? 'recv on' : 'send on'} ${this.ch.describe()}`;
  }

  /** Enqueues and registers a plain (non-select) waiter: parked ops find it through its queue. */
  parkOn(q: WaitQ, opts: SignalOptions | undefined): void {
    q.push(this);
    listQueue(q);
    parkQueued(this, opts);
  }
}
