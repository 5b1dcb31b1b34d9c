/**
 * The worker-thread half of a run's channel bridge: the bridged channels the thread module
 * receives, and the table of their operations waiting for the main thread.
 *
 * Invariants:
 * - every operation in `ops` has been posted (or is in the outbox) and is answered exactly once
 *   by the main side: a result, or the answer to its CANCEL;
 * - a received value is acknowledged (ACK) when it is handed to the thread's code, and never
 *   handed over once its operation was cancelled (the main side then puts it back);
 * - `credit[id]` is how many sends on channel `id` the main side has promised room for, not
 *   counting the top-ups added to its word since `topUpsSeen[id]` (taken by `absorb`);
 * - a send on credit is written to the send ring (then accepted or rejected at once) or posted
 *   (then accepted or rejected right after the batch carrying it is posted) in the run's
 *   `decided` words (protocol.ts), and only then settles: it resolves iff the main side delivers
 *   its value, and rejects ChannelClosedError iff the value is dropped;
 * - the outbox is empty when a value is written to the send ring (flushed first), so the main
 *   side, reading the ring up to each batch's position, sees operations in the thread's order.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { ChannelClosedError, type OpOptions } from 'gorx';
import { decodeError, type Encoded } from './error-codec.js';
import * as P from './protocol.js';
import type { RingWriter } from './send-ring.js';

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * How long a send out of credit waits for a top-up before it asks by message (ThreadBridge
 * .waitForTopUp). It blocks the thread's event loop meanwhile, like a trySend's round trip: a
 * timer or message of the thread is handled at most this much later.
 */
export const TOP_UP_WAIT_MS = 0.2;

/**
 * Options of a send on a bridged channel (in a thread module): `transfer` moves ArrayBuffers and
 * MessagePorts to the main thread instead of copying them.
 *
 * @example
 * ```ts
 * import type { Chan } from 'gorx';
 * import type { BridgedSendOptions } from 'gorx/threads';
 *
 * export async function render(_ctx: unknown, out: Chan<ArrayBuffer>): Promise<void> {
 *   const pixels = new ArrayBuffer(1 << 20);
 *   const options: BridgedSendOptions = { transfer: [pixels] };
 *   await out.send(pixels, options);
 * }
 * ```
 */
export interface BridgedSendOptions extends OpOptions {
  transfer?: readonly Transferable[] | undefined;
}

interface PendingOp {
  readonly kind: number;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  /** Set once a CANCEL was posted: the answer to it settles the operation. */
  cancelling: boolean;
  /** What a cancelled select settles with when withdrawn (a promise case that won), else a rejection. */
  onWithdrawn: (() => void) | null;
  /** A result that arrived while cancelling (used if the main side says it was not withdrawn). */
  late: (() => void) | null;
  /** For selects: the kinds of the cases (0 recv, 1 send, -1 other). */
  caseKinds: number[] | null;
  cleanup: (() => void) | null;
}

export type Transferable = ArrayBuffer | MessagePort;

export class ThreadBridge {
  private readonly ops = new Map<number, PendingOp>();
  private nextSeq = 1;
  private out: P.Op[] = [];
  private transfer: Transferable[] = [];
  private flushing = false;
  private acks: number[] | null = null;
  ended = false;
  onKill: ((reason: unknown) => void) | null = null;
  readonly credit: number[] = [];
  readonly closedSeen: boolean[] = [];
  /** Number (modulo 2^30) of the next send on credit, per channel. */
  private readonly creditNext: number[] = [];
  /** Sends on credit in the outbox, four entries each: channel id, number, resolve, reject. */
  private onCredit: unknown[] = [];

  /** The thread's ports serve its runs in turn: batches carry the run id (see MainBridge). */
  constructor(
    readonly runId: number,
    private readonly port: MessagePort,
    private readonly syncPort: MessagePort,
    readonly shared: Int32Array,
    /** The run's `decided` words (protocol.ts). */
    readonly decided: Int32Array,
    /** The run's top-up words (protocol.ts `runWords`), read by `absorb`. */
    private readonly topUps: Int32Array,
    /** The run's send ring (send-ring.ts), when it has a buffered channel. */
    private readonly ring: RingWriter | null,
  ) {}

  /** Registers a channel of the arguments; returns its id (see BridgedChan). */
  register(d: P.ChannelDescriptor): number {
    const id = d[P.CHANNEL_KEY];
    this.credit[id] = d.credit;
    this.closedSeen[id] = false;
    this.creditNext[id] = 0;
    this.topUpsSeen[id] = 0;
    this.sendOps[id] = 0;
    return id;
  }

  /**
   * A send within the credit of channel `id` (precondition: `credit[id] > 0`, not closed as far
   * as known). A small value is written to the send ring and settles at once; another one
   * settles when the batch carrying it has been posted and the send decided.
   */
  sendOnCredit(id: number, value: unknown, transfer?: readonly Transferable[]): Promise<void> {
    if ((Atomics.load(this.decided, id) & P.DECIDED_CLOSED) !== 0) {
      // Closed on the main side already: no credit; the send asks and rejects like any other.
      this.sawClosed(id);
      return Promise.reject(new ChannelClosedError('send on closed channel'));
    }
    if (this.ring !== null && transfer === undefined) {
      // Ops made before go first (the main side reads the ring up to a batch's position before
      // applying the batch), so the main side sees the thread's operations in its order.
      if (this.out.length > 0) this.flush();
      const wrote = this.ring.write(id, value);
      if (wrote !== false) {
        if (wrote === 'wake') this.wake();
        const n = this.creditNext[id]!;
        this.creditNext[id] = (n + 1) & P.DECIDED_MASK;
        this.credit[id]!--;
        // Written is visible to the main side: accepted now, the send has happened.
        return this.accept(id, n)
          ? RESOLVED
          : Promise.reject(new ChannelClosedError('send on closed channel'));
      }
    }
    const n = this.creditNext[id]!;
    this.creditNext[id] = (n + 1) & P.DECIDED_MASK;
    this.credit[id]!--;
    const pending = this.onCredit;
    const promise = new Promise<void>((resolve, reject) => pending.push(id, n, resolve, reject));
    this.post([P.SEND_CREDIT, id, value], transfer);
    return promise;
  }

  /** Accepts send `n` on channel `id` unless the main side closed it first (then: was it before?). */
  private accept(id: number, n: number): boolean {
    const end = (n + 1) & P.DECIDED_MASK;
    // The usual case first: nobody but this thread moved the word since its last send.
    if (Atomics.compareExchange(this.decided, id, n, end) === n) return true;
    for (;;) {
      const d = Atomics.load(this.decided, id);
      if ((d & P.DECIDED_CLOSED) !== 0) {
        this.sawClosed(id);
        return P.before(n, d & P.DECIDED_MASK);
      }
      if (!P.before(d, end)) return true; // the main side accepted it already
      if (Atomics.compareExchange(this.decided, id, d, end) === d) return true;
    }
  }

  /**
   * Tells the main side the send ring has entries: a RING op posted at once, in a batch of its
   * own (the outbox was flushed before the write, so order holds). Not at the end of the
   * microtask: a send that is not awaited, followed by CPU work, is then seen while the work runs,
   * and the main side starts reading while the producer goes on writing.
   */
  private wake(): void {
    this.port.postMessage([this.runId, this.ring!.position, [P.RING]]);
  }

  /**
   * Decides the sends on credit of a batch just posted: per channel, accepts them all with one
   * compare-and-swap unless the main side closed it first (then those it had accepted stand).
   */
  private decide(pending: unknown[]): void {
    const limits = new Map<number, number>();
    for (let i = pending.length - 4; i >= 0; i -= 4) {
      const id = pending[i] as number;
      if (limits.has(id)) continue;
      const end = ((pending[i + 1] as number) + 1) & P.DECIDED_MASK;
      let limit = -1; // -1: all accepted
      for (;;) {
        const d = Atomics.load(this.decided, id);
        if ((d & P.DECIDED_CLOSED) !== 0) {
          limit = d & P.DECIDED_MASK;
          this.sawClosed(id);
          break;
        }
        if (!P.before(d, end)) break; // the main side accepted them already
        if (Atomics.compareExchange(this.decided, id, d, end) === d) break;
      }
      limits.set(id, limit);
    }
    for (let i = 0; i < pending.length; i += 4) {
      const limit = limits.get(pending[i] as number)!;
      if (limit < 0 || P.before(pending[i + 1] as number, limit)) {
        (pending[i + 2] as () => void)();
      } else {
        (pending[i + 3] as (e: unknown) => void)(new ChannelClosedError('send on closed channel'));
      }
    }
  }

  post(op: P.Op, transfer?: readonly Transferable[]): void {
    this.out.push(op);
    if (transfer !== undefined) {
      for (const t of transfer) this.transfer.push(t);
      (this.transfers ??= new Map()).set(op, transfer);
    }
    if (!this.flushing) {
      this.flushing = true;
      queueMicrotask(this.flush);
    }
  }

  readonly flush = (): void => {
    this.flushing = false;
    if (this.acks !== null) {
      // Acks go first: the main side must know what the code saw before it reads a DONE.
      this.out.unshift(this.acks);
      this.acks = null;
      // They ride on this batch: the turn of the event loop that would post them is not needed.
      if (this.ackImmediate !== null) {
        clearImmediate(this.ackImmediate);
        this.ackImmediate = null;
      }
    }
    if (this.out.length === 0) return;
    const batch = this.out;
    const transfer = this.transfer;
    const transfers = this.transfers;
    this.out = [];
    this.transfer = [];
    this.transfers = null;
    const pending = this.onCredit;
    this.onCredit = [];
    const position = (this.ring?.position ?? 0) as unknown as P.Op;
    try {
      this.port.postMessage([this.runId, position, ...batch], transfer);
    } catch {
      // Not posted (a value that cannot be cloned): nothing of it was sent. Posted op by op, so
      // only the ops whose values cannot be cloned fail.
      this.postEach(batch, position, transfers, pending);
      return;
    }
    if (pending.length > 0) this.decide(pending);
  };

  /** Transfer lists of the ops in the outbox that have one. */
  private transfers: Map<P.Op, readonly Transferable[]> | null = null;
  /** The error of a SYNC op that could not be posted (see `sync`). */
  private syncError: { e: unknown } | null = null;

  /**
   * Posts `ops` one batch each, in order. An op whose value cannot be cloned fails alone: a send
   * or select rejects with the clone error, a synchronous request throws it (`sync`), a send on
   * credit rejects and is posted as VOID_CREDIT (the main side counts its number and its credit,
   * so the numbering and the credit stay in step). Any other op (DONE, heartbeat details) is
   * the caller's error: thrown once everything else is posted.
   */
  private postEach(
    ops: P.Op[],
    position: P.Op,
    transfers: Map<P.Op, readonly Transferable[]> | null,
    pending: unknown[],
  ): void {
    let k = 0; // the next send on credit's entry in `pending`
    const accepted: unknown[] = [];
    let thrown: { e: unknown } | null = null;
    for (const op of ops) {
      const credit = op[0] === P.SEND_CREDIT ? pending.slice(k, (k += 4)) : null;
      try {
        this.port.postMessage([this.runId, position, op], transfers?.get(op) as Transferable[]);
        if (credit !== null) accepted.push(...credit);
        continue;
      } catch (e) {
        switch (op[0]) {
          case P.SEND_CREDIT:
            this.port.postMessage([this.runId, position, [P.VOID_CREDIT, op[1]]]);
            (credit![3] as (e: unknown) => void)(e);
            break;
          case P.SEND:
          case P.SELECT:
            this.settle(op[1] as number, (rec) => rec.reject(e));
            break;
          case P.SYNC:
            this.syncError = { e };
            break;
          default:
            thrown ??= { e };
        }
      }
    }
    if (accepted.length > 0) this.decide(accepted);
    if (thrown !== null) throw thrown.e;
  }

  /**
   * Acknowledges a value handed to the code. Acks ride on the next batch the thread posts anyway
   * (a reply, the next receive) and otherwise go at the end of the thread's event-loop turn: a
   * message per received value would double the messages of a receive loop. The window this
   * leaves: a value seen less than one turn before a terminate is put back too (at-least-once).
   */
  private ack(seq: number): void {
    if (this.acks === null) {
      this.acks = [P.ACK];
      this.ackImmediate ??= setImmediate(this.flushAcks);
    }
    this.acks.push(seq);
  }

  /** The turn-end post of the acks, while pending (cleared when a batch carries them). */
  private ackImmediate: ReturnType<typeof setImmediate> | null = null;
  private readonly flushAcks = (): void => {
    this.ackImmediate = null;
    if (!this.ended && this.acks !== null) this.flush();
  };

  /** Starts an operation that waits for the main side. */
  op<R>(
    kind: number,
    build: (seq: number) => P.Op,
    opts: BridgedSendOptions | undefined,
    caseKinds: number[] | null = null,
  ): { seq: number; promise: Promise<R>; resolve(v: unknown): void; reject(e: unknown): void } {
    const seq = this.nextSeq++;
    const signal = opts?.signal;
    let rec!: PendingOp;
    const promise = new Promise<R>((resolve, reject) => {
      rec = {
        kind,
        resolve: resolve as (v: unknown) => void,
        reject,
        cancelling: false,
        onWithdrawn: null,
        late: null,
        caseKinds,
        cleanup: null,
      };
    });
    const out = { seq, promise, resolve: rec.resolve, reject: rec.reject };
    if (this.ended) {
      rec.reject(endedError());
      return out;
    }
    if (signal !== undefined) {
      if (signal.aborted) {
        rec.reject(signal.reason);
        return out;
      }
      const onAbort = (): void => this.cancel(seq, signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      rec.cleanup = () => signal.removeEventListener('abort', onAbort);
    }
    this.ops.set(seq, rec);
    this.post(build(seq), opts?.transfer);
    return out;
  }

  /**
   * Withdraws `seq`. A receive rejects at once (a value already taken for it is put back by the
   * main side); a send or select waits for the main side's answer, since what it offered may
   * already have been taken.
   */
  cancel(seq: number, reason: unknown, onWithdrawn: (() => void) | null = null): void {
    const rec = this.ops.get(seq);
    if (rec === undefined || rec.cancelling) return;
    rec.cancelling = true;
    rec.onWithdrawn = onWithdrawn ?? (() => rec.reject(reason));
    this.post([P.CANCEL, seq]);
    if (rec.kind === P.RECV) {
      // Keep the entry until the answer so a late result is recognised and dropped.
      rec.onWithdrawn();
      rec.onWithdrawn = () => {};
    }
  }

  /** A kill of the run: every operation still waiting is withdrawn with the exit. */
  cancelAll(reason: unknown): void {
    for (const seq of [...this.ops.keys()]) this.cancel(seq, reason);
  }

  private settle(seq: number, fn: (rec: PendingOp) => void): void {
    const rec = this.ops.get(seq);
    if (rec === undefined) return;
    if (rec.cancelling) {
      rec.late = () => fn(rec);
      return;
    }
    this.ops.delete(seq);
    this.left(rec);
    rec.cleanup?.();
    fn(rec);
  }

  /** Sends waiting for the main side's verdict, per channel (see `gotCredit`). */
  private readonly sendOps: number[] = [];
  /** The value of each channel's top-up word when `absorb` last took from it. */
  private readonly topUpsSeen: number[] = [];

  /**
   * Takes the credit the main side added to the top-up word of channel `id` since the last look
   * (see `gotCredit`: while a send of the thread on `id` waits for its verdict it goes back).
   * Returns whether the thread now has credit on `id`.
   */
  absorb(id: number): boolean {
    const t = Atomics.load(this.topUps, id);
    const n = (t - this.topUpsSeen[id]!) | 0;
    if (n !== 0) {
      this.topUpsSeen[id] = t;
      this.gotCredit(id, n);
    }
    return this.credit[id]! > 0;
  }

  /**
   * A send on channel `id` found no credit, not even in the top-up word: waits up to
   * TOP_UP_WAIT_MS for the main side to add some (it notifies the word as it does), blocking
   * this thread, and takes what came. A consumer that keeps draining tops the credit up a
   * quarter of the capacity at a time, well within the wait: the producer then goes on without a
   * message, where asking by message (a send waiting for its verdict) would put it to sleep until
   * the reply wakes it, each time its credit runs out. Not while a send of the thread on `id`
   * waits for its verdict (top-ups then go back, see `gotCredit`), nor once the channel is known
   * closed. Returns whether the thread now has credit on `id`.
   */
  waitForTopUp(id: number): boolean {
    if (this.sendOps[id]! > 0 || (Atomics.load(this.decided, id) & P.DECIDED_CLOSED) !== 0) {
      return false;
    }
    Atomics.wait(this.topUps, id, this.topUpsSeen[id]!, TOP_UP_WAIT_MS);
    return this.absorb(id);
  }

  /** `rec` left the table of waiting operations. */
  private left(rec: PendingOp): void {
    const r = rec as PendingOp & { id?: number; sendIds?: number[] };
    if (r.id !== undefined) this.sendLeft(r.id);
    if (r.sendIds !== undefined) for (const id of r.sendIds) this.sendLeft(id);
  }

  /**
   * A send on `id` waiting for its verdict has it. The top-ups added while it waited were
   * computed without counting it: they go back (absorbed while it still counts), see `gotCredit`.
   */
  private sendLeft(id: number): void {
    this.absorb(id);
    this.sendOps[id] = this.sendOps[id]! - 1;
  }

  /** A select's send cases wait for the verdict like sends (see `gotCredit`). */
  countSelectSends(seq: number, sendIds: number[]): void {
    const rec = this.ops.get(seq);
    if (rec === undefined || sendIds.length === 0) return;
    (rec as PendingOp & { sendIds?: number[] }).sendIds = sendIds;
    for (const id of sendIds) this.sendOps[id] = this.sendOps[id]! + 1;
  }

  /**
   * Credit for channel `id` arrived (a top-up found by `absorb`, or a send's answer). While a send
   * of the thread on it waits for the main side's verdict, the main side computed a top-up
   * without counting that send, which may still be on its way and take one of the slots: the
   * credit goes back (the capacity bound would otherwise be exceeded by one per such send). A
   * send's own answer comes after it counted. `absorb` runs before a send is posted without
   * credit, so every top-up it finds later was added after that send was made.
   */
  private gotCredit(id: number, n: number): void {
    if (n <= 0 || this.closedSeen[id]) return;
    if (this.sendOps[id]! > 0) this.post([P.CREDIT, id, n]);
    else this.credit[id] = this.credit[id]! + n;
  }

  /** A batch from the main side: [runId, ...ops]. */
  receive(batch: unknown[]): void {
    if (batch[0] !== this.runId) return;
    for (let i = 1; i < batch.length; i++) {
      const op = batch[i] as P.Op;
      switch (op[0]) {
        case P.RECV: {
          const seq = op[1] as number;
          const ok = op[2] as boolean;
          this.settle(seq, (rec) => {
            if (ok) {
              this.ack(seq);
              rec.resolve(rec.caseKinds === ITERATE ? { value: op[3], done: false } : op[3]);
            } else if (op[3] === undefined && rec.caseKinds === ITERATE) {
              rec.resolve({ value: undefined, done: true });
            } else {
              rec.reject(op[3] === undefined ? closedRecv() : decodeError(op[3] as Encoded));
            }
          });
          break;
        }
        case P.SEND: {
          const seq = op[1] as number;
          this.settle(seq, (rec) => {
            if (op[2] as boolean) {
              this.addCredit(rec, op[3] as number);
              rec.resolve(undefined);
            } else rec.reject(decodeError(op[4] as Encoded));
          });
          break;
        }
        case P.SELECT: {
          const seq = op[1] as number;
          const index = op[2] as number;
          const ok = op[4] as boolean;
          const spent = op[5] as number;
          if (spent >= 0) this.spendCredit(spent);
          this.settle(seq, (rec) => {
            if (rec.caseKinds![index] === 0 && ok) this.ack(seq);
            rec.resolve({ index, value: op[3], ok });
          });
          break;
        }
        case P.SELECT_ERROR:
          this.settle(op[1] as number, (rec) => rec.reject(decodeError(op[2] as Encoded)));
          break;
        case P.CANCEL: {
          const seq = op[1] as number;
          const rec = this.ops.get(seq);
          if (rec === undefined) break;
          this.ops.delete(seq);
          this.left(rec);
          rec.cleanup?.();
          // A receive was settled when it was cancelled; its late value (if any) was put back.
          if (rec.kind === P.RECV) break;
          // Not withdrawn: the send (or a send case) had already been taken, so it happened.
          if (!(op[2] as boolean) && rec.late !== null) rec.late();
          else rec.onWithdrawn?.();
          break;
        }
        case P.CLOSED:
          this.sawClosed(op[1] as number);
          break;
        case P.KILL: {
          // After the microtasks of this batch: a value delivered in the same batch reaches the
          // code (a generator resumes from its yield) before the kill stops it; it was already
          // acknowledged, so it must be seen.
          const reason = decodeError(op[1] as Encoded);
          setImmediate(() => this.onKill?.(reason));
          break;
        }
      }
    }
  }

  /** Send credit comes back with a send's answer; the channel id is kept on the record. */
  private addCredit(rec: PendingOp, n: number): void {
    const id = (rec as PendingOp & { id?: number }).id;
    if (id !== undefined) this.gotCredit(id, n);
  }

  /**
   * A send the main side made for the thread outside its credit (a trySend, a select's send
   * case) took a slot reserved for that credit: one credit is spent (the count may go negative
   * while credit the main side granted is still on its way; that credit then makes up for it).
   */
  spendCredit(id: number): void {
    if (!this.closedSeen[id]) this.credit[id] = this.credit[id]! - 1;
  }

  /** The channel is closed: sends stop using credit (they ask the main side, and reject). */
  sawClosed(id: number): void {
    this.closedSeen[id] = true;
    this.credit[id] = 0;
  }

  setOpChannel(seq: number, id: number): void {
    const rec = this.ops.get(seq);
    if (rec === undefined) return;
    (rec as PendingOp & { id?: number }).id = id;
    this.sendOps[id] = this.sendOps[id]! + 1;
  }

  /** A synchronous request: flushes the outbox, then blocks until the main side answers. */
  sync(kind: number, id: number, value: unknown, transfer?: readonly Transferable[]): unknown[] {
    if (this.ended) throw endedError();
    const seq = this.nextSeq++;
    this.post([P.SYNC, kind, seq, id, value], transfer);
    this.flush();
    const failed = this.syncError;
    if (failed !== null) {
      // Not posted (its value cannot be cloned): no answer is coming.
      this.syncError = null;
      throw failed.e;
    }
    while (Atomics.load(this.shared, P.SYNC_FLAG) === 0) {
      Atomics.wait(this.shared, P.SYNC_FLAG, 0);
    }
    Atomics.store(this.shared, P.SYNC_FLAG, 0);
    const reply = receiveMessageOnPort(this.syncPort)!.message as unknown[];
    if (reply[0] !== true) throw decodeError(reply[1] as Encoded);
    if (kind === P.SYNC_TRY_RECV && reply[1] === true) this.ack(seq);
    return reply;
  }

  /** The run ended: pending operations (abandoned by the code) fail; no more messages. */
  end(): void {
    this.flush();
    this.ended = true;
    if (this.ops.size === 0) return; // the usual case: no error to build (a stack costs)
    const e = endedError();
    for (const rec of this.ops.values()) {
      rec.cleanup?.();
      if (!rec.cancelling) rec.reject(e);
    }
    this.ops.clear();
  }
}

/** caseKinds marker of a receive made by `for await`: closed ends the iteration. */
export const ITERATE: number[] = [];

function closedRecv(): Error {
  return new ChannelClosedError('receive from closed channel');
}

export function endedError(): Error {
  return new ChannelClosedError('bridged channel of a thread run that has ended');
}
