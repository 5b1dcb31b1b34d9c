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
 * gorx's `select` benchmark on the selecting floor: four cases (send, receive, send, receive) on
 * one rendezvous channel, a partner that sends k and then receives. Idiomatic: every select and
 * every partner operation awaited; fast-path: tried first, awaited only when it would block.
 */
function selectingFloor(fast: boolean) {
  return async (n: number): Promise<number> => {
    verify(n % 2 === 0, `selecting floor: n must be even, got ${n}`);
    const c = new FloorSelectChan<number>(0);
    let partnerOk = true;
    // n selects exchange with the partner n times: it sends and receives n / 2 times each.
    const partner = later(async () => {
      for (let k = 0; k < n >> 1; k++) {
        if (!fast || !c.trySend(k)) await c.send(k);
        let v: number;
        if (fast) {
          const r = c.tryRecv();
          v = r !== EMPTY ? r : await c.recv();
        } else {
          v = await c.recv();
        }
        if (v !== k) partnerOk = false;
      }
    });
    const t0 = now();
    let received = 0;
    let sent = 0;
    for (let i = 0; i < n; i++) {
      const cases: FloorCase<number>[] = [
        { recv: false, ch: c, value: sent },
        { recv: true, ch: c, value: undefined },
        { recv: false, ch: c, value: sent },
        { recv: true, ch: c, value: undefined },
      ];
      const r = (fast ? floorTrySelect(cases) : undefined) ?? (await floorSelect(cases));
      if (r.index === 1 || r.index === 3) {
        if (r.value !== received) fail(`selecting floor received ${r.value}, want ${received}`);
        received++;
      } else {
        sent++;
      }
    }
    const ns = now() - t0;
    await partner;
    verify(
      partnerOk && received + sent === n && Math.abs(received - sent) <= 1,
      `selecting floor: ${received} receives and ${sent} sends, want alternating, ${n} in all`,
    );
    return ns / n;
  };
}

export const FLOOR_SELECT = 'selecting floor';
export const FLOOR_SELECT_FAST = 'selecting floor fast-path';

/** The selecting floor's cases (references, not gorx): only the `select` benchmark. */
export function floorSelectCases(): Case[] {
  return [
    { bench: 'select', impl: FLOOR_SELECT, run: selectingFloor(false) },
    { bench: 'select', impl: FLOOR_SELECT_FAST, run: selectingFloor(true) },
  ];
}
