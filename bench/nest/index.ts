// gorx/nest benchmarks: heartbeat cost, supersede round trip, memory per idle supervised worker.
// Build: `node scripts/build-aux.mjs --skip-core` (after `npm run build`); run:
// `node dist-aux/bench/nest/index.js` (or `npm run bench:nest`). Numbers vary by machine.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { chan, go, sleep, type Goroutine } from 'gorx';
import {
  GorxModule,
  Supersede,
  WorkerRegistry,
  supersedeContext,
  type WorkerContext,
} from 'gorx/nest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

@Injectable()
class Scenes {
  @Supersede()
  async update(onStart: () => void): Promise<void> {
    onStart();
    await sleep(3_600_000, { signal: supersedeContext()!.signal });
  }
}

@Module({ imports: [GorxModule.forRoot({ shutdownGraceMs: 10_000 })], providers: [Scenes] })
class BenchModule {}

const ns = (start: bigint): number => Number(process.hrtime.bigint() - start);
const fmt = (n: number, digits = 1): string => n.toFixed(digits);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function heartbeatCost(registry: WorkerRegistry): Promise<void> {
  let ctx!: WorkerContext<number>;
  registry.spawn<number>(
    'hot',
    async (c) => {
      ctx = c;
      await sleep(3_600_000, { signal: c.signal });
    },
    { heartbeatTimeout: 3_600_000 },
  );
  const N = 20_000_000;
  // One loop per case (no shared helper): a shared call site would turn megamorphic and bias
  // every case after the first.
  const report = (label: string, t0: bigint): void =>
    console.log(`${label.padEnd(40)} ${fmt(ns(t0) / N, 2)} ns/call`);
  let sink = 0;
  for (let round = 0; round < 2; round++) {
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) sink += i;
    if (round === 1) report('baseline: empty loop', t0);
    t0 = process.hrtime.bigint();
    for (let i = 0; i < N / 10; i++) sink += Date.now();
    if (round === 1)
      console.log(`${'baseline: Date.now()'.padEnd(40)} ${fmt((ns(t0) * 10) / N, 2)} ns/call`);
    t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) ctx.heartbeat();
    if (round === 1) report('ctx.heartbeat()', t0);
    t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) ctx.heartbeat(i);
    if (round === 1) report('ctx.heartbeat(details)', t0);
  }
  if (sink === 42) console.log(sink);
  await registry.stop('hot');
}

async function supersedeRoundTrip(registry: WorkerRegistry, scenes: Scenes): Promise<void> {
  const rounds = async (label: string, call: (onStart: () => void) => Promise<unknown>) => {
    const samples: number[] = [];
    const N = 20_000;
    for (let i = 0; i < N + 1_000; i++) {
      let started!: () => void;
      const hasStarted = new Promise<void>((resolve) => (started = resolve));
      const t0 = process.hrtime.bigint();
      const p = call(started);
      p.catch(() => {});
      await hasStarted; // the previous run was killed, its finally ran, and this one began
      const dt = ns(t0);
      if (i >= 1_000) samples.push(dt);
    }
    samples.sort((a, b) => a - b);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    console.log(
      `${label.padEnd(40)} mean ${fmt(mean / 1_000, 2)} µs, p50 ${fmt(percentile(samples, 50) / 1_000, 2)} µs, p99 ${fmt(percentile(samples, 99) / 1_000, 2)} µs`,
    );
  };
  const never = chan<never>();
  await rounds('registry.supersede (generator run)', (onStart) =>
    registry.supersede('bench', function* () {
      onStart();
      try {
        yield never.recv();
      } finally {
        // cleanup runs before the next run starts
      }
    }),
  );
  await rounds('@Supersede async method (signal)', (onStart) => scenes.update(onStart));
}

async function memoryPerWorker(registry: WorkerRegistry): Promise<void> {
  const N = 10_000;
  const idle = chan<never>(0, { name: 'idle' });
  const body = function* (): Generator<unknown, void, unknown> {
    yield idle.recv();
  };
  const heap = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };

  let before = heap();
  const plain: Goroutine<void>[] = [];
  for (let i = 0; i < N; i++) plain.push(go(body, { name: `g${i}` }));
  const perGoroutine = (heap() - before) / N;
  await Promise.all(plain.map((g) => g.kill()));
  plain.length = 0;

  before = heap();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) registry.spawn(`idle-${i}`, body, { heartbeatTimeout: 3_600_000 });
  const spawnMs = ns(t0) / 1e6;
  const perWorker = (heap() - before) / N;
  console.log(`plain goroutine, idle                     ${fmt(perGoroutine / 1024, 2)} KiB each`);
  console.log(
    `supervised worker (heartbeat timer), idle  ${fmt(perWorker / 1024, 2)} KiB each (supervisor overhead ${fmt((perWorker - perGoroutine) / 1024, 2)} KiB), spawned ${N} in ${fmt(spawnMs)} ms`,
  );
}

const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
await app.init();
const registry = app.get(WorkerRegistry);
console.log(`gorx/nest bench (node ${process.version})`);
await heartbeatCost(registry);
await supersedeRoundTrip(registry, app.get(Scenes));
await memoryPerWorker(registry);
const t0 = process.hrtime.bigint();
await app.close();
console.log(`app.close() with 10,000 idle workers        ${fmt(ns(t0) / 1e6)} ms`);
