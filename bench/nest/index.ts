// gorx/nest benchmarks: heartbeat cost, supersede round trip, memory per idle supervised worker.
// Build: `node scripts/build-aux.mjs --skip-core` (after `npm run build`); run:
// `node dist-aux/bench/nest/index.js` (or `npm run bench:nest`). Numbers vary by machine.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { chan, go, sleep, type GoContext, type Goroutine } from 'gorx';
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
    { heartbeatTimeoutMs: 3_600_000 },
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

/**
 * Heap per worker, in the forms the docs show: N of each are live at once, measured after a full
 * GC, then stopped and removed before the next form. Each form is compared with the plain
 * goroutine doing the same thing, so the supervisor's own share shows.
 */
async function memoryPerWorker(registry: WorkerRegistry): Promise<void> {
  const N = 10_000;
  const idle = chan<never>(0, { name: 'idle' });
  const heap = async (): Promise<number> => {
    await sleep(10); // let spawned bodies reach their first suspension
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const genBody = function* (): Generator<unknown, void, unknown> {
    yield idle.recv();
  };
  // The README's worker: an async loop that sleeps with the signal, then beats.
  const asyncBody = async (ctx: { signal: AbortSignal; heartbeat?: () => void }): Promise<void> => {
    for (;;) {
      await sleep(3_600_000, { signal: ctx.signal });
      ctx.heartbeat?.();
    }
  };
  const plainCost = async (fn: (ctx: GoContext) => unknown): Promise<number> => {
    const before = await heap();
    const gs: Goroutine<unknown>[] = [];
    for (let i = 0; i < N; i++)
      gs.push(go(fn as (ctx: GoContext) => Promise<unknown>, { name: `g${i}` }));
    const per = ((await heap()) - before) / N;
    await Promise.all(gs.map((g) => g.kill()));
    return per;
  };
  const workerCost = async (
    body: (ctx: WorkerContext) => unknown,
    options: Parameters<WorkerRegistry['spawn']>[2],
  ): Promise<number> => {
    const before = await heap();
    for (let i = 0; i < N; i++) {
      registry.spawn(`w${i}`, body as (ctx: WorkerContext) => Promise<unknown>, options);
    }
    const per = ((await heap()) - before) / N;
    await Promise.all(registry.list().map((s) => registry.remove(s.name)));
    return per;
  };
  const kib = (b: number): string => `${fmt(b / 1024, 2)} KiB`;
  const row = (label: string, worker: number, plain: number): void =>
    console.log(
      `${label.padEnd(58)} ${kib(worker)} each (the same plain goroutine: ${kib(plain)}, supervisor adds ${kib(worker - plain)})`,
    );
  const plainGen = await plainCost(genBody);
  row(
    'generator worker blocked on a channel, heartbeat timer',
    await workerCost(genBody, { heartbeatTimeoutMs: 3_600_000 }),
    plainGen,
  );
  row(
    'generator worker blocked on a channel, no heartbeat',
    await workerCost(genBody, {}),
    plainGen,
  );
  const plainAsync = await plainCost(asyncBody);
  row(
    'async worker as in the README (sleep with ctx.signal, beat)',
    await workerCost(asyncBody, { heartbeatTimeoutMs: 3_600_000 }),
    plainAsync,
  );
  const scheduled = await workerCost(asyncBody, { schedule: { intervalMs: 3_600_000 } });
  console.log(
    `${'scheduled worker between runs (tick timer armed)'.padEnd(58)} ${kib(scheduled)} each`,
  );
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++)
    registry.spawn(`idle-${i}`, genBody, { heartbeatTimeoutMs: 3_600_000 });
  console.log(`${'spawn() of 10,000 supervised workers'.padEnd(58)} ${fmt(ns(t0) / 1e6)} ms`);
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
