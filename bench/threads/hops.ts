/**
 * What one hop between the main thread and a worker costs here, by mechanism: the floor under the
 * unbuffered bridged round trip of the threads benchmark (index.ts, pair 3). No gorx code runs.
 * Build with `npm run bench:threads` (or `node scripts/build-aux.mjs`), then run
 * `node dist-aux/bench/threads/hops.js`. Each mechanism runs alternately, round by round, in one
 * process; the table reports medians of the rounds:
 *   - 2 messages: a raw MessagePort ping-pong (the benchmark's reference);
 *   - 4 messages: the same with two more messages per round trip, as a rendezvous across threads
 *     needs (value over, reply back, the reply's verdict over, the next receive back), with
 *     numbers and with payloads shaped like the bridge's batches;
 *   - 2 Atomics signals, both sides in Atomics.waitAsync (no message);
 *   - 2 Atomics signals, the worker blocked in a synchronous Atomics.wait (its event loop stopped
 *     meanwhile: a reference, not something a thread running user code can do at every step).
 * Prints a markdown table on stdout.
 */
import {
  isMainThread,
  MessageChannel,
  parentPort,
  Worker,
  workerData,
  type MessagePort,
} from 'node:worker_threads';

const N = Number(process.env.BENCH_HOPS_N ?? 5_000);
const ROUNDS = Number(process.env.BENCH_THREADS_ROUNDS ?? 11);
/** Shared words: main -> worker, worker -> main. */
const TO_WORKER = 0;
const TO_MAIN = 1;
const STOP = -1;

type Mode = 'msg' | 'msgBatch' | 'waitAsync' | 'waitSync';

/** Atomics.waitAsync (Node 16+; not in the TypeScript lib this project targets). */
const waitAsync = (
  w: Int32Array,
  index: number,
  value: number,
): { async: false; value: string } | { async: true; value: Promise<string> } =>
  (Atomics as unknown as { waitAsync: typeof waitAsync }).waitAsync(w, index, value);

/** A batch of the bridge: thread -> main (ack + send), main -> thread (a receive's result). */
const batchUp = (i: number): unknown[] => [1, 0, [5, i], [1, i, 0, i]];
const batchDown = (i: number): unknown[] => [1, [2, i, true, i]];

async function workerSide(): Promise<void> {
  const { port, shared } = workerData as { port: MessagePort; shared: SharedArrayBuffer };
  const w = new Int32Array(shared);
  const control = parentPort!;
  control.on('message', (mode: Mode) => {
    if (mode === 'msg' || mode === 'msgBatch') {
      const batch = mode === 'msgBatch';
      const onMessage = (m: unknown): void => {
        if (m === null) {
          port.off('message', onMessage);
          control.postMessage('done');
        } else port.postMessage(batch ? batchUp(Array.isArray(m) ? (m[0] as number) : 0) : m);
      };
      port.on('message', onMessage);
      control.postMessage('ready');
      return;
    }
    let seen = 0;
    const answer = (v: number): boolean => {
      if (v === STOP) {
        control.postMessage('done');
        return false;
      }
      seen = v;
      Atomics.store(w, TO_MAIN, v);
      Atomics.notify(w, TO_MAIN);
      return true;
    };
    control.postMessage('ready');
    if (mode === 'waitSync') {
      for (;;) {
        Atomics.wait(w, TO_WORKER, seen);
        if (!answer(Atomics.load(w, TO_WORKER))) return;
      }
    }
    void (async () => {
      for (;;) {
        const r = waitAsync(w, TO_WORKER, seen);
        if (r.async) await r.value;
        if (!answer(Atomics.load(w, TO_WORKER))) return;
      }
    })();
  });
}

async function mainSide(): Promise<void> {
  const shared = new SharedArrayBuffer(8);
  const w = new Int32Array(shared);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { port: port2, shared },
    transferList: [port2],
  });
  const next = (): Promise<unknown> => new Promise((r) => worker.once('message', r));
  const nowNs = (): number => Number(process.hrtime.bigint());

  /** Round trips of `hops` messages (2 or 4); the worker answers each message it gets. */
  async function messages(hops: 2 | 4, batch: boolean): Promise<number> {
    const ready = next();
    worker.postMessage(batch ? 'msgBatch' : 'msg');
    await ready;
    let wake: () => void = () => {};
    let left = 0;
    const onMessage = (): void => {
      if (--left > 0) port1.postMessage(batch ? batchDown(left) : left);
      else wake();
    };
    port1.on('message', onMessage);
    const roundTrip = (i: number): Promise<void> =>
      new Promise<void>((resolve) => {
        wake = resolve;
        left = hops / 2;
        port1.postMessage(batch ? batchDown(i) : i);
      });
    await roundTrip(0);
    const t0 = nowNs();
    for (let i = 1; i <= N; i++) await roundTrip(i);
    const us = (nowNs() - t0) / N / 1000;
    port1.off('message', onMessage);
    const done = next();
    port1.postMessage(null);
    await done;
    return us;
  }

  /** Round trips of two Atomics signals; the main side always waits with waitAsync. */
  async function atomics(mode: 'waitAsync' | 'waitSync'): Promise<number> {
    Atomics.store(w, TO_WORKER, 0);
    Atomics.store(w, TO_MAIN, 0);
    const ready = next();
    worker.postMessage(mode);
    await ready;
    const t0 = nowNs();
    for (let i = 1; i <= N; i++) {
      Atomics.store(w, TO_WORKER, i);
      Atomics.notify(w, TO_WORKER);
      for (let v = Atomics.load(w, TO_MAIN); v !== i; v = Atomics.load(w, TO_MAIN)) {
        const r = waitAsync(w, TO_MAIN, v);
        if (r.async) await r.value;
      }
    }
    const us = (nowNs() - t0) / N / 1000;
    const done = next();
    Atomics.store(w, TO_WORKER, STOP);
    Atomics.notify(w, TO_WORKER);
    await done;
    return us;
  }

  const cases: [string, number, () => Promise<number>][] = [
    ['2 messages (raw ping-pong)', 2, () => messages(2, false)],
    ['4 messages, numbers', 4, () => messages(4, false)],
    ['4 messages, batch-shaped arrays', 4, () => messages(4, true)],
    ['2 Atomics signals, both sides waitAsync', 2, () => atomics('waitAsync')],
    ['2 Atomics signals, worker in a blocking Atomics.wait', 2, () => atomics('waitSync')],
  ];
  await next(); // the worker is listening
  for (const [, , run] of cases) await run(); // warm-up
  const xs = cases.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < cases.length; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      xs[i]!.push(await cases[i]![2]());
    }
  }
  const median = (v: number[]): number => {
    const s = [...v].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  const medians = xs.map(median);
  const f = (x: number, d = 1): string =>
    x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const lines = [
    `## Threads: cost of a hop (Node ${process.versions.node})`,
    '',
    `Medians of ${ROUNDS} alternating rounds of ${N.toLocaleString('en-US')} round trips.`,
    '',
    '| mechanism | round trip | per one-way hop | vs 2 messages |',
    '| --- | --- | --- | --- |',
    ...cases.map(
      ([name, hops], i) =>
        `| ${name} | ${f(medians[i]!)} µs | ${f(medians[i]! / hops)} µs | ${f(medians[i]! / medians[0]!, 2)}x |`,
    ),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  port1.close();
  await worker.terminate();
}

if (isMainThread) {
  mainSide().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else {
  void workerSide();
  parentPort!.postMessage('up');
}
