// gorx/nest benchmarks: heartbeat cost, supersede round trip, memory per idle supervised worker.
// Build: `node scripts/build-aux.mjs --skip-core` (after `npm run build`); run:
// `node dist-aux/bench/nest/index.js` (or `npm run bench:nest`). Numbers vary by machine.
import 'reflect-metadata';
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { chan, go, goroutines, sleep, type GoContext, type Goroutine } from 'gorx';
import {
  GorxModule,
  Supersede,
  WorkerRegistry,
  supersedeContext,
  type GorxModuleOptions,
  type WorkerContext,
  type WorkerState,
} from 'gorx/nest';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Fails the run (non-zero exit) when a benchmark did not do the work it reports on. */
function verify(ok: boolean, what: string): void {
  if (!ok) throw new Error(`benchmark result is wrong: ${what}`);
}

@Injectable()
class Scenes {
  /** Runs that ended (killed by the next call: their `finally` ran). */
  ended = 0;
  @Supersede()
  async update(onStart: () => void): Promise<void> {
    onStart();
    try {
      await sleep(3_600_000, { signal: supersedeContext()!.signal });
    } finally {
      this.ended++;
    }
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
  const status = registry.get('hot');
  verify(
    status?.lastHeartbeatDetails === N - 1 && status.lastHeartbeatAt !== null,
    `heartbeat: the worker's last beat is ${String(status?.lastHeartbeatDetails)}, want ${N - 1}`,
  );
  if (sink === 42) console.log(sink);
  await registry.stop('hot');
}

async function supersedeRoundTrip(registry: WorkerRegistry, scenes: Scenes): Promise<void> {
  /**
   * `ended()` counts the runs whose cleanup ran: each run must start after every earlier one was
   * killed and cleaned up, and every superseded call must reject.
   */
  const rounds = async (
    label: string,
    call: (onStart: () => void) => Promise<unknown>,
    ended: () => number,
  ) => {
    const samples: number[] = [];
    const N = 20_000;
    const ended0 = ended();
    let rejected = 0;
    for (let i = 0; i < N + 1_000; i++) {
      let started!: () => void;
      const hasStarted = new Promise<void>((resolve) => (started = resolve));
      const t0 = process.hrtime.bigint();
      const p = call(started);
      p.catch(() => rejected++);
      await hasStarted; // the previous run was killed, its finally ran, and this one began
      const dt = ns(t0);
      if (i >= 1_000) samples.push(dt);
      verify(ended() - ended0 === i, `${label}: run ${i} started after ${ended() - ended0} ended`);
    }
    await new Promise((resolve) => setImmediate(resolve));
    verify(
      rejected === N + 999,
      `${label}: ${rejected} superseded calls rejected, want ${N + 999}`,
    );
    samples.sort((a, b) => a - b);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    console.log(
      `${label.padEnd(40)} mean ${fmt(mean / 1_000, 2)} µs, p50 ${fmt(percentile(samples, 50) / 1_000, 2)} µs, p99 ${fmt(percentile(samples, 99) / 1_000, 2)} µs`,
    );
  };
  const never = chan<never>();
  let genEnded = 0;
  await rounds(
    'registry.supersede (generator run)',
    (onStart) =>
      registry.supersede('bench', function* () {
        onStart();
        try {
          yield never.recv();
        } finally {
          genEnded++; // cleanup runs before the next run starts
        }
      }),
    () => genEnded,
  );
  await rounds(
    '@Supersede async method (signal)',
    (onStart) => scenes.update(onStart),
    () => scenes.ended,
  );
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
  // An async loop that sleeps with the signal, then beats (the README's worker passes ctx instead).
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
    const blocked = gs.filter((g) => g.state === 'blocked').length;
    verify(blocked === N, `memory: ${blocked} of ${N} plain goroutines blocked, want all`);
    await Promise.all(gs.map((g) => g.kill()));
    return per;
  };
  const workerCost = async (
    body: (ctx: WorkerContext) => unknown,
    options: Parameters<WorkerRegistry['spawn']>[2],
    want: WorkerState = 'running',
  ): Promise<number> => {
    const before = await heap();
    for (let i = 0; i < N; i++) {
      registry.spawn(`w${i}`, body as (ctx: WorkerContext) => Promise<unknown>, options);
    }
    const per = ((await heap()) - before) / N;
    const live = registry.list().filter((w) => w.state === want).length;
    verify(live === N, `memory: ${live} of ${N} workers ${want}, want all`);
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
    'async worker: sleep with ctx.signal, then beat',
    await workerCost(asyncBody, { heartbeatTimeoutMs: 3_600_000 }),
    plainAsync,
  );
  const scheduled = await workerCost(
    asyncBody,
    { schedule: { intervalMs: 3_600_000 } },
    'scheduled',
  );
  console.log(
    `${'scheduled worker between runs (tick timer armed)'.padEnd(58)} ${kib(scheduled)} each`,
  );
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++)
    registry.spawn(`idle-${i}`, genBody, { heartbeatTimeoutMs: 3_600_000 });
  console.log(`${'spawn() of 10,000 supervised workers'.padEnd(58)} ${fmt(ns(t0) / 1e6)} ms`);
  verify(registry.list().length === N, `spawn: ${registry.list().length} workers, want ${N}`);
}

/** A reader that never exports: the SDK aggregates as it would for a real exporter. */
class IdleReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const OBSERVABILITY_CASES: [label: string, options: () => GorxModuleOptions][] = [
  ['off', () => ({})],
  ['prometheus', () => ({ metrics: { prometheus: { registry: new Registry() } } })],
  [
    'prometheus + OpenTelemetry metrics',
    () => ({ metrics: { prometheus: { registry: new Registry() }, openTelemetry: true } }),
  ],
  ['tracing (OpenTelemetry SDK spans)', () => ({ tracing: true })],
];

function observedModule(options: GorxModuleOptions): DynamicModule {
  @Module({})
  class ObservedModule {}
  return {
    module: ObservedModule,
    imports: [GorxModule.forRoot({ shutdownGraceMs: 10_000, ...options })],
    providers: [Scenes],
  };
}

/** ns per `ctx.heartbeat()` on a supervised worker. */
async function heartbeatNs(registry: WorkerRegistry): Promise<number> {
  let ctx!: WorkerContext;
  registry.spawn(
    'hot',
    async (c) => {
      ctx = c;
      await sleep(3_600_000, { signal: c.signal });
    },
    { heartbeatTimeoutMs: 3_600_000 },
  );
  const N = 10_000_000;
  for (let i = 0; i < N; i++) ctx.heartbeat(); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) ctx.heartbeat();
  const per = ns(t0) / N;
  // A beat is recorded (it was null before the first one).
  verify(registry.get('hot')?.lastHeartbeatAt != null, 'heartbeat: no beat recorded');
  await registry.remove('hot');
  return per;
}

/** Median µs from a `@Supersede` call to its body's start (the previous call killed and ended). */
async function supersedeUs(scenes: Scenes): Promise<number> {
  const samples: number[] = [];
  const N = 10_000;
  const ended0 = scenes.ended;
  for (let i = 0; i < N + 1_000; i++) {
    let started!: () => void;
    const hasStarted = new Promise<void>((resolve) => (started = resolve));
    const t0 = process.hrtime.bigint();
    scenes.update(started).catch(() => {});
    await hasStarted;
    if (i >= 1_000) samples.push(ns(t0));
    verify(
      scenes.ended - ended0 === i,
      `@Supersede: run ${i} started after ${scenes.ended - ended0} ended`,
    );
  }
  samples.sort((a, b) => a - b);
  return percentile(samples, 50) / 1_000;
}

/**
 * Heartbeat and supersede cost with metrics and traces off and on: each configuration in its own
 * application, the configurations interleaved over rounds (rotating order), medians of the rounds.
 */
async function observabilityCost(): Promise<void> {
  const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
  metrics.setGlobalMeterProvider(meterProvider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider());
  const rounds = 8;
  const results = OBSERVABILITY_CASES.map(() => ({
    beat: [] as number[],
    supersede: [] as number[],
  }));
  for (let r = 0; r < rounds; r++) {
    // The order rotates each round, so no configuration always runs first (or last).
    for (let k = 0; k < OBSERVABILITY_CASES.length; k++) {
      const i = (k + r) % OBSERVABILITY_CASES.length;
      const options = OBSERVABILITY_CASES[i]![1];
      const ctxApp = await NestFactory.createApplicationContext(observedModule(options()), {
        logger: false,
      });
      await ctxApp.init();
      results[i]!.beat.push(await heartbeatNs(ctxApp.get(WorkerRegistry)));
      results[i]!.supersede.push(await supersedeUs(ctxApp.get(Scenes)));
      await ctxApp.close();
    }
  }
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;
  const off = results[0]!;
  console.log(`observability cost (medians of ${rounds} interleaved rounds):`);
  for (const [i, [label]] of OBSERVABILITY_CASES.entries()) {
    const beat = median(results[i]!.beat);
    const sup = median(results[i]!.supersede);
    console.log(
      `  ${label.padEnd(38)} heartbeat ${fmt(beat, 2)} ns/call (x${fmt(beat / median(off.beat), 2)}), ` +
        `@Supersede round trip p50 ${fmt(sup, 2)} µs (x${fmt(sup / median(off.supersede), 2)})`,
    );
  }
  await meterProvider.shutdown();
  metrics.disable();
  trace.disable();
  context.disable();
}

if (process.argv.includes('--observability')) {
  await observabilityCost();
  process.exit(0);
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
const notStopped = registry.list().filter((w) => w.state !== 'stopped').length;
verify(notStopped === 0, `app.close(): ${notStopped} workers not stopped`);
verify(goroutines().length === 0, `app.close(): ${goroutines().length} goroutines left`);
await observabilityCost();
