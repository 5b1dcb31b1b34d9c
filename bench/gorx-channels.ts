/**
 * goless's channel benchmarks written with gorx, in two styles:
 * - idiomatic: every blocking operation awaited (`trySelect` only where Go has a `default`);
 * - fast-path: the synchronous `trySend`/`tryRecv`/`trySelect` first, await only when it would block.
 *
 * Producers and partners start in a microtask: like a new Stackless tasklet (goless) they first
 * run when the main task blocks, so the timed part includes their work in every implementation.
 */
import { ChannelClosedError, type Chan, chan, recv, select, send, trySelect } from 'gorx';
import { type Case, fail, now, sink, sumBelow, verify } from './harness.js';

const later = <T>(fn: () => Promise<T>): Promise<T> => Promise.resolve().then(fn);

/**
 * Options of the "with AbortSignal" variants: every operation of both sides is given a live
 * AbortSignal that is never aborted (the cost of making work cancellable, issue 14 item 1).
 */
function signalOpts(withSignal: boolean): { signal: AbortSignal } | undefined {
  return withSignal ? { signal: new AbortController().signal } : undefined;
}

function recvIdiomatic(capacity: number, withSignal = false) {
  return async (n: number): Promise<number> => {
    const ch = chan<number>(capacity);
    const opts = signalOpts(withSignal);
    const producer = later(async () => {
      for (let i = 0; i < n; i++) await ch.send(i, opts);
      ch.close();
    });
    const t0 = now();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await ch.recv(opts);
    const ns = now() - t0;
    await producer;
    verify(sum === sumBelow(n), `gorx recv sum ${sum}, want ${sumBelow(n)}`);
    sink(sum);
    return ns / n;
  };
}

function recvFast(capacity: number) {
  return async (n: number): Promise<number> => {
    const ch = chan<number>(capacity);
    const producer = later(async () => {
      for (let i = 0; i < n; i++) if (!ch.trySend(i)) await ch.send(i);
      ch.close();
    });
    const t0 = now();
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const r = ch.tryRecv();
      sum += r.ok ? r.value : await ch.recv();
    }
    const ns = now() - t0;
    await producer;
    verify(sum === sumBelow(n), `gorx recv sum ${sum}, want ${sumBelow(n)}`);
    sink(sum);
    return ns / n;
  };
}

/**
 * The partner of `select`: "send k, then receive" for k = 0, 1, 2, ... until the channel closes,
 * checking that it receives the values the selects sent (0, 1, 2, ...). Returns its failure, if any.
 */
async function partnerIdiomatic(c: Chan<number>, opts?: { signal: AbortSignal }): Promise<string> {
  try {
    for (let k = 0; ; k++) {
      await c.send(k, opts);
      const v = await c.recv(opts);
      if (v !== k) return `select partner received ${v}, want ${k}`;
    }
  } catch (e) {
    return e instanceof ChannelClosedError ? '' : String(e); // closed: the benchmark is over
  }
}

async function partnerFast(c: Chan<number>): Promise<string> {
  try {
    for (let k = 0; ; k++) {
      if (!c.trySend(k)) await c.send(k);
      const r = c.tryRecv();
      const v = r.ok ? r.value : await c.recv();
      if (v !== k) return `select partner received ${v}, want ${k}`;
    }
  } catch (e) {
    return e instanceof ChannelClosedError ? '' : String(e);
  }
}

/**
 * Checks a select's result: a receive case must get the partner's next value; counts both kinds.
 * The partner alternates, so the selects alternate too (at most one more of one kind).
 */
class SelectTally {
  received = 0;
  sent = 0;
  take(index: number, value: number | undefined): void {
    if (index === 1 || index === 3) {
      if (value !== this.received) fail(`select received ${value}, want ${this.received}`);
      this.received++;
    } else {
      this.sent++;
    }
  }
  check(n: number, partnerFailure: string): void {
    verify(partnerFailure === '', partnerFailure);
    verify(
      this.received + this.sent === n && Math.abs(this.received - this.sent) <= 1,
      `selects: ${this.received} receives and ${this.sent} sends, want alternating, ${n} in all`,
    );
  }
}

function selectIdiomatic(withSignal: boolean) {
  return async (n: number): Promise<number> => {
    const c = chan<number>();
    const opts = signalOpts(withSignal);
    const partner = later(() => partnerIdiomatic(c, opts));
    const tally = new SelectTally();
    const t0 = now();
    for (let i = 0; i < n; i++) {
      const r = await select([send(c, tally.sent), recv(c), send(c, tally.sent), recv(c)], opts);
      tally.take(r.index, r.value);
    }
    const ns = now() - t0;
    c.close();
    tally.check(n, await partner);
    return ns / n;
  };
}

async function selectFast(n: number): Promise<number> {
  const c = chan<number>();
  const partner = later(() => partnerFast(c));
  const tally = new SelectTally();
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const cases = [send(c, tally.sent), recv(c), send(c, tally.sent), recv(c)] as const;
    const r = trySelect(cases) ?? (await select(cases));
    tally.take(r.index, r.value);
  }
  const ns = now() - t0;
  c.close();
  tally.check(n, await partner);
  return ns / n;
}

/**
 * Nothing can proceed: every select takes Go's `default`. Both styles write it the same way
 * (`trySelect`), so it is measured and published once (as idiomatic).
 */
async function selectDefault(n: number): Promise<number> {
  const c = chan<number>();
  const t0 = now();
  let defaults = 0;
  for (let i = 0; i < n; i++) {
    if (trySelect([send(c, 1), recv(c), send(c, 1), recv(c)]) === undefined) defaults++;
  }
  const ns = now() - t0;
  verify(defaults === n, `select_default took ${defaults} defaults, want ${n}`);
  return ns / n;
}

function pingPongIdiomatic(withSignal: boolean) {
  return async (n: number): Promise<number> => {
    const ping = chan<number>();
    const pong = chan<number>();
    const opts = signalOpts(withSignal);
    const partner = later(async () => {
      try {
        for (;;) await pong.send(await ping.recv(opts), opts);
      } catch {
        // closed
      }
    });
    const t0 = now();
    let sum = 0;
    for (let i = 0; i < n; i++) {
      await ping.send(i, opts);
      sum += await pong.recv(opts);
    }
    const ns = now() - t0;
    ping.close();
    await partner;
    verify(sum === sumBelow(n), `gorx ping_pong sum ${sum}, want ${sumBelow(n)}`);
    return ns / n;
  };
}

async function pingPongFast(n: number): Promise<number> {
  const ping = chan<number>();
  const pong = chan<number>();
  const partner = later(async () => {
    try {
      for (;;) {
        const r = ping.tryRecv();
        if (!r.ok && r.closed) return;
        const v = r.ok ? r.value : await ping.recv();
        if (!pong.trySend(v)) await pong.send(v);
      }
    } catch {
      // closed
    }
  });
  const t0 = now();
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (!ping.trySend(i)) await ping.send(i);
    const r = pong.tryRecv();
    sum += r.ok ? r.value : await pong.recv();
  }
  const ns = now() - t0;
  ping.close();
  await partner;
  verify(sum === sumBelow(n), `gorx ping_pong sum ${sum}, want ${sumBelow(n)}`);
  return ns / n;
}

export const GORX_IDIOMATIC = 'gorx idiomatic';
export const GORX_FAST = 'gorx fast-path';
export const GORX_SIGNAL = 'gorx idiomatic + signal';

/** gorx's cases of the channel benchmarks. */
export function gorxChannelCases(): Case[] {
  const i = GORX_IDIOMATIC;
  const f = GORX_FAST;
  const s = GORX_SIGNAL;
  return [
    { bench: 'chan_sync', impl: i, run: recvIdiomatic(0) },
    { bench: 'chan_sync', impl: f, run: recvFast(0) },
    { bench: 'chan_sync', impl: s, run: recvIdiomatic(0, true) },
    { bench: 'chan_buff', impl: i, run: recvIdiomatic(1000) },
    { bench: 'chan_buff', impl: f, run: recvFast(1000) },
    { bench: 'chan_async', impl: i, run: recvIdiomatic(Infinity) },
    { bench: 'chan_async', impl: f, run: recvFast(Infinity) },
    { bench: 'select', impl: i, run: selectIdiomatic(false) },
    { bench: 'select', impl: s, run: selectIdiomatic(true) },
    { bench: 'select', impl: f, run: selectFast },
    { bench: 'select_default', impl: i, run: selectDefault },
    { bench: 'ping_pong', impl: i, run: pingPongIdiomatic(false) },
    { bench: 'ping_pong', impl: s, run: pingPongIdiomatic(true) },
    { bench: 'ping_pong', impl: f, run: pingPongFast },
  ];
}
