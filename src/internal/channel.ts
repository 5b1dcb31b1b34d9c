/**
 * The channel implementation (Go's `hchan`).
 *
 * Invariants (checked by `assertInvariants` under GORX_DEBUG):
 * - `recvq` non-empty  =>  the buffer is empty and `sendq` is empty;
 * - `sendq` non-empty  =>  the buffer holds at least `capacity` values and `recvq` is empty;
 * - `closed`           =>  `recvq` is empty (close wakes every receiver) and `sendq` is empty;
 * - the buffer holds more than `capacity` values only after `unrecv` put a value back, or
 *   `giveReserved` added a value sent on room reserved earlier (a worker thread's send credit);
 * - `backSeqs` (when not null) holds the take order of the put-back values at the head of the
 *   buffer, ascending, and no more entries than the buffer holds values.
 *
 * Every operation checks in the same order: abort, closed (send), waiting partner or buffer,
 * closed (recv), then park. Waiters are completed only after the channel state is consistent,
 * because completing one may run user code synchronously.
 */
import type {
  Chan,
  ChanOptions,
  RecvCallback,
  RecvCallbackOptions,
  SignalOptions,
  TryRecvResult,
} from '../types.js';
import { ChannelClosedError } from '../errors.js';
import { GO_ON, current, rejectStopped, stopReason } from './park.js';
import { ChanIterator } from './chan-iterator.js';
import { demandArmed, demandSettled, demanded, demandsPending } from './demand.js';
import { Ring } from './ring.js';
import {
  LISTENER,
  type Queued,
  RECV,
  REPEATING,
  SEND,
  WaitQ,
  Waiter,
  invokeRecv,
} from './waiter.js';
import { checkFunction, checkObject, checkOptions, describeValue } from './validate.js';
import { resolvedVoid, resolvedWith } from './yield.js';
import { registerCopy } from './copies.js';

/** An Error of any realm (a DOMException from a Node API included): has a string name and message. */
function isErrorLike(e: unknown): boolean {
  return (
    e instanceof Error ||
    (typeof e === 'object' &&
      e !== null &&
      typeof (e as Error).name === 'string' &&
      typeof (e as Error).message === 'string')
  );
}

/** Marks gorx channels across copies of the library, to name the mistake of mixing copies. */
export const CHANNEL_BRAND = Symbol.for('gorx.channel');
registerCopy(import.meta.url);

/**
 * Marks a worker thread's view of a channel bridged by gorx/threads (which sets it; the core only
 * recognises it, to name the mistake of handing one to the core's select or range).
 */
export const BRIDGED_BRAND = Symbol.for('gorx.bridgedChannel');

/** The error for a bridged channel given to core `what` (select, trySelect, range). */
export function bridgedChannelError(what: string, where: string, instead: string): TypeError {
  return new TypeError(
    `${what}: ${where} is a channel bridged from the main thread (a gorx/threads argument), which ` +
      `gorx's ${what} cannot decide in this thread: ${instead}`,
  );
}

/** True for a worker thread's view of a bridged channel (see BRIDGED_BRAND). */
export function isBridgedChannel(v: unknown): boolean {
  return (
    typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[BRIDGED_BRAND] === true
  );
}

/** Adds `fn` to a channel's watch list; returns the function that removes it again. */
function addWatch(list: (() => void)[], fn: () => void): () => void {
  list.push(fn);
  return () => {
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  };
}

const EMPTY: TryRecvResult<never> = Object.freeze({
  ok: false,
  closed: false,
}) as TryRecvResult<never>;
const DRAINED: TryRecvResult<never> = Object.freeze({
  ok: false,
  closed: true,
}) as TryRecvResult<never>;
const NOT_PARKED = (): boolean => false;
const DEBUG = typeof process !== 'undefined' && !!process.env?.GORX_DEBUG;

let nextId = 1;

/** `demanded` for every receive case of a select. Precondition: the cases are valid. */
export function demandedCases<R>(
  cases: readonly { readonly kind: string; readonly ch: unknown }[],
  result: R,
): R {
  if (!demandsPending()) return result;
  for (const c of cases) {
    if (c !== null && c.kind === 'recv' && c.ch instanceof Channel) demanded(c.ch, undefined);
  }
  return result;
}

export class Channel<T> implements Chan<T> {
  readonly id = nextId++;
  /** Capacity; `capacity` and `name` are getters so user code cannot corrupt them. */
  private readonly cap: number;
  private readonly label: string | undefined;
  buf: Ring<T> | null;
  readonly recvq = new WaitQ();
  readonly sendq = new WaitQ();
  isClosed = false;
  closeError: Error | undefined = undefined;
  /** Take order of the put-back values at the head of the buffer (see unrecv), or null. */
  private backSeqs: number[] | null = null;
  /** The take order of the value just handed out when it was a put-back one, else 0 (taken.ts). */
  backSeq = 0;
  /** `onDemand` until it has run (see ChanOptions). */
  demand: (() => void) | null;
  private readonly onClose: ((error: Error | undefined) => void) | undefined;
  /** Run at the start of `close` (see addCloseWatch), or null. */
  private closeWatches: (() => void)[] | null = null;
  /** Run after a value left the buffer (see addTakeWatch), or null. */
  private takeWatches: (() => void)[] | null = null;

  constructor(capacity: number, options: ChanOptions | undefined) {
    this.cap = capacity;
    this.label = options?.name;
    // An unbounded buffer shrinks as it drains: a burst must not pin its memory for good.
    this.buf = capacity > 0 ? new Ring<T>(Math.min(capacity, 16), capacity === Infinity) : null;
    this.demand = options?.onDemand ?? null;
    this.onClose = options?.onClose;
    if (this.demand !== null) demandArmed();
  }

  /** Runs `onDemand` once (through `demanded`). */
  fireDemand(): void {
    const d = this.demand;
    if (d === null) return;
    this.demand = null;
    demandSettled();
    try {
      d();
    } catch (e) {
      if (!this.isClosed) this.close(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Brand across copies of gorx (see CHANNEL_BRAND). */
  get [CHANNEL_BRAND](): boolean {
    return true;
  }

  get capacity(): number {
    return this.cap;
  }

  get name(): string | undefined {
    return this.label;
  }

  get length(): number {
    return this.buf === null ? 0 : this.buf.n;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** True when a receive can complete with a value now. */
  recvReady(): boolean {
    return (this.buf !== null && this.buf.n > 0) || this.sendq.head !== null;
  }

  /** True when a send can complete now: a receiver waits or the buffer has room. */
  sendReady(): boolean {
    return this.recvq.head !== null || (this.buf !== null && this.buf.n < this.cap);
  }

  /** Takes the next value. Precondition: `recvReady()`. */
  take(): T {
    const buf = this.buf;
    return buf !== null && buf.n > 0 ? this.takeBuffered(buf) : this.takeSent();
  }

  /**
   * Takes the head of the buffer, refilling it from the longest-waiting sender. Precondition:
   * `buf === this.buf` and `buf.n > 0`.
   */
  private takeBuffered(buf: Ring<T>): T {
    const v = buf.shift();
    this.backSeq = this.backSeqs === null ? 0 : this.shiftBackSeq();
    if (buf.n < this.cap) {
      const s = this.sendq.shift();
      if (s !== null) {
        buf.push(s.value as T);
        s.value = undefined;
        s.done(undefined, true, undefined);
      }
    }
    if (DEBUG) this.assertInvariants();
    if (this.takeWatches !== null) this.runTakeWatches();
    return v;
  }

  /** Takes the longest-waiting sender's value. Precondition: the buffer is empty, `sendq` not. */
  private takeSent(): T {
    const s = this.sendq.shift()!;
    const v = s.value as T;
    s.value = undefined;
    this.backSeq = 0;
    s.done(undefined, true, undefined);
    return v;
  }

  /**
   * Out of line, like every rarely taken branch of `takeBuffered`: a loop here would make it too
   * big for V8 to inline into `tryRecv` and its caller (the whole try-first loop then runs as one
   * optimised function).
   */
  private runTakeWatches(): void {
    for (const fn of this.takeWatches!) fn();
  }

  private shiftBackSeq(): number {
    const seqs = this.backSeqs!;
    const seq = seqs.shift()!;
    if (seqs.length === 0) this.backSeqs = null;
    return seq;
  }

  /**
   * Gives a value sent on room reserved for it earlier (a worker thread's send credit, see
   * gorx/threads): to a waiting receiver, else at the tail of the buffer even past `capacity`
   * (another producer may have taken the reserved slot meanwhile; parking the value in `sendq`
   * instead would let a close drop a send that already completed). Precondition: not closed.
   */
  giveReserved(value: T): void {
    // Only buffered channels give credit, and their buffer grows past `capacity` when asked to.
    this.give(value);
  }

  /**
   * Registers `fn` to run at the start of every later `close`, before the channel is marked
   * closed or any waiter is woken (gorx/threads settles the sends in transit from a thread
   * there, so they count as sent before the close). Returns the function that unregisters it.
   */
  addCloseWatch(fn: () => void): () => void {
    return addWatch((this.closeWatches ??= []), fn);
  }

  /**
   * Registers `fn` to run after each value taken from the buffer (gorx/threads returns the room
   * to a producer thread as send credit while a consumer drains). Returns the function that
   * unregisters it. `fn` must not touch the channel.
   */
  addTakeWatch(fn: () => void): () => void {
    return addWatch((this.takeWatches ??= []), fn);
  }

  /** Gives a value to a waiting receiver or the buffer. Precondition: `sendReady()`, not closed. */
  give(value: T): void {
    const r = this.recvq.shift();
    if (r !== null) r.done(value, true, undefined);
    else this.buf!.push(value);
    if (DEBUG) this.assertInvariants();
  }

  send(value: T, opts?: SignalOptions): Promise<void> {
    const stop = stopReason(opts, 'send');
    if (stop !== GO_ON) return rejectStopped(stop);
    if (this.isClosed) return Promise.reject(new ChannelClosedError('send on closed channel'));
    if (this.sendReady()) {
      this.give(value);
      return resolvedVoid();
    }
    const w = new Waiter(this as Channel<unknown>, SEND);
    w.value = value;
    const p = new Promise<void>((resolve, reject) => {
      w.resolve = resolve as (v: unknown) => void;
      w.reject = reject;
    });
    w.promise = p;
    w.parkOn(this.sendq, opts);
    return p;
  }

  recv(opts?: SignalOptions): Promise<T> {
    return demanded(this as Channel<unknown>, this.recvNow(opts));
  }

  private recvNow(opts: SignalOptions | undefined): Promise<T> {
    const stop = stopReason(opts, 'recv');
    if (stop !== GO_ON) return rejectStopped(stop);
    if (this.recvReady()) {
      const v = this.take();
      const done = resolvedWith(v);
      if (current !== null && current.taken !== null) current.taken.track(done, this, v);
      return done;
    }
    if (this.isClosed) return Promise.reject(this.closedRecvError());
    const w = new Waiter(this as Channel<unknown>, RECV);
    const p = new Promise<T>((resolve, reject) => {
      w.resolve = resolve as (v: unknown) => void;
      w.reject = reject;
    });
    w.promise = p;
    if (current !== null && current.taken !== null) w.rec = current.taken.track(p, null, undefined);
    w.parkOn(this.recvq, opts);
    return p;
  }

  trySend(value: T): boolean {
    if (this.isClosed) throw new ChannelClosedError('send on closed channel');
    if (!this.sendReady()) return false;
    this.give(value);
    return true;
  }

  tryRecv(): TryRecvResult<T> {
    // Nothing parks here: the source gets its chance to emit first, then the receive looks.
    demanded(this as Channel<unknown>, undefined);
    // `recvReady()` then `take()` would test the buffer twice, and building the result around a
    // `take()` call makes V8 allocate it first and re-check its map after the call: about 20 of
    // the ~100 instructions per value try-first `chan_buff` ran above the fast-path floor
    // (session 7).
    const buf = this.buf;
    let value: T;
    if (buf !== null && buf.n > 0) value = this.takeBuffered(buf);
    else if (this.sendq.head !== null) value = this.takeSent();
    else return this.isClosed ? DRAINED : EMPTY;
    return { ok: true, value };
  }

  recvCallback(callback: RecvCallback<T>, options?: RecvCallbackOptions): () => boolean {
    checkFunction(callback, 'recvCallback: callback');
    checkObject(options, 'recvCallback: options');
    const repeat = options?.repeat;
    if (repeat !== undefined && typeof repeat !== 'boolean') {
      throw new TypeError(
        `recvCallback: options.repeat must be a boolean, got ${describeValue(repeat)}`,
      );
    }
    return demanded(this as Channel<unknown>, this.recvCallbackNow(callback, repeat === true));
  }

  private recvCallbackNow(callback: RecvCallback<T>, repeat: boolean): () => boolean {
    // With `repeat`, a callback that returns true asks for the next value too: ready values are
    // delivered in a loop (no recursion), then one waiter is parked and re-armed after each
    // hand-off.
    for (;;) {
      if (this.recvReady()) {
        if (callback(this.take(), true, undefined) !== true || !repeat) return NOT_PARKED;
        continue;
      }
      if (this.isClosed) {
        callback(undefined, false, this.closeError);
        return NOT_PARKED;
      }
      const w = new Waiter(this as Channel<unknown>, RECV);
      w.cb = callback as RecvCallback<unknown>;
      w.listens = repeat ? REPEATING : LISTENER;
      w.parkOn(this.recvq, undefined);
      return () => w.withdraw();
    }
  }

  /**
   * Re-arms a persistent callback receiver after a hand-off (its callback returned true): delivers
   * what is ready now, then parks the same waiter again at the tail of the queue.
   * Precondition: `w` has left the queue and is unparked; called with `current` cleared.
   */
  rearm(w: Waiter, cb: RecvCallback<unknown>): void {
    for (;;) {
      if (this.recvReady()) {
        if (invokeRecv(cb, this.take(), true, undefined) !== true) return;
        continue;
      }
      if (this.isClosed) {
        invokeRecv(cb, undefined, false, this.closeError);
        return;
      }
      w.cb = cb;
      w.parkOn(this.recvq, undefined);
      return;
    }
  }

  close(error?: Error): void {
    if (error !== undefined && !isErrorLike(error)) {
      throw new TypeError(
        `close: error must be an Error or undefined, got ${describeValue(error)} (receivers ` +
          'reject with it, and code that catches expects an Error)',
      );
    }
    if (this.isClosed) throw new ChannelClosedError('close of closed channel');
    if (this.closeWatches !== null && this.closeWatches.length > 0) {
      for (const fn of [...this.closeWatches]) fn();
      // A watch may have closed the channel itself (a thread's close that came first).
      if (this.isClosed) throw new ChannelClosedError('close of closed channel');
    }
    this.isClosed = true;
    this.closeError = error;
    // State is final before anyone is woken: a woken callback that re-enters sees a closed channel.
    let w: Queued | null;
    while ((w = this.recvq.shift()) !== null) w.done(undefined, false, error);
    while ((w = this.sendq.shift()) !== null) {
      w.value = undefined;
      w.done(undefined, false, new ChannelClosedError('send on closed channel'));
    }
    if (this.demand !== null) {
      this.demand = null;
      demandSettled();
    }
    if (this.onClose !== undefined) this.onClose(error);
  }

  /**
   * Puts a value taken for a killed goroutine back (see taken.ts): to the longest-waiting
   * receiver, else into the buffer ahead of every value never taken, among the other put-back
   * values in the order they were first taken (`seq`). May exceed `capacity` by design.
   */
  unrecv(value: unknown, seq: number): void {
    const r = this.recvq.shift();
    if (r !== null) {
      this.backSeq = seq;
      r.done(value, true, undefined);
      this.backSeq = 0;
      return;
    }
    const seqs = (this.backSeqs ??= []);
    let k = seqs.length;
    while (k > 0 && seqs[k - 1]! > seq) k--;
    seqs.splice(k, 0, seq);
    (this.buf ??= new Ring<T>(1, true)).insert(k, value as T);
  }

  closedRecvError(): Error {
    return this.closeError ?? new ChannelClosedError('receive from closed channel');
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return new ChanIterator(this, undefined);
  }

  /** `for await` with an AbortSignal or a goroutine's context (see `range`). */
  iterate(opts: SignalOptions | undefined): AsyncIterableIterator<T> {
    checkOptions(opts, 'range');
    return new ChanIterator(this, opts);
  }

  describe(): string {
    return this.name !== undefined ? `chan "${this.name}"` : `chan #${this.id}`;
  }

  toString(): string {
    return `Chan(${this.name ?? `#${this.id}`})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const cap = this.capacity === Infinity ? 'unbounded' : String(this.capacity);
    return (
      `Chan ${this.name !== undefined ? JSON.stringify(this.name) : `#${this.id}`} ` +
      `{ capacity: ${cap}, length: ${this.length}, closed: ${this.isClosed}, ` +
      `waitingReceivers: ${this.recvq.size}, waitingSenders: ${this.sendq.size} }`
    );
  }

  assertInvariants(): void {
    const bufN = this.buf === null ? 0 : this.buf.n;
    const bad =
      (this.recvq.head !== null && (bufN > 0 || this.sendq.head !== null)) ||
      (this.sendq.head !== null && bufN < this.cap) ||
      (this.isClosed && (this.recvq.head !== null || this.sendq.head !== null));
    if (bad) throw new Error(`gorx internal invariant broken on ${this.describe()}: this is a bug`);
  }
}
