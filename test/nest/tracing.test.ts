// Traces of gorx/nest: one span per worker run and per supersede call, links from a run to the
// one it supersedes or restarts after, and the run's span active inside its goroutines (through
// the AsyncLocalStorage context gorx gives every goroutine).
import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { context, trace, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { SupersededError, chan, sleep } from 'gorx';
import { BackgroundWorker, type WorkerContext } from 'gorx/nest';
import { createApp, closeAndExpectNothingLeft, useFakeTime, type TestApp } from './nest-helpers.js';

let t: TestApp | null = null;
const exporter = new InMemorySpanExporter();
let contextManager: AsyncLocalStorageContextManager;

beforeEach(() => {
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
});

afterEach(async () => {
  await closeAndExpectNothingLeft(t);
  t = null;
  exporter.reset();
  trace.disable();
  context.disable();
});

const spanId = (): string | undefined => trace.getActiveSpan()?.spanContext().spanId;

@Injectable()
class Traced {
  /** Span ids seen inside each attempt: at start, after a yield, in a child goroutine. */
  seen: Record<number, (string | undefined)[]> = {};

  @BackgroundWorker({
    name: 'traced',
    heartbeatTimeoutMs: 1_000,
    backoff: { initialMs: 500, maxMs: 500, jitter: 0 },
  })
  *run(ctx: WorkerContext): Generator<unknown, void, unknown> {
    const seen: (string | undefined)[] = (this.seen[ctx.attempt] = [spanId()]);
    yield sleep(10);
    seen.push(spanId());
    const child = ctx.go(async () => {
      await sleep(10);
      seen.push(spanId());
    });
    yield child.done;
    if (ctx.attempt === 1) yield new Promise<never>(() => {}); // hangs
    for (;;) {
      ctx.heartbeat();
      yield sleep(200);
    }
  }
}

const byName = (name: string): ReadableSpan[] =>
  exporter.getFinishedSpans().filter((s) => s.name === name);

describe('traces', () => {
  it('one span per worker run (worker, attempt, exit reason), active inside the run and its child goroutines; a restart links to the hung run', async () => {
    useFakeTime();
    t = await createApp({ providers: [Traced] }, { tracing: true });
    const traced = t.app.get(Traced);
    await jest.advanceTimersByTimeAsync(1_520); // attempt 1 hangs at 1 s + 20 ms, restarts 500 ms later
    expect(t.registry.get('traced')).toMatchObject({ attempt: 2, state: 'running' });
    await jest.advanceTimersByTimeAsync(30);
    await t.registry.stop('traced');

    const [first, second] = byName('worker traced');
    expect(first!.attributes).toMatchObject({
      'gorx.worker': 'traced',
      'gorx.attempt': 1,
      'gorx.run.kind': 'worker',
      'gorx.run.cause': 'started',
      'gorx.exit.reason': 'hung',
      'gorx.exit.outcome': 'killed',
    });
    expect(first!.status.code).toBe(SpanStatusCode.ERROR);
    expect(first!.events.map((e) => [e.name, e.attributes])).toEqual([
      ['gorx.kill', { 'gorx.kill.cause': 'hung' }],
    ]);
    expect(second!.attributes).toMatchObject({
      'gorx.attempt': 2,
      'gorx.run.cause': 'restarted',
      'gorx.restart.reason': 'hung',
      'gorx.exit.reason': 'stop',
    });
    expect(second!.status.code).toBe(SpanStatusCode.UNSET);
    expect(second!.links).toMatchObject([
      {
        context: first!.spanContext(),
        attributes: { 'gorx.link': 'restart-of' },
      },
    ]);
    // Each run is the root of its own trace.
    expect(first!.parentSpanContext).toBeUndefined();
    expect(second!.spanContext().traceId).not.toBe(first!.spanContext().traceId);
    // The run's span is active in its body, after a yield, and in a child goroutine.
    const id1 = first!.spanContext().spanId;
    const id2 = second!.spanContext().spanId;
    expect(traced.seen).toEqual({ 1: [id1, id1, id1], 2: [id2, id2, id2] });
  });

  it("one span per supersede call, child of the caller's span; the new call links to the one it superseded", async () => {
    useFakeTime();
    t = await createApp({}, { tracing: true });
    const registry = t.registry;
    const tracer = trace.getTracer('test');
    const inside: (string | undefined)[] = [];
    const blocker = chan<never>();
    const { first, second, request } = tracer.startActiveSpan('request', (request) => {
      const first = registry.supersede('scene-1', async (ctx) => {
        inside.push(spanId());
        await blocker.recv(ctx);
      });
      const second = registry.supersede('scene-1', async () => {
        await sleep(5);
        inside.push(spanId());
        return 'done';
      });
      request.end();
      return { first, second, request };
    });
    await expect(first).rejects.toBeInstanceOf(SupersededError);
    await jest.advanceTimersByTimeAsync(5);
    await expect(second).resolves.toBe('done');

    const [a, b] = byName('supersede WorkerRegistry.supersede');
    expect(a!.attributes).toMatchObject({
      'gorx.run.kind': 'supersede',
      'gorx.worker': 'WorkerRegistry.supersede',
      'gorx.run.label': 'supersede:scene-1',
      'gorx.attempt': 1,
      'gorx.exit.reason': 'superseded',
      'gorx.exit.outcome': 'killed',
    });
    expect(a!.status.code).toBe(SpanStatusCode.UNSET); // superseded is not an error
    expect(b!.attributes).toMatchObject({
      'gorx.attempt': 2,
      'gorx.exit.reason': 'returned',
      'gorx.exit.outcome': 'ok',
    });
    expect(b!.links).toMatchObject([
      {
        context: a!.spanContext(),
        attributes: { 'gorx.link': 'supersedes' },
      },
    ]);
    for (const s of [a!, b!]) {
      expect(s.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      expect(s.spanContext().traceId).toBe(request.spanContext().traceId);
    }
    expect(inside).toEqual([a!.spanContext().spanId, b!.spanContext().spanId]);
  });

  it("a schedule's overlap supersede: the next tick's run links to the run it killed", async () => {
    useFakeTime();
    t = await createApp({}, { tracing: true });
    t.registry.spawn('slow', (ctx) => sleep(10_000, ctx), {
      schedule: { intervalMs: 1_000, overlap: 'supersede' },
    });
    await jest.advanceTimersByTimeAsync(2_000); // tick 1 starts a run, tick 2 supersedes it
    await t.registry.stop('slow');
    const [first, second] = byName('worker slow');
    expect(first!.attributes).toMatchObject({
      'gorx.exit.reason': 'superseded',
      'gorx.exit.outcome': 'killed',
    });
    expect(second!.links).toMatchObject([
      { context: first!.spanContext(), attributes: { 'gorx.link': 'supersedes' } },
    ]);
    expect(second!.attributes).toMatchObject({ 'gorx.attempt': 2, 'gorx.exit.reason': 'stop' });
  });

  it('a failed run records its exception and an error status', async () => {
    useFakeTime();
    t = await createApp({}, { tracing: true });
    t.registry.spawn(
      'fails',
      async () => {
        throw new TypeError('bad input');
      },
      { restart: 'temporary' },
    );
    await jest.advanceTimersByTimeAsync(0);
    const [span] = byName('worker fails');
    expect(span!.attributes).toMatchObject({
      'gorx.exit.reason': 'failed',
      'gorx.exit.outcome': 'error',
    });
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'TypeError: bad input' });
    expect(span!.events.map((e) => e.name)).toEqual(['exception']);
  });
});
