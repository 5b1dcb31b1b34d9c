/**
 * The main-thread half of a run's channel bridge: performs the thread's channel operations on the
 * original channels, with their semantics, and keeps every value taken for the thread until the
 * thread acknowledges it.
 *
 * Invariants:
 * - `inTransit` holds every value taken from a channel for the thread and not yet acknowledged;
 *   a CANCEL of its seq, the end of the run or a terminate puts it back at the head of its
 *   channel (latest first, so the earliest ends at the head): nothing taken for the thread is
 *   lost; a value the thread's code saw but had not acknowledged when it was terminated is put
 *   back too (at-least-once across a terminate);
 * - `parked` holds the withdraw function of every operation waiting on a channel for the thread;
 * - for each channel, `granted[id] + length <= capacity` when credit is granted, so a producer in
 *   the thread never runs further ahead than the capacity, with the values in transit counted
 *   (other producers on the channel may take reserved slots; a credited value then goes into
 *   the buffer past capacity, `giveReserved`, never into the send queue a close would empty);
 * - a send on credit is delivered exactly when it is accepted in the run's `decided` words
 *   (protocol.ts): at a close of the channel (`closing`), every accepted value still in the port
 *   or the send ring is taken from it synchronously and delivered before the channel is marked
 *   closed; later ones are dropped (their sends reject in the thread);
 * - the send ring is read up to a batch's ring position before the batch's ops are applied, and
 *   a look at the ring (`readRing`) applies the batches already in the port before it reads the
 *   rest, so the thread's operations take effect in the order it made them (a close excepted,
 *   see `closing`);
 * - while the send ring's WAKE flag is set, a RING op is on its way or a look at the ring is
 *   scheduled (`pollHandle`), so no entry is left unread (`drain`);
 * - a trySend or select send case made for the thread that takes a slot its credit reserved
 *   spends one credit (`spend`), so with the thread as the one producer the capacity bounds
 *   the buffer.
 */
import { setImmediate } from 'node:timers';
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { type Chan, isChan, recv, selectCallback, send, trySelect, type SelectCase } from 'gorx';
import { mapArgs } from './args.js';
import { decodeError, encodeError, type Encoded } from './error-codec.js';
import * as P from './protocol.js';
import { addCloseWatch, addTakeWatch, giveReserved, unrecv } from './core-channel.js';
import { RING_BYTES, RingReader } from './send-ring.js';

interface Taken {
  readonly ch: Chan<unknown>;
  readonly value: unknown;
}

/** The most credit one top-up adds to a channel's top-up word (see `taken`). */
const MAX_TOP_UP = 2 ** 30;

export class MainBridge {
  private readonly chans: Chan<unknown>[] = [];
  private readonly ids = new Map<Chan<unknown>, number>();
  private readonly granted: number[] = [];
  /** Number (modulo 2^30) of the next send on credit to arrive, per channel. */
  private readonly arrived: number[] = [];
  /** A number (modulo 2^30) below which every send on credit is known accepted, per channel. */
  private readonly acceptedSeen: number[] = [];
  /** Sends on credit accepted when the channel was closed (see `closing`), or -1 while open. */
  private readonly acceptedAtClose: number[] = [];
  private readonly unwatch: (() => void)[] = [];
  /** The run's `decided` and top-up words (protocol.ts `runWords`); made once the args are encoded. */
  private words: SharedArrayBuffer | null = null;
  private decided: Int32Array = P.runWords(null).decided;
  private topUps: Int32Array = this.decided;
  /** The run's send ring (send-ring.ts), when it has a buffered channel. */
  private ring: RingReader | null = null;
  private readonly deliverRing = (id: number, v: unknown): void => this.creditSend(id, v);
  /** The batch being applied and the position of its next op (see `closing`), or null. */
  private batch: unknown[] | null = null;
  private pos = 0;
  private readonly inTransit = new Map<number, Taken>();
  private readonly parked = new Map<number, () => boolean>();
  private out: P.Op[] = [];
  private outCount = 0;
  private flushing = false;
  private ended = false;
  /** Latest details given to ctx.heartbeat(details) in the thread. */
  onHeartbeatDetails: ((details: unknown) => void) | null = null;
  onDone: ((outcome: number, value: unknown) => void) | null = null;

  /**
   * The ports and shared memory belong to the thread and serve its runs one after the other;
   * every batch starts with the run's id, so a late message of an earlier run is ignored.
   */
  constructor(
    readonly runId: number,
    private readonly port: MessagePort,
    private readonly syncPort: MessagePort,
    private readonly shared: Int32Array,
  ) {}

  /** Replaces channels in `args` by descriptors (and registers them). */
  encodeArgs(args: readonly unknown[]): unknown[] {
    const encoded = mapArgs(args, (v) => (isChan(v) ? this.describe(v) : undefined)) as unknown[];
    if (this.chans.length > 0) {
      this.words = new SharedArrayBuffer(8 * this.chans.length);
      const words = P.runWords(this.words);
      this.decided = words.decided;
      this.topUps = words.topUps;
    }
    if (this.chans.some((ch) => ch.capacity > 0)) {
      this.ring = new RingReader(new SharedArrayBuffer(RING_BYTES));
    }
    return encoded;
  }

  /** The run's shared words to send with it (after `encodeArgs`), or null without channels. */
  get decidedBuffer(): SharedArrayBuffer | null {
    return this.words;
  }

  /** The send ring to send with the run (after `encodeArgs`), or null without a buffered channel. */
  get ringBuffer(): SharedArrayBuffer | null {
    return this.ring === null ? null : this.ring.buffer;
  }

  private describe(ch: Chan<unknown>): P.ChannelDescriptor {
    let id = this.ids.get(ch);
    if (id === undefined) {
      id = this.chans.length;
      this.chans.push(ch);
      this.ids.set(ch, id);
      this.granted.push(0);
      this.arrived.push(0);
      this.acceptedSeen.push(0);
      this.acceptedAtClose.push(-1);
      const watched = id;
      this.unwatch.push(addCloseWatch(ch, () => this.closing(watched)));
      this.producing.push(false);
      if (ch.capacity > 0 && ch.capacity !== Infinity) {
        this.unwatch.push(addTakeWatch(ch, () => this.taken(watched)));
      }
    }
    return { [P.CHANNEL_KEY]: id, capacity: ch.capacity, name: ch.name, credit: this.grant(id) };
  }

  /** Credit for the thread's sends on channel `id`: free slots not yet promised (if >= `min`). */
  private grant(id: number, min = 1, max = Infinity): number {
    const ch = this.chans[id]!;
    if (ch.closed) return 0;
    const free = Math.min(max, ch.capacity - ch.length - this.granted[id]!);
    if (!(free >= min)) return 0;
    this.granted[id] = this.granted[id]! + free;
    return free;
  }

  kill(reason: unknown): void {
    this.push([P.KILL, encodeError(reason)]);
  }

  /** The outbox holds the answer to an operation the thread waits for (see `receiveNow`). */
  private answerQueued = false;

  private push(op: P.Op): void {
    if (this.ended) return;
    if (this.outCount++ === 0) this.out.push(this.runId as unknown as P.Op);
    this.out.push(op);
    if (op[0] !== P.CLOSED && op[0] !== P.KILL) this.answerQueued = true;
    if (!this.flushing) {
      this.flushing = true;
      queueMicrotask(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushing = false;
    this.answerQueued = false;
    if (this.outCount === 0 || this.ended) return;
    const batch = this.out;
    this.out = [];
    this.outCount = 0;
    this.port.postMessage(batch);
  };

  /**
   * A batch from the port's message event: applied, then the answers it got are posted at once
   * rather than at the end of the microtask. The thread waits for them, and main-side code they
   * resume (a receive that took the thread's value, a send the thread's receive took) runs in the
   * microtasks after this event: posting first takes that code off the round trip. A batch that
   * got no answer (sends on credit, a ring wake) keeps the end-of-microtask post, so the credit
   * its consumer's takes give back goes in one message.
   */
  receiveNow(batch: unknown[]): void {
    this.receive(batch);
    if (this.answerQueued) this.flush();
  }

  /** A batch from the thread: [runId, ringPosition, ...ops]. */
  receive(batch: unknown[]): void {
    if (batch[0] !== this.runId || this.ended) return;
    // The ring entries written before the batch was posted come before its ops.
    this.ring?.read(this.deliverRing, batch[1] as number);
    const outerBatch = this.batch;
    const outerPos = this.pos;
    this.batch = batch;
    this.pos = 2;
    try {
      this.applyRest();
    } finally {
      this.batch = outerBatch;
      this.pos = outerPos;
    }
  }

  /** Applies the ops of the current batch from `pos` on (a close may do it first, see `closing`). */
  private applyRest(): void {
    const batch = this.batch!;
    while (this.pos < batch.length && !this.ended) {
      const op = batch[this.pos++] as P.Op;
      try {
        this.apply(op);
      } catch (e) {
        // A bug in the bridge, never a user error (those are answered to the thread).
        process.emitWarning(`gorx/threads: bridge error (this is a bug): ${String(e)}`);
      }
    }
  }

  /**
   * Runs at the start of a close of channel `id` (before it is marked closed): decides every send
   * on credit still undecided as rejected, and delivers the accepted ones not applied yet, so
   * they count as sent before the close. The thread writes or posts before it accepts, so each
   * of them is in the rest of the batch being applied (when the close comes from it: the thread's
   * own close, or main-side code its values set off), in the port, or in the send ring; all three
   * are read synchronously, in the thread's order. One exception to that order: ring entries
   * written after the last batch that has arrived are read too, ahead of a batch still in flight;
   * that batch's operations were then made earlier without being awaited (concurrent with the
   * sends, as two goroutines' sends are), and the ring entries must count before the close.
   */
  private closing(id: number): void {
    if (this.ended) return;
    const v = Atomics.or(this.decided, id, P.DECIDED_CLOSED);
    Atomics.notify(this.topUps, id); // a send waiting for a top-up stops waiting
    if (this.acceptedAtClose[id]! < 0) this.acceptedAtClose[id] = v & P.DECIDED_MASK;
    if (this.batch !== null) this.applyRest();
    for (let m = receiveMessageOnPort(this.port); m !== undefined && !this.ended;) {
      this.receive(m.message as unknown[]);
      m = receiveMessageOnPort(this.port);
    }
    if (!this.ended) this.ring?.read(this.deliverRing);
  }

  private apply(op: P.Op): void {
    switch (op[0]) {
      case P.SEND_CREDIT:
        return this.creditSend(op[1] as number, op[2]);
      case P.SEND:
        return this.send(op[1] as number, op[2] as number, op[3]);
      case P.RECV:
        return this.recv(op[1] as number, op[2] as number);
      case P.SELECT:
        return this.select(op[1] as number, op[2] as ([number, number, unknown] | null)[]);
      case P.CANCEL:
        return this.cancel(op[1] as number);
      case P.ACK:
        for (let i = 1; i < op.length; i++) this.inTransit.delete(op[i] as number);
        return;
      case P.HEARTBEAT_DETAILS:
        this.onHeartbeatDetails?.(op[1]);
        return;
      case P.SYNC:
        return this.sync(op[1] as number, op[2] as number, op[3] as number, op[4]);
      case P.DONE:
        this.onDone?.(op[1] as number, op[2]);
        return;
      case P.CREDIT:
        this.granted[op[1] as number] = this.granted[op[1] as number]! - (op[2] as number);
        return;
      case P.VOID_CREDIT: {
        const id = op[1] as number;
        this.arrived[id] = (this.arrived[id]! + 1) & P.DECIDED_MASK;
        this.granted[id] = this.granted[id]! - 1;
        return;
      }
      case P.RING:
        return this.woken();
    }
  }

  /**
   * A RING op: the thread wrote to the send ring while WAKE was clear. From here the main side
   * polls the ring once per event-loop turn (`drain`) while it finds entries, keeping WAKE set so
   * the thread posts nothing more; it clears WAKE when a look finds none.
   */
  private woken(): void {
    if (this.pollHandle !== null) return;
    // The batch of this op read the ring up to the entry that posted it: look again next turn.
    this.readRing();
    this.schedulePoll();
  }

  /** Schedules one look at the send ring for the next event-loop turn, unless one is. */
  private schedulePoll(): void {
    // A look may end the run (readRing applies the thread's DONE): then nothing is scheduled.
    if (this.pollHandle !== null || this.ended) return;
    this.pollHandle = setImmediate(this.poll);
  }

  /** The scheduled drain of the send ring (see `drain`), cleared by `end`. */
  private pollHandle: ReturnType<typeof setImmediate> | null = null;
  private readonly poll = (): void => {
    this.pollHandle = null;
    if (!this.ended) this.drain();
  };

  /**
   * Reads the send ring while WAKE is set. Entries found: another look is scheduled for the next
   * event-loop turn (the thread, seeing WAKE set, posts no RING op meanwhile). None: WAKE is
   * cleared, then the ring read once more, for entries written before the thread could see it
   * clear; any entry written after posts a RING op (send-ring.ts).
   */
  private drain(): void {
    // (A RING op read on the way, in readRing, may have scheduled a look already.)
    if (this.readRing() > 0) {
      this.schedulePoll();
      return;
    }
    this.ring!.woken();
    this.readRing();
  }

  /**
   * Reads every entry written up to now, but not ahead of a batch the thread posted before
   * writing it (a send by message, a receive...), or that batch's ops would take effect after
   * sends the thread made later: the batches already in the port are applied first (each reads
   * the ring up to its own position). The thread posts before it writes, so a batch posted
   * before an entry at or below `end` is in the port by the time WRITE shows that entry.
   * Returns how many slots were read.
   */
  private readRing(): number {
    const ring = this.ring!;
    const start = ring.consumed;
    const end = ring.position;
    for (let m = receiveMessageOnPort(this.port); m !== undefined && !this.ended;) {
      this.receive(m.message as unknown[]);
      m = receiveMessageOnPort(this.port);
    }
    if (!this.ended) ring.read(this.deliverRing, end);
    return (ring.consumed - start) | 0;
  }

  private creditSend(id: number, value: unknown): void {
    const ch = this.chans[id]!;
    this.producing[id] = true;
    const n = this.arrived[id]!;
    this.arrived[id] = (n + 1) & P.DECIDED_MASK;
    this.granted[id] = this.granted[id]! - 1;
    const atClose = this.acceptedAtClose[id]!;
    if (atClose >= 0) {
      // Closed: delivered only if accepted before the close; else its send rejects in the thread.
      if (P.before(n, atClose)) giveReserved(ch, value);
      return;
    }
    // Open: accept it on the thread's behalf if the thread has not yet (it may be terminated
    // right after posting), so a close from now on counts it as sent. The thread accepts as it
    // writes, so one look at the word usually covers a whole batch read from the ring.
    if (!P.before(n, this.acceptedSeen[id]!)) {
      for (;;) {
        const d = Atomics.load(this.decided, id);
        if ((d & P.DECIDED_CLOSED) !== 0 || P.before(n, d & P.DECIDED_MASK)) {
          this.acceptedSeen[id] = d & P.DECIDED_MASK;
          break;
        }
        const end = (n + 1) & P.DECIDED_MASK;
        if (Atomics.compareExchange(this.decided, id, d, end) === d) {
          this.acceptedSeen[id] = end;
          break;
        }
      }
    }
    giveReserved(ch, value);
  }

  private send(seq: number, id: number, value: unknown): void {
    const ch = this.chans[id]!;
    this.producing[id] = true;
    this.answered = false;
    const cancel = selectCallback(
      [send(ch, value)],
      () => {
        this.answered = true;
        this.parked.delete(seq);
        this.push([P.SEND, seq, true, this.grant(id), undefined]);
      },
      (e) => {
        this.answered = true;
        this.parked.delete(seq);
        this.push([P.SEND, seq, false, 0, encodeError(e)]);
        this.push([P.CLOSED, id]);
      },
    );
    if (!this.answered) this.parked.set(seq, cancel);
  }

  /** Channels the thread has sent on (they get credit top-ups, see `taken`). */
  private readonly producing: boolean[] = [];

  /**
   * A value left the buffer of channel `id`. A producer in the thread gets the room as credit
   * while the consumer drains, a quarter of the capacity at a time, so it refills the buffer
   * while the consumer still has values: without it the producer runs out of credit, asks (a
   * round trip during which it stops), and the flow pauses at every capacity's worth of values.
   * The credit is added to the channel's top-up word, where the thread finds it when it needs
   * it (ThreadBridge.absorb), or is woken by it if it waits for it (ThreadBridge.waitForTopUp):
   * no message.
   */
  private taken(id: number): void {
    if (this.ended || !this.producing[id]) return;
    // At most 2^30 per top-up: the thread reads the word's difference as an Int32.
    const n = this.grant(id, Math.min(this.chans[id]!.capacity / 4, MAX_TOP_UP), MAX_TOP_UP);
    if (n > 0) {
      Atomics.add(this.topUps, id, n);
      Atomics.notify(this.topUps, id);
    }
  }

  private recv(seq: number, id: number): void {
    const ch = this.chans[id]!;
    this.answered = false;
    const cancel = ch.recvCallback((value, ok, error) => {
      this.answered = true;
      this.parked.delete(seq);
      if (ok) {
        this.inTransit.set(seq, { ch, value });
        this.push([P.RECV, seq, true, value]);
      } else {
        this.push([P.RECV, seq, false, error === undefined ? undefined : encodeError(error)]);
      }
    });
    if (!this.answered) this.parked.set(seq, cancel);
  }

  private select(seq: number, raw: ([number, number, unknown] | null)[]): void {
    const cases = this.cases(raw);
    this.answered = false;
    const cancel = selectCallback(
      cases,
      (r) => {
        this.answered = true;
        this.parked.delete(seq);
        const c = raw[r.index]!;
        if (c[0] === 0 && r.ok) this.inTransit.set(seq, { ch: this.chans[c[1]]!, value: r.value });
        const spent = c[0] === 1 ? this.spend(c[1]) : -1;
        this.push([P.SELECT, seq, r.index, r.value, r.ok, spent]);
      },
      (e) => {
        this.answered = true;
        this.parked.delete(seq);
        this.push([P.SELECT_ERROR, seq, encodeError(e)]);
      },
    );
    if (!this.answered) this.parked.set(seq, cancel);
  }

  private cases(raw: ([number, number, unknown] | null)[]): SelectCase[] {
    return raw.map((c) =>
      c === null
        ? recv(null)
        : c[0] === 0
          ? recv(this.chans[c[1]]!)
          : send(this.chans[c[1]]!, c[2]),
    );
  }

  /**
   * A send the main side made for the thread outside its credit (a trySend, a select's send case)
   * has happened on channel `id`. If the buffer and the thread's credit now exceed the capacity,
   * the value took a slot reserved for that credit: the thread spends one credit for it (the
   * reply tells it), so the capacity keeps bounding the buffer. Returns `id` if so, else -1.
   */
  private spend(id: number): number {
    const ch = this.chans[id]!;
    const g = this.granted[id]!;
    if (!(g > 0) || g === Infinity || ch.length + g <= ch.capacity) return -1;
    this.granted[id] = g - 1;
    return id;
  }

  /** Scratch flag: did the callback of the operation being set up run synchronously. */
  private answered = false;

  private cancel(seq: number): void {
    const withdraw = this.parked.get(seq);
    if (withdraw !== undefined) {
      this.parked.delete(seq);
      withdraw();
      this.push([P.CANCEL, seq, true]);
      return;
    }
    const taken = this.inTransit.get(seq);
    if (taken !== undefined) {
      this.inTransit.delete(seq);
      unrecv(taken.ch, taken.value);
      this.push([P.CANCEL, seq, true]);
      return;
    }
    this.push([P.CANCEL, seq, false]);
  }

  private sync(kind: number, seq: number, id: number, value: unknown): void {
    let reply: unknown[];
    try {
      reply = this.syncReply(kind, seq, id, value);
    } catch (e) {
      reply = [false, encodeError(e)];
    }
    this.syncPort.postMessage(reply);
    Atomics.store(this.shared, P.SYNC_FLAG, 1);
    Atomics.notify(this.shared, P.SYNC_FLAG);
  }

  /** [true, result...] or [false, error]. */
  private syncReply(kind: number, seq: number, id: number, value: unknown): unknown[] {
    const ch = this.chans[id]!; // undefined for SYNC_TRY_SELECT
    switch (kind) {
      case P.SYNC_TRY_SEND: {
        const ok = ch.trySend(value);
        const spent = ok && this.spend(id) >= 0 ? 1 : 0;
        return [true, ok, this.grant(id) - spent];
      }
      case P.SYNC_TRY_RECV: {
        const r = ch.tryRecv();
        if (r.ok) this.inTransit.set(seq, { ch, value: r.value });
        return [true, r.ok, r.ok ? r.value : r.closed];
      }
      case P.SYNC_CLOSE:
        ch.close(value === undefined ? undefined : (decodeError(value as Encoded) as Error));
        return [true];
      case P.SYNC_INFO:
        return [true, ch.length, ch.closed];
      case P.SYNC_TRY_SELECT: {
        const raw = value as ([number, number, unknown] | null)[];
        const r = trySelect(this.cases(raw));
        if (r === undefined) return [true, null];
        const c = raw[r.index]!;
        if (c[0] === 0 && r.ok) this.inTransit.set(seq, { ch: this.chans[c[1]]!, value: r.value });
        const spent = c[0] === 1 ? this.spend(c[1]) : -1;
        return [true, { index: r.index, value: r.value, ok: r.ok }, spent];
      }
      default:
        throw new Error(`unknown sync request ${kind}`);
    }
  }

  /**
   * Ends the run's bridge: withdraws every operation still waiting for the thread and puts back
   * every value not acknowledged (latest first). Called after the thread's DONE (nothing is
   * then unacknowledged that its code saw) and after a terminate or crash.
   */
  end(): void {
    if (this.ended) return;
    // Sends on credit the thread wrote before it ended or died are delivered (they resolved).
    this.ring?.read(this.deliverRing);
    this.flush();
    this.ended = true;
    if (this.pollHandle !== null) {
      clearImmediate(this.pollHandle);
      this.pollHandle = null;
    }
    for (const stop of this.unwatch) stop();
    this.unwatch.length = 0;
    for (const withdraw of this.parked.values()) withdraw();
    this.parked.clear();
    const taken = [...this.inTransit.values()];
    this.inTransit.clear();
    for (let i = taken.length - 1; i >= 0; i--) {
      const t = taken[i]!;
      unrecv(t.ch, t.value);
    }
  }

  /** Values taken for the thread and not acknowledged yet (for tests and diagnostics). */
  get unacknowledged(): number {
    return this.inTransit.size;
  }
}
