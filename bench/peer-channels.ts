/**
 * The same channel benchmarks with the peers: ts-chan (default, safe mode), js-csp and Effect's
 * Queue. None of them has an unbounded channel except Effect, so `chan_async` uses a buffer of
 * `n` there (it never blocks the producer either). Effect has no select: those rows are absent.
 */
import csp, { type AltsResult, type CspChannel, type Instruction } from 'js-csp';
import { Chan, Select, recv as tsRecv, send as tsSend } from 'ts-chan';
import { Effect, Fiber, Queue } from 'effect';
import { type Case, now, sink } from './harness.js';

const later = (fn: () => Promise<void>): Promise<void> => Promise.resolve().then(fn);

// ---------------------------------------------------------------- ts-chan

function tsRecvBench(capacity: number | 'n') {
  return async (n: number): Promise<number> => {
    const ch = new Chan<number>(capacity === 'n' ? n : capacity);
    const producer = later(async () => {
      for (let i = 0; i < n; i++) await ch.send(i);
      ch.close();
    });
    const t0 = now();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (await ch.recv()).value ?? 0;
    const ns = now() - t0;
    await producer;
    sink(sum);
    return ns / n;
  };
}

async function tsSelect(n: number): Promise<number> {
  const c = new Chan<number>();
  const partner = later(async () => {
    try {
      for (;;) {
        await c.send(0);
        if ((await c.recv()).done) return;
      }
    } catch {
      // closed
    }
  });
  // ts-chan's documented loop pattern: one Select, reused.
  const sel = new Select([tsSend(c, () => 1), tsRecv(c), tsSend(c, () => 1), tsRecv(c)]);
  const t0 = now();
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const k = await sel.wait();
    if (k === 1) sum += sel.recv(sel.cases[1]).value ?? 0;
    else if (k === 3) sum += sel.recv(sel.cases[3]).value ?? 0;
  }
  const ns = now() - t0;
  c.close();
  await partner;
  sink(sum);
  return ns / n;
}

async function tsSelectDefault(n: number): Promise<number> {
  const c = new Chan<number>();
  const sel = new Select([tsSend(c, () => 1), tsRecv(c), tsSend(c, () => 1), tsRecv(c)]);
  const t0 = now();
  let defaults = 0;
  for (let i = 0; i < n; i++) if (sel.poll() === undefined) defaults++;
  const ns = now() - t0;
  sink(defaults);
  return ns / n;
}

async function tsPingPong(n: number): Promise<number> {
  const ping = new Chan<number>();
  const pong = new Chan<number>();
  const partner = later(async () => {
    try {
      for (;;) {
        const r = await ping.recv();
        if (r.done) return;
        await pong.send(r.value);
      }
    } catch {
      // closed
    }
  });
  const t0 = now();
  let sum = 0;
  for (let i = 0; i < n; i++) {
    await ping.send(i);
    sum += (await pong.recv()).value ?? 0;
  }
  const ns = now() - t0;
  ping.close();
  await partner;
  sink(sum);
  return ns / n;
}

// ---------------------------------------------------------------- js-csp

/** Runs a js-csp process to completion and resolves with its return value. */
function runCsp<T>(gen: () => Generator<Instruction, T, unknown>): Promise<T> {
  return new Promise((resolve) => csp.takeAsync(csp.go(gen), (v) => resolve(v as T)));
}

function cspRecvBench(capacity: number | 'n') {
  return async (n: number): Promise<number> => {
    const cap = capacity === 'n' ? n : capacity;
    const ch = csp.chan(cap === 0 ? undefined : cap);
    csp.go(function* () {
      for (let i = 0; i < n; i++) yield csp.put(ch, i);
      ch.close();
    });
    const ns = await runCsp(function* () {
      const t0 = now();
      let sum = 0;
      for (let i = 0; i < n; i++) sum += (yield csp.take(ch)) as number;
      const el = now() - t0;
      sink(sum);
      return el;
    });
    return ns / n;
  };
}

async function cspSelect(n: number): Promise<number> {
  const c = csp.chan();
  csp.go(function* () {
    for (;;) {
      if (!(yield csp.put(c, 0))) return;
      if ((yield csp.take(c)) === csp.CLOSED) return;
    }
  });
  const ns = await runCsp(function* () {
    const t0 = now();
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const r = (yield csp.alts([[c, 1], c, [c, 1], c])) as AltsResult;
      if (typeof r.value === 'number') sum += r.value;
    }
    const el = now() - t0;
    sink(sum);
    return el;
  });
  c.close();
  return ns / n;
}

async function cspSelectDefault(n: number): Promise<number> {
  const c: CspChannel = csp.chan();
  const ns = await runCsp(function* () {
    const t0 = now();
    let defaults = 0;
    for (let i = 0; i < n; i++) {
      const r = (yield csp.alts([[c, 1], c, [c, 1], c], { default: 0 })) as AltsResult;
      if (r.channel === csp.DEFAULT) defaults++;
    }
    const el = now() - t0;
    sink(defaults);
    return el;
  });
  return ns / n;
}

async function cspPingPong(n: number): Promise<number> {
  const ping = csp.chan();
  const pong = csp.chan();
  csp.go(function* () {
    for (;;) {
      const v = yield csp.take(ping);
      if (v === csp.CLOSED) return;
      yield csp.put(pong, v);
    }
  });
  const ns = await runCsp(function* () {
    const t0 = now();
    let sum = 0;
    for (let i = 0; i < n; i++) {
      yield csp.put(ping, i);
      sum += (yield csp.take(pong)) as number;
    }
    const el = now() - t0;
    sink(sum);
    return el;
  });
  ping.close();
  return ns / n;
}

// ---------------------------------------------------------------- Effect

function effectRecvBench(capacity: number) {
  return (n: number): Promise<number> =>
    Effect.runPromise(
      Effect.gen(function* () {
        const q =
          capacity === Infinity
            ? yield* Queue.unbounded<number>()
            : yield* Queue.bounded<number>(capacity);
        const producer = yield* Effect.forkChild(
          Effect.gen(function* () {
            for (let i = 0; i < n; i++) yield* Queue.offer(q, i);
          }),
        );
        const t0 = now();
        let sum = 0;
        for (let i = 0; i < n; i++) sum += yield* Queue.take(q);
        const ns = now() - t0;
        yield* Fiber.join(producer);
        sink(sum);
        return ns / n;
      }),
    );
}

function effectPingPong(n: number): Promise<number> {
  return Effect.runPromise(
    Effect.gen(function* () {
      const ping = yield* Queue.bounded<number>(0);
      const pong = yield* Queue.bounded<number>(0);
      const partner = yield* Effect.forkChild(
        Effect.forever(
          Effect.gen(function* () {
            yield* Queue.offer(pong, yield* Queue.take(ping));
          }),
        ),
      );
      const t0 = now();
      let sum = 0;
      for (let i = 0; i < n; i++) {
        yield* Queue.offer(ping, i);
        sum += yield* Queue.take(pong);
      }
      const ns = now() - t0;
      yield* Fiber.interrupt(partner);
      sink(sum);
      return ns / n;
    }),
  );
}

export const TS_CHAN = 'ts-chan';
export const JS_CSP = 'js-csp';
export const EFFECT = 'Effect Queue';

/** The peers' cases of the channel benchmarks. */
export function peerChannelCases(): Case[] {
  return [
    { bench: 'chan_sync', impl: TS_CHAN, run: tsRecvBench(0) },
    { bench: 'chan_buff', impl: TS_CHAN, run: tsRecvBench(1000) },
    { bench: 'chan_async', impl: TS_CHAN, run: tsRecvBench('n') },
    { bench: 'select', impl: TS_CHAN, run: tsSelect },
    { bench: 'select_default', impl: TS_CHAN, run: tsSelectDefault },
    { bench: 'ping_pong', impl: TS_CHAN, run: tsPingPong },
    { bench: 'chan_sync', impl: JS_CSP, run: cspRecvBench(0) },
    { bench: 'chan_buff', impl: JS_CSP, run: cspRecvBench(1000) },
    { bench: 'chan_async', impl: JS_CSP, run: cspRecvBench('n') },
    { bench: 'select', impl: JS_CSP, run: cspSelect },
    { bench: 'select_default', impl: JS_CSP, run: cspSelectDefault },
    { bench: 'ping_pong', impl: JS_CSP, run: cspPingPong },
    { bench: 'chan_sync', impl: EFFECT, run: effectRecvBench(0) },
    { bench: 'chan_buff', impl: EFFECT, run: effectRecvBench(1000) },
    { bench: 'chan_async', impl: EFFECT, run: effectRecvBench(Infinity) },
    { bench: 'ping_pong', impl: EFFECT, run: effectPingPong },
  ];
}
