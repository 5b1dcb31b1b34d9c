/**
 * The same channel benchmarks with the peers: ts-chan (default, safe mode), js-csp and Effect's
 * Queue. Every implementation checks its result (sums, the values a select exchanged, that every
 * select took its default) and fails the run when it is wrong. Producers and partners first run
 * when the main task blocks: in a microtask (gorx, ts-chan, js-csp, whose `csp.go` would otherwise
 * run the process at once) or as a forked fiber (Effect schedules forks on its own scheduler). None of them has an unbounded channel except Effect, so `chan_async` uses a buffer of
 * `n` there (it never blocks the producer either). Effect has no select: those rows are absent.
 */
import csp, { type Instruction } from 'js-csp';
import { Chan, Select, recv as tsRecv, send as tsSend } from 'ts-chan';
import { Effect, Fiber, Queue } from 'effect';
import { type Case, fail, now, sink, sumBelow, verify } from './harness.js';

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
    verify(sum === sumBelow(n), `ts-chan recv sum ${sum}, want ${sumBelow(n)}`);
    sink(sum);
    return ns / n;
  };
}

async function tsSelect(n: number): Promise<number> {
  const c = new Chan<number>();
  let partnerFailure = '';
  const partner = later(async () => {
    try {
      for (let k = 0; ; k++) {
        await c.send(k);
        const r = await c.recv();
        if (r.done) return;
        if (r.value !== k) partnerFailure = `ts-chan select partner received ${r.value}, want ${k}`;
      }
    } catch {
      // closed
    }
  });
  let received = 0;
  let sent = 0;
  // ts-chan's documented loop pattern: one Select, reused (a send case's value is computed when
  // the case is chosen).
  const sel = new Select([tsSend(c, () => sent), tsRecv(c), tsSend(c, () => sent), tsRecv(c)]);
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const k = await sel.wait();
    if (k === 1 || k === 3) {
      const v = sel.recv(sel.cases[k as 1 | 3]).value;
      if (v !== received) fail(`ts-chan select received ${v}, want ${received}`);
      received++;
    } else {
      sent++;
    }
  }
  const ns = now() - t0;
  c.close();
  await partner;
  verify(partnerFailure === '', partnerFailure);
  verify(
    received + sent === n && Math.abs(received - sent) <= 1,
    'ts-chan selects not alternating',
  );
  return ns / n;
}

async function tsSelectDefault(n: number): Promise<number> {
  const c = new Chan<number>();
  const sel = new Select([tsSend(c, () => 1), tsRecv(c), tsSend(c, () => 1), tsRecv(c)]);
  const t0 = now();
  let defaults = 0;
  for (let i = 0; i < n; i++) if (sel.poll() === undefined) defaults++;
  const ns = now() - t0;
  verify(defaults === n, `ts-chan select_default took ${defaults} defaults, want ${n}`);
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
  verify(sum === sumBelow(n), `ts-chan ping_pong sum ${sum}, want ${sumBelow(n)}`);
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
    // csp.go runs a process at once: started directly, the producer would fill the buffer (all n
    // values for chan_async) before the timer starts. It starts in a microtask, like the others.
    void later(async () => {
      csp.go(function* () {
        for (let i = 0; i < n; i++) yield csp.put(ch, i);
        ch.close();
      });
    });
    const ns = await runCsp(function* () {
      const t0 = now();
      let sum = 0;
      for (let i = 0; i < n; i++) sum += (yield csp.take(ch)) as number;
      const el = now() - t0;
      verify(sum === sumBelow(n), `js-csp recv sum ${sum}, want ${sumBelow(n)}`);
      return el;
    });
    return ns / n;
  };
}

// No js-csp `select` or `select_default` rows: js-csp 1.0's `alts` over a put and a take on the
// same channel matches its own put with its own take. With no partner at all, 1,000 such alts
// complete, half of them receiving their own value; with `{ default }` (which must be truthy:
// `default: 0` means no default) most of them complete that way instead of taking the default,
// and the handlers they leave behind make later alts complete wrongly. Its results fail the checks
// (the values a select receives, every select taking its default), so no figure is published.

async function cspPingPong(n: number): Promise<number> {
  const ping = csp.chan();
  const pong = csp.chan();
  void later(async () => {
    csp.go(function* () {
      for (;;) {
        const v = yield csp.take(ping);
        if (v === csp.CLOSED) return;
        yield csp.put(pong, v);
      }
    });
  });
  const ns = await runCsp(function* () {
    const t0 = now();
    let sum = 0;
    for (let i = 0; i < n; i++) {
      yield csp.put(ping, i);
      sum += (yield csp.take(pong)) as number;
    }
    const el = now() - t0;
    verify(sum === sumBelow(n), `js-csp ping_pong sum ${sum}, want ${sumBelow(n)}`);
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
        verify(sum === sumBelow(n), `Effect recv sum ${sum}, want ${sumBelow(n)}`);
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
      verify(sum === sumBelow(n), `Effect ping_pong sum ${sum}, want ${sumBelow(n)}`);
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
    { bench: 'ping_pong', impl: JS_CSP, run: cspPingPong },
    { bench: 'chan_sync', impl: EFFECT, run: effectRecvBench(0) },
    { bench: 'chan_buff', impl: EFFECT, run: effectRecvBench(1000) },
    { bench: 'chan_async', impl: EFFECT, run: effectRecvBench(Infinity) },
    { bench: 'ping_pong', impl: EFFECT, run: effectPingPong },
  ];
}
