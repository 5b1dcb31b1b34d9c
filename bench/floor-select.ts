/**
 * The selecting floor: what the `select` benchmark costs on Node with the least a correct select
 * must do. NOT gorx, and not a usable select. It is a reference beside the floor of floor.ts, which
 * performs the same exchanges without selecting (issue 14 measures gorx's select against that one):
 * the difference between the two floors is what selecting, and a channel that supports it, costs
 * at the least.
 *
 * What it does, as Go's semantics require: when several cases are ready, one is chosen uniformly
 * at random (reservoir sampling, as gorx does); exactly one case fires; a losing case never takes a
 * value. When none is ready, the select queues one waiter per case and the first partner to reach
 * one of them claims the select. Like gorx, a case repeating an earlier case's channel and
 * direction is not queued (it could never fire first).
 *
 * What it leaves out, and gorx does not: the losing waiters are not removed when the select fires.
 * They stay queued, marked dead, and are dropped by whoever next looks at that end of the queue
 * (lazy deletion). That is the cheapest correct claim, but as written a loop that selects over a
 * channel nobody serves grows that channel's queue by one dead waiter per select, without bound
 * (a library would have to compact its queues too); gorx unlinks every losing waiter when a case
 * fires. No close, no cancellation, no validation, no deadlock detection, no promise cases either.
 */
import { type Case, fail, now, verify } from './harness.js';
import { EMPTY, Fifo } from './floor.js';

/** The select a waiter belongs to; `done` once one of its cases fired. */
interface Sel {
  done: boolean;
}

/** A waiting receiver or sender: of a plain operation (`sel` null) or of a select's case. */
interface Waiter<T> {
  readonly sel: Sel | null;
  readonly index: number;
  readonly value: T | undefined;
  readonly resolve: (v: never) => void;
}

/** A select's result: the fired case and, for a receive, the value. */
export interface FloorSelectResult<T> {
  index: number;
  value: T | undefined;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** Hands `v` (received value, or undefined for a sender) to a waiter and claims its select. */
function complete<T>(w: Waiter<T>, v: T | undefined): void {
  if (w.sel === null) {
    (w.resolve as (v: T | undefined) => void)(v);
  } else {
    w.sel.done = true;
    (w.resolve as (r: FloorSelectResult<T>) => void)({ index: w.index, value: v });
  }
}

/** The first live waiter of `q`, dropping the dead ones of finished selects ahead of it. */
function live<T>(q: Fifo<Waiter<T>>): Waiter<T> | undefined {
  for (;;) {
    const w = q.peek();
    if (w === undefined || w.sel === null || !w.sel.done) return w;
    q.shift();
  }
}

/** A floor channel whose waiters may belong to a select. `capacity` 0 is a rendezvous. */
export class FloorSelectChan<T> {
  private readonly buf = new Fifo<T>();
  readonly receivers = new Fifo<Waiter<T>>();
  readonly senders = new Fifo<Waiter<T>>();

  constructor(private readonly capacity: number) {}

  sendReady(): boolean {
    return live(this.receivers) !== undefined || this.buf.length < this.capacity;
  }

  recvReady(): boolean {
    return this.buf.length > 0 || live(this.senders) !== undefined;
  }

  trySend(v: T): boolean {
    const r = live(this.receivers);
    if (r !== undefined) {
      this.receivers.shift();
      complete(r, v);
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
    return new Promise<void>((resolve) =>
      this.senders.push({ sel: null, index: 0, value: v, resolve }),
    );
  }

  tryRecv(): T | typeof EMPTY {
    if (this.buf.length > 0) {
      const v = this.buf.shift()!;
      const s = live(this.senders);
      if (s !== undefined) {
        this.senders.shift();
        this.buf.push(s.value!);
        complete(s, undefined);
      }
      return v;
    }
    const s = live(this.senders);
    if (s === undefined) return EMPTY;
    this.senders.shift();
    complete(s, undefined);
    return s.value!;
  }

  recv(): Promise<T> {
    const v = this.tryRecv();
    if (v !== EMPTY) return Promise.resolve(v);
    return new Promise<T>((resolve) =>
      this.receivers.push({ sel: null, index: 0, value: undefined, resolve }),
    );
  }
}

/** A case: receive from `ch`, or send `value` on it. */
export interface FloorCase<T> {
  readonly recv: boolean;
  readonly ch: FloorSelectChan<T>;
  readonly value: T | undefined;
}

/** Performs one ready case chosen at random, or returns undefined when none is ready. */
export function floorTrySelect<T>(
  cases: readonly FloorCase<T>[],
): FloorSelectResult<T> | undefined {
  let chosen = -1;
  let seen = 0;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    const ready = c.recv ? c.ch.recvReady() : c.ch.sendReady();
    if (ready && (++seen === 1 || Math.random() * seen < 1)) chosen = i;
  }
  if (chosen < 0) return undefined;
  const c = cases[chosen]!;
  if (c.recv) return { index: chosen, value: c.ch.tryRecv() as T };
  c.ch.trySend(c.value!);
  return { index: chosen, value: undefined };
}

/** Waits until one case can proceed and performs exactly that one. */
export function floorSelect<T>(cases: readonly FloorCase<T>[]): Promise<FloorSelectResult<T>> {
  const r = floorTrySelect(cases);
  if (r !== undefined) return Promise.resolve(r);
  return new Promise<FloorSelectResult<T>>((resolve) => {
    const sel: Sel = { done: false };
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i]!;
      const q = c.recv ? c.ch.receivers : c.ch.senders;
      // A case repeating an earlier case's channel and direction could never fire before it.
      if (q.last()?.sel === sel) continue;
      q.push({ sel, index: i, value: c.value, resolve });
    }
  });
}

/** Producers and partners start in a microtask, as in every other implementation. */
const later = (fn: () => Promise<void>): Promise<void> => Promise.resolve().then(fn);

/**
 * Counts the selects' results: a receive case must get the partner's next value (0, 1, 2, ...),
 * and as the partner alternates, so do the selects.
 */
class Tally {
  received = 0;
  sent = 0;
  take(r: FloorSelectResult<number>): void {
    if (r.index === 1 || r.index === 3) {
      if (r.value !== this.received) {
        fail(`selecting floor received ${r.value}, want ${this.received}`);
      }
      this.received++;
    } else {
      this.sent++;
    }
  }
  check(partnerOk: boolean): void {
    verify(partnerOk, 'selecting floor: the partner received a wrong value');
    verify(
      Math.abs(this.received - this.sent) <= 1,
      `selecting floor: ${this.received} receives and ${this.sent} sends, want alternating`,
    );
  }
}

/** The four cases of gorx's `select` benchmark: send, receive, send, receive on one channel. */
function casesOf(c: FloorSelectChan<number>, sent: number): FloorCase<number>[] {
  return [
    { recv: false, ch: c, value: sent },
    { recv: true, ch: c, value: undefined },
    { recv: false, ch: c, value: sent },
    { recv: true, ch: c, value: undefined },
  ];
}

/*
 * gorx's `select` benchmark on the selecting floor, one function per style (see floor.ts): n selects
 * on one rendezvous channel with a partner that sends k and then receives, n / 2 times each.
 */

async function selectingFloorIdiomatic(n: number): Promise<number> {
  verify(n % 2 === 0, `selecting floor: n must be even, got ${n}`);
  const c = new FloorSelectChan<number>(0);
  let partnerOk = true;
  const partner = later(async () => {
    for (let k = 0; k < n >> 1; k++) {
      await c.send(k);
      if ((await c.recv()) !== k) partnerOk = false;
    }
  });
  const tally = new Tally();
  const t0 = now();
  for (let i = 0; i < n; i++) tally.take(await floorSelect(casesOf(c, tally.sent)));
  const ns = now() - t0;
  await partner;
  tally.check(partnerOk);
  return ns / n;
}

async function selectingFloorFast(n: number): Promise<number> {
  verify(n % 2 === 0, `selecting floor: n must be even, got ${n}`);
  const c = new FloorSelectChan<number>(0);
  let partnerOk = true;
  const partner = later(async () => {
    for (let k = 0; k < n >> 1; k++) {
      if (!c.trySend(k)) await c.send(k);
      const r = c.tryRecv();
      if ((r !== EMPTY ? r : await c.recv()) !== k) partnerOk = false;
    }
  });
  const tally = new Tally();
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const cases = casesOf(c, tally.sent);
    tally.take(floorTrySelect(cases) ?? (await floorSelect(cases)));
  }
  const ns = now() - t0;
  await partner;
  tally.check(partnerOk);
  return ns / n;
}

export const FLOOR_SELECT = 'selecting floor';
export const FLOOR_SELECT_FAST = 'selecting floor fast-path';

/** The selecting floor's cases (references, not gorx): only the `select` benchmark. */
export function floorSelectCases(): Case[] {
  return [
    { bench: 'select', impl: FLOOR_SELECT, run: selectingFloorIdiomatic },
    { bench: 'select', impl: FLOOR_SELECT_FAST, run: selectingFloorFast },
  ];
}
