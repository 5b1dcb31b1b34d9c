/**
 * `npm run bench:context`: what it would cost to tie work to a goroutine through Node's async
 * context instead of `ctx` (issue 12 items 8 and 12), on the running Node. Medians of rounds,
 * measured side by side in one process. Each variant checks its result and fails the run if wrong.
 *
 * 1. Binding operations without `ctx`: a receive loop (chan_sync) run plainly, then inside an
 *    active `AsyncLocalStorage.run` (which, on Node 20, installs promise hooks that tax every
 *    promise in the process), then also calling `getStore()` per operation (the lookup a binding
 *    would need).
 * 2. Capturing a generator goroutine's context at spawn, so a kill can run its `finally` there:
 *    `new AsyncResource`, `AsyncLocalStorage.snapshot()`, and a pending promise with one reaction
 *    (a reaction runs in the context it was registered in), against spawning with no capture.
 *
 * Each table runs in child processes of their own, twice: one that never touches
 * AsyncLocalStorage (Node 20 installs its promise hooks at the first `run` and keeps them), and
 * one where an AsyncLocalStorage is active for the whole run, as in an app that uses one.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chan, go } from 'gorx';

const N = 10_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const now = (): number => Number(process.hrtime.bigint());

function median(xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`bench:context: wrong result in ${what}`);
}

async function recvLoop(perOp: (() => void) | null): Promise<number> {
  const ch = chan<number>();
  const producer = Promise.resolve().then(async () => {
    for (let i = 0; i < N; i++) await ch.send(i);
  });
  const t0 = now();
  let sum = 0;
  for (let i = 0; i < N; i++) {
    if (perOp !== null) perOp();
    sum += await ch.recv();
  }
  const ns = (now() - t0) / N;
  await producer;
  check(sum === (N * (N - 1)) / 2, 'recv loop');
  return ns;
}

const als = new AsyncLocalStorage<{ id: number }>();

const recvCases: [string, () => Promise<number>][] = [
  ['chan_sync, no async context', () => recvLoop(null)],
  ['chan_sync inside AsyncLocalStorage.run', () => als.run({ id: 1 }, () => recvLoop(null))],
  [
    'chan_sync inside AsyncLocalStorage.run + getStore() per op',
    () =>
      als.run({ id: 1 }, () =>
        recvLoop(() => {
          if (als.getStore()?.id !== 1) throw new Error('lost the store');
        }),
      ),
  ],
];

const noop = (): void => {};
const never = new Promise<never>(() => {});

type Capture = (() => void) | null;

async function spawnLoop(capture: Capture): Promise<number> {
  const t0 = now();
  let ended = 0;
  for (let i = 0; i < N; i++) {
    if (capture !== null) capture();
    const g = go(function* () {
      return (yield 1) as number;
    });
    ended += (await g.done) as number;
  }
  const ns = (now() - t0) / N;
  check(ended === N, 'spawn loop');
  return ns;
}

const spawnCases: [string, () => Promise<number>][] = [
  ['go(generator) spawn + done, no capture', () => spawnLoop(null)],
  ['+ new AsyncResource() per goroutine', () => spawnLoop(() => void new AsyncResource('gorx'))],
  [
    '+ AsyncLocalStorage.snapshot() per goroutine',
    () => spawnLoop(() => void AsyncLocalStorage.snapshot()),
  ],
  [
    '+ pending promise with one reaction per goroutine',
    () => spawnLoop(() => void new Promise<void>(noop).then(noop)),
  ],
  ['+ one reaction on a shared pending promise', () => spawnLoop(() => void never.then(noop))],
];

async function run(cases: [string, () => Promise<number>][]): Promise<void> {
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS + 2; r++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + r) % cases.length;
      const ns = await cases[i]![1]();
      if (r >= 2) samples[i]!.push(ns);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const base = median(samples[0]!);
  for (let i = 0; i < cases.length; i++) {
    const m = median(samples[i]!);
    console.log(`| ${cases[i]![0]} | ${m.toFixed(0)} | ${(m / base).toFixed(2)}x |`);
  }
}

const mode = process.argv[2];
if (mode === '--child') {
  const which = process.argv[3]!;
  const withAls = process.argv[4] === 'als';
  const body = async (): Promise<void> => {
    if (which === 'recv') await run(withAls ? recvCases.slice(1) : recvCases.slice(0, 1));
    else await run(spawnCases);
  };
  if (withAls) await als.run({ id: 1 }, body);
  else await body();
} else {
  console.log(`Node ${process.version}, n = ${N}, ${ROUNDS} rounds, medians (ns per operation)`);
  const self = fileURLToPath(import.meta.url);
  const child = (args: string[]): string => {
    const r = spawnSync(process.execPath, [self, '--child', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bench:context child failed: ${r.stderr}`);
    return r.stdout.trimEnd();
  };
  console.log(
    '\n| receive loop | ns/op | ratio to the first row of its process |\n|---|---:|---:|',
  );
  console.log(child(['recv', 'plain']));
  console.log(child(['recv', 'als']).replace(/\| (\d+\.\d+)x \|$/gm, '| (see above) |'));
  for (const m of ['plain', 'als']) {
    console.log(
      `\n| generator spawn (${m === 'als' ? 'AsyncLocalStorage active' : 'no AsyncLocalStorage'}) | ns/goroutine | ratio |\n|---|---:|---:|`,
    );
    console.log(child(['spawn', m]));
  }
}
