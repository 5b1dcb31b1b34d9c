/**
 * The floor (issue 14 item 3): what the channel benchmarks cost on Node when a channel does nothing
 * but hand values over and await. NOT gorx, and not a usable channel: no select, no close, no
 * cancellation, no deadlock detection, no validation. It is the reference gorx's rows are divided
 * by, so that a ratio says how much gorx's features cost on top of awaiting itself.
 *
 * - `FloorChan.send`/`recv`: a value queue plus queues of waiting senders and receivers; every
 *   operation returns a promise (the "floor" column: the reference of idiomatic gorx).
 * - `trySend`/`tryRecv`: the same with synchronous fast paths, returning a sentinel instead of a
 *   result object (the "floor fast-path" column: the reference of gorx's try-first code).
 *
 * Without select, the floor's `select` program performs the exchanges gorx's selects end up
 * performing (the partner alternates send and receive, so the selects alternate receive and send);
 * its `select_default` is the four failing tries of a select that takes its default.
 */
import { type Case, fail, now, sink, sumBelow, verify } from './harness.js';

/** A growable ring buffer: O(1) push and shift without `Array.prototype.shift`'s copying. */
export class Fifo<T> {
  private items: (T | undefined)[] = new Array<T | undefined>(16);
  private head = 0;
  length = 0;

  push(v: T): void {
    if (this.length === this.items.length) this.grow();
    this.items[(this.head + this.length) & (this.items.length - 1)] = v;
    this.length++;
  }

  /** The oldest item, left in place, or undefined when empty. */
  peek(): T | undefined {
    return this.length === 0 ? undefined : this.items[this.head];
  }

  /** The newest item, left in place, or undefined when empty. */
  last(): T | undefined {
    return this.length === 0
      ? undefined
      : this.items[(this.head + this.length - 1) & (this.items.length - 1)];
  }

  /** The oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const v = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.length--;
    return v;
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.items.length * 2);
    for (let i = 0; i < this.length; i++) {
      next[i] = this.items[(this.head + i) & (this.items.length - 1)];
    }
    this.items = next;
    this.head = 0;
  }
}

/** What `tryRecv` returns when nothing is ready. */
export const EMPTY: unique symbol = Symbol('empty');

interface Sender<T> {
  value: T;
  resolve: () => void;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** The bare promise channel. `capacity` 0 is a rendezvous; Infinity never blocks a sender. */
export class FloorChan<T> {
  private readonly buf = new Fifo<T>();
  private readonly receivers = new Fifo<(v: T) => void>();
  private readonly senders = new Fifo<Sender<T>>();

  constructor(private readonly capacity: number) {}

  trySend(v: T): boolean {
    const r = this.receivers.shift();
    if (r !== undefined) {
      r(v);
      return true;
    }
    if (this.buf.length < this.capacity) {
      this.buf.push(v);
      return true;
    }
    return false;
  }

  send(v: T): Promise<void> {
    if (this.trySend(v)) return RESOLVED;
    return new Promise((resolve) => this.senders.push({ value: v, resolve }));
  }

  tryRecv(): T | typeof EMPTY {
    if (this.buf.length > 0) {
      const v = this.buf.shift()!;
      const s = this.senders.shift();
      if (s !== undefined) {
        this.buf.push(s.value);
        s.resolve();
      }
      return v;
    }
    const s = this.senders.shift();
    if (s === undefined) return EMPTY;
    s.resolve();
    return s.value;
  }

  recv(): Promise<T> {
    const v = this.tryRecv();
    if (v !== EMPTY) return Promise.resolve(v);
    return new Promise((resolve) => this.receivers.push(resolve));
  }
}

/** Producers and partners start in a microtask, as in every other implementation. */
const later = (fn: () => Promise<void>): Promise<void> => Promise.resolve().then(fn);

/*
 * One function per style, as in gorx-channels.ts: V8 shares type feedback (and optimised code)
 * between the closures a function literal makes, so a style written as a flag inside one literal
 * ran its idiomatic and try-first loops on code shaped by both (session 7).
 */

function recvFloorIdiomatic(capacity: number) {
  return async (n: number): Promise<number> => {
    const ch = new FloorChan<number>(capacity);
    const producer = later(async () => {
      for (let i = 0; i < n; i++) await ch.send(i);
    });
    const t0 = now();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await ch.recv();
    const ns = now() - t0;
    await producer;
    verify(sum === sumBelow(n), `floor recv sum ${sum}, want ${sumBelow(n)}`);
    sink(sum);
    return ns / n;
  };
}

function recvFloorFast(capacity: number) {
  return async (n: number): Promise<number> => {
    const ch = new FloorChan<number>(capacity);
    const producer = later(async () => {
      for (let i = 0; i < n; i++) if (!ch.trySend(i)) await ch.send(i);
    });
    const t0 = now();
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = ch.tryRecv();
      sum += v !== EMPTY ? v : await ch.recv();
    }
    const ns = now() - t0;
    await producer;
    verify(sum === sumBelow(n), `floor recv sum ${sum}, want ${sumBelow(n)}`);
    sink(sum);
    return ns / n;
  };
}

/** The exchanges of the select benchmark: partner "send k, receive", main "receive, send". */
async function selectFloorIdiomatic(n: number): Promise<number> {
  const c = new FloorChan<number>(0);
  let partnerOk = true;
  const partner = later(async () => {
    for (let k = 0; k < n >> 1; k++) {
      await c.send(k);
      if ((await c.recv()) !== k) partnerOk = false;
    }
  });
  const t0 = now();
  let received = 0;
  let sent = 0;
  for (let i = 0; i < n; i++) {
    if ((i & 1) === 0) {
      const v = await c.recv();
      if (v !== received) fail(`floor select received ${v}, want ${received}`);
      received++;
    } else {
      await c.send(sent++);
    }
  }
  const ns = now() - t0;
  await partner;
  verify(partnerOk, 'floor select partner saw a wrong value');
  return ns / n;
}

/**
 * The same, trying first and awaiting only when the try fails, in both loops, as gorx's try-first
 * select and partner do (`trySelect(cases) ?? await select(cases)`).
 */
async function selectFloorFast(n: number): Promise<number> {
  const c = new FloorChan<number>(0);
  let partnerOk = true;
  const partner = later(async () => {
    for (let k = 0; k < n >> 1; k++) {
      if (!c.trySend(k)) await c.send(k);
      const r = c.tryRecv();
      if ((r !== EMPTY ? r : await c.recv()) !== k) partnerOk = false;
    }
  });
  const t0 = now();
  let received = 0;
  let sent = 0;
  for (let i = 0; i < n; i++) {
    if ((i & 1) === 0) {
      const r = c.tryRecv();
      const v = r !== EMPTY ? r : await c.recv();
      if (v !== received) fail(`floor select received ${v}, want ${received}`);
      received++;
    } else {
      if (!c.trySend(sent)) await c.send(sent);
      sent++;
    }
  }
  const ns = now() - t0;
  await partner;
  verify(partnerOk, 'floor select partner saw a wrong value');
  return ns / n;
}

/** A select that takes its default: four tries, none can proceed. */
async function selectDefaultFloor(n: number): Promise<number> {
  const c = new FloorChan<number>(0);
  const t0 = now();
  let defaults = 0;
  for (let i = 0; i < n; i++) {
    if (!c.trySend(1) && c.tryRecv() === EMPTY && !c.trySend(1) && c.tryRecv() === EMPTY) {
      defaults++;
    }
  }
  const ns = now() - t0;
  verify(defaults === n, `floor select_default took ${defaults} defaults, want ${n}`);
  return ns / n;
}

async function pingPongFloorIdiomatic(n: number): Promise<number> {
  const ping = new FloorChan<number>(0);
  const pong = new FloorChan<number>(0);
  const partner = later(async () => {
    for (let k = 0; k < n; k++) await pong.send(await ping.recv());
  });
  const t0 = now();
  let sum = 0;
  for (let i = 0; i < n; i++) {
    await ping.send(i);
    sum += await pong.recv();
  }
  const ns = now() - t0;
  await partner;
  verify(sum === sumBelow(n), `floor ping_pong sum ${sum}, want ${sumBelow(n)}`);
  return ns / n;
}

async function pingPongFloorFast(n: number): Promise<number> {
  const ping = new FloorChan<number>(0);
  const pong = new FloorChan<number>(0);
  const partner = later(async () => {
    for (let k = 0; k < n; k++) {
      const r = ping.tryRecv();
      const v = r !== EMPTY ? r : await ping.recv();
      if (!pong.trySend(v)) await pong.send(v);
    }
  });
  const t0 = now();
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (!ping.trySend(i)) await ping.send(i);
    const r = pong.tryRecv();
    sum += r !== EMPTY ? r : await pong.recv();
  }
  const ns = now() - t0;
  await partner;
  verify(sum === sumBelow(n), `floor ping_pong sum ${sum}, want ${sumBelow(n)}`);
  return ns / n;
}

export const FLOOR = 'floor';
export const FLOOR_FAST = 'floor fast-path';

/** The floor's cases (references, not gorx). */
export function floorCases(): Case[] {
  const f = FLOOR;
  const ff = FLOOR_FAST;
  return [
    { bench: 'chan_sync', impl: f, run: recvFloorIdiomatic(0) },
    { bench: 'chan_sync', impl: ff, run: recvFloorFast(0) },
    { bench: 'chan_buff', impl: f, run: recvFloorIdiomatic(1000) },
    { bench: 'chan_buff', impl: ff, run: recvFloorFast(1000) },
    { bench: 'chan_async', impl: f, run: recvFloorIdiomatic(Infinity) },
    { bench: 'chan_async', impl: ff, run: recvFloorFast(Infinity) },
    { bench: 'select', impl: f, run: selectFloorIdiomatic },
    { bench: 'select', impl: ff, run: selectFloorFast },
    { bench: 'select_default', impl: ff, run: selectDefaultFloor },
    { bench: 'ping_pong', impl: f, run: pingPongFloorIdiomatic },
    { bench: 'ping_pong', impl: ff, run: pingPongFloorFast },
  ];
}
