// Metrics of gorx/nest through prom-client and the OpenTelemetry metrics API: every figure comes
// from the supervisor's own run lifecycle, in virtual time, so counts and durations are exact.
import 'reflect-metadata';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import { SupersededError, chan, sleep } from 'gorx';
import { BackgroundWorker, ObservabilityError, type WorkerContext } from 'gorx/nest';
import { Registry } from 'prom-client';
import { LeaseLostError } from 'gorx/cluster';
import { killCauseOf } from '../../nest-module/internal/telemetry.js';
import { GORX_TELEMETRY, load } from '../../nest-module/internal/telemetry.provider.js';
import { WORKER_STATES } from '../../nest-module/metrics/metrics.catalog.js';
import { WorkerSupervisor } from '../../nest-module/worker.supervisor.js';
import { createApp, closeAndExpectNothingLeft, useFakeTime, type TestApp } from './nest-helpers.js';

let t: TestApp | null = null;

afterEach(async () => {
  await closeAndExpectNothingLeft(t);
  t = null;
  metrics.disable();
});

@Injectable()
class Workers {
  hangFirst = true;

  @BackgroundWorker({
    name: 'beating',
    heartbeatTimeoutMs: 1_000,
    backoff: { initialMs: 500, maxMs: 500, jitter: 0 },
  })
  *beating(ctx: WorkerContext): Generator<unknown, void, unknown> {
    if (ctx.attempt === 1 && this.hangFirst) yield new Promise<never>(() => {});
    for (;;) {
      ctx.heartbeat();
      yield sleep(200);
    }
  }

  @BackgroundWorker({
    name: 'failing',
    restart: 'transient',
    backoff: { initialMs: 100, maxMs: 100, jitter: 0 },
  })
  async failing(ctx: WorkerContext): Promise<void> {
    await sleep(300, { signal: ctx.signal });
    if (ctx.attempt === 1) throw new Error('boom');
    await chan<never>().recv(ctx);
  }
}

/** `name{labels} value` lines of the gorx_* samples, without HELP/TYPE lines. */
async function samples(registry: Registry, prefix: string): Promise<string[]> {
  const text = await registry.metrics();
  return text.split('\n').filter((l) => l.startsWith(prefix));
}

async function value(registry: Registry, line: string): Promise<number | undefined> {
  const found = (await samples(registry, line.split('{')[0]!)).find((l) =>
    l.startsWith(line + ' '),
  );
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('Prometheus metrics (prom-client)', () => {
  it('count hangs, restarts by reason, exits by outcome, supersedes, and time runs and kills in seconds', async () => {
    useFakeTime();
    const registry = new Registry();
    t = await createApp({ providers: [Workers] }, { metrics: { prometheus: { registry } } });

    await jest.advanceTimersByTimeAsync(1_000); // beating#1 hangs: killed at 1 s
    await jest.advanceTimersByTimeAsync(500); // restarted after 500 ms; failing#1 threw at 300 ms
    expect(t.registry.get('beating')).toMatchObject({ state: 'running', attempt: 2 });
    expect(t.registry.get('failing')).toMatchObject({ state: 'running', attempt: 2 });

    // Two supersede calls on one key: the first is killed.
    const first = t.registry.supersede('k', (ctx) => sleep(10_000, ctx));
    const second = t.registry.supersede('k', (ctx) => sleep(100, ctx));
    await expect(first).rejects.toBeInstanceOf(SupersededError);
    await jest.advanceTimersByTimeAsync(100);
    await second;

    expect(await value(registry, 'gorx_heartbeat_misses_total{worker="beating"}')).toBe(1);
    expect(
      await value(registry, 'gorx_worker_restarts_total{worker="beating",reason="hung"}'),
    ).toBe(1);
    expect(
      await value(registry, 'gorx_worker_restarts_total{worker="failing",reason="failed"}'),
    ).toBe(1);
    expect(await value(registry, 'gorx_supersedes_total{worker="WorkerRegistry.supersede"}')).toBe(
      1,
    );
    expect(
      await value(registry, 'gorx_goroutine_exits_total{kind="worker",outcome="killed"}'),
    ).toBe(1);
    expect(await value(registry, 'gorx_goroutine_exits_total{kind="worker",outcome="error"}')).toBe(
      1,
    );
    expect(
      await value(registry, 'gorx_goroutine_exits_total{kind="supersede",outcome="killed"}'),
    ).toBe(1);
    expect(await value(registry, 'gorx_goroutine_exits_total{kind="supersede",outcome="ok"}')).toBe(
      1,
    );
    // The hung run lived exactly 1 s; its generator stopped at once when killed (0 s latency).
    expect(
      await value(
        registry,
        'gorx_run_duration_seconds_sum{kind="worker",worker="beating",outcome="killed"}',
      ),
    ).toBe(1);
    expect(
      await value(
        registry,
        'gorx_run_duration_seconds_sum{kind="worker",worker="failing",outcome="error"}',
      ),
    ).toBe(0.3);
    expect(
      await value(registry, 'gorx_kill_latency_seconds_count{kind="worker",cause="hung"}'),
    ).toBe(1);
    expect(await value(registry, 'gorx_kill_latency_seconds_sum{kind="worker",cause="hung"}')).toBe(
      0,
    );
    expect(
      await value(registry, 'gorx_kill_latency_seconds_count{kind="supersede",cause="superseded"}'),
    ).toBe(1);
    // Gauges are read when scraped.
    expect(await value(registry, 'gorx_workers{state="running"}')).toBe(2);
    expect(await value(registry, 'gorx_workers{state="gave-up"}')).toBe(0);
    expect(await value(registry, 'gorx_goroutines{state="running"}')).toBe(0);
    expect(await value(registry, 'gorx_goroutines{state="blocked"}')).toBe(2);

    await t.registry.stop('failing');
    expect(
      await value(registry, 'gorx_kill_latency_seconds_count{kind="worker",cause="stop"}'),
    ).toBe(1);
    expect(await value(registry, 'gorx_workers{state="stopped"}')).toBe(1);
  });

  it('removes its metrics from the registry when the application closes, so another app can register them', async () => {
    useFakeTime();
    const registry = new Registry();
    t = await createApp({}, { metrics: { prometheus: { registry } } });
    expect((await samples(registry, 'gorx_workers{')).length).toBe(WORKER_STATES.length);
    await closeAndExpectNothingLeft(t);
    t = null;
    expect(await registry.metrics()).not.toContain('gorx_');
    useFakeTime();
    t = await createApp({}, { metrics: { prometheus: { registry } } });
    expect(await registry.metrics()).toContain('gorx_workers');
  });

  it('a second live application on the same registry fails its bootstrap with ERR_METRICS_REGISTERED', async () => {
    useFakeTime();
    const registry = new Registry();
    t = await createApp({}, { metrics: { prometheus: { registry } } });
    const second = createApp({}, { metrics: { prometheus: { registry } } });
    await expect(second).rejects.toMatchObject({
      code: 'ERR_METRICS_REGISTERED',
      message: expect.stringContaining('gorx_goroutine_exits_total'),
    });
    await expect(second).rejects.toBeInstanceOf(ObservabilityError);
  });

  it('bad metrics options are refused with ERR_INVALID_OPTIONS before anything starts', async () => {
    useFakeTime();
    for (const bad of [
      { metrics: {} },
      { metrics: { prometheus: { registry: {} } } },
      { metrics: { openTelemetry: 'yes' } },
      { tracing: 1 },
    ]) {
      await expect(createApp({ providers: [Workers] }, bad as never)).rejects.toMatchObject({
        code: 'ERR_INVALID_OPTIONS',
      });
    }
  });

  it('a missing optional peer is named in an ERR_PEER_MISSING error', async () => {
    await expect(load('gorx-no-such-peer', 'metrics.prometheus')).rejects.toMatchObject({
      code: 'ERR_PEER_MISSING',
      message:
        'metrics.prometheus needs the optional peer dependency "gorx-no-such-peer" (npm i gorx-no-such-peer)',
    });
  });

  it('count lease acquisitions and losses of cluster singletons from their events; a lost lease is a kill cause of its own', async () => {
    useFakeTime();
    const registry = new Registry();
    t = await createApp({}, { metrics: { prometheus: { registry } } });
    const supervisor = t.app.get(WorkerSupervisor);
    for (const type of ['lease-acquired', 'lease-lost', 'lease-acquired'] as const) {
      supervisor.emit({ type, worker: 'reports', attempt: 1, at: Date.now() });
    }
    expect(await value(registry, 'gorx_lease_acquisitions_total{worker="reports"}')).toBe(2);
    expect(await value(registry, 'gorx_lease_losses_total{worker="reports"}')).toBe(1);
    expect(killCauseOf(new LeaseLostError('reports', 'renewal failed'))).toBe('lease-lost');
  });

  it('without metrics or tracing options the supervisor observes nothing (telemetry is null)', async () => {
    useFakeTime();
    t = await createApp({ providers: [Workers] });
    expect(t.app.get(GORX_TELEMETRY)).toBeNull();
  });
});

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

describe('OpenTelemetry metrics', () => {
  it('records the same figures as instruments of the global MeterProvider, gauges by callback', async () => {
    useFakeTime();
    const reader = new TestReader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    t = await createApp({ providers: [Workers] }, { metrics: { openTelemetry: true } });
    await jest.advanceTimersByTimeAsync(1_500);

    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const points = (name: string) =>
      all
        .find((m) => m.descriptor.name === name)
        ?.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value }));
    expect(points('gorx.heartbeat.misses')).toEqual([
      { attributes: { worker: 'beating' }, value: 1 },
    ]);
    expect(points('gorx.worker.restarts')).toEqual(
      expect.arrayContaining([
        { attributes: { worker: 'beating', reason: 'hung' }, value: 1 },
        { attributes: { worker: 'failing', reason: 'failed' }, value: 1 },
      ]),
    );
    expect(points('gorx.workers')).toEqual(
      expect.arrayContaining([{ attributes: { state: 'running' }, value: 2 }]),
    );
    const duration = all.find((m) => m.descriptor.name === 'gorx.run.duration')!;
    expect(duration.descriptor.unit).toBe('s');
    const hung = (duration.dataPoints as DataPoint<Histogram>[]).find(
      (p) => p.attributes.worker === 'beating',
    )!;
    expect(hung.value).toMatchObject({ count: 1, sum: 1 });
    await reader.shutdown();
  });
});
