import 'reflect-metadata';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { GoroutineExit, HeartbeatTimeoutError, chan, sleep } from 'gorx';
import { BackgroundWorker, GorxHealthIndicator, type WorkerContext } from 'gorx/nest';
import { flush } from '../helpers/leaks.js';
import {
  createApp,
  trace,
  useFakeTime,
  type TestApp,
  closeAndExpectNothingLeft,
} from './nest-helpers.js';

let t: TestApp | null = null;

afterEach(async () => {
  await closeAndExpectNothingLeft(t);
  t = null;
});

@Injectable()
class HangingWorker {
  hangOnAttempts = new Set<number>([1, 2]);
  finallyRan: number[] = [];

  @BackgroundWorker({
    name: 'hanging',
    heartbeatTimeout: 1_000,
    backoff: { initialMs: 500, maxMs: 5_000, factor: 2, jitter: 0 },
    maxRestarts: { count: 10, withinMs: 60_000 },
  })
  *run(ctx: WorkerContext): Generator<unknown, void, unknown> {
    try {
      ctx.heartbeat();
      if (this.hangOnAttempts.has(ctx.attempt)) yield new Promise<never>(() => {});
      for (;;) {
        ctx.heartbeat();
        yield sleep(400);
      }
    } finally {
      this.finallyRan.push(ctx.attempt);
    }
  }
}

describe('heartbeat supervision', () => {
  it('a worker silent for heartbeatTimeout is killed with HeartbeatTimeoutError and restarted after its backoff', async () => {
    useFakeTime();
    t = await createApp({ providers: [HangingWorker] });
    const worker = t.app.get(HangingWorker);
    expect(t.registry.get('hanging')).toMatchObject({ state: 'running', attempt: 1 });

    await jest.advanceTimersByTimeAsync(999);
    expect(t.registry.get('hanging')?.state).toBe('running');
    await jest.advanceTimersByTimeAsync(1);
    // Killed at once (a generator stops at its yield); its finally ran; now backing off 500 ms.
    expect(worker.finallyRan).toEqual([1]);
    const afterFirst = t.registry.get('hanging')!;
    expect(afterFirst.state).toBe('backoff');
    expect(afterFirst.lastError).toBeInstanceOf(HeartbeatTimeoutError);
    expect(afterFirst.nextRestartAt).toBe(Date.now() + 500);

    await jest.advanceTimersByTimeAsync(499);
    expect(t.registry.get('hanging')?.attempt).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(t.registry.get('hanging')).toMatchObject({ state: 'running', attempt: 2, restarts: 1 });

    // Attempt 2 hangs too: the second restart of the window waits twice as long (1000 ms).
    await jest.advanceTimersByTimeAsync(1_000);
    expect(t.registry.get('hanging')?.state).toBe('backoff');
    await jest.advanceTimersByTimeAsync(999);
    expect(t.registry.get('hanging')?.attempt).toBe(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(t.registry.get('hanging')).toMatchObject({ state: 'running', attempt: 3, restarts: 2 });

    expect(trace(t.events)).toEqual([
      'started hanging#1',
      'heartbeat-missed hanging#1',
      'failed hanging#1',
      'restarted hanging#2',
      'heartbeat-missed hanging#2',
      'failed hanging#2',
      'restarted hanging#3',
    ]);
  });

  it('a worker that beats within its timeout is never killed, however long it runs', async () => {
    useFakeTime();
    const hanging = new HangingWorker();
    hanging.hangOnAttempts.clear();
    t = await createApp({ providers: [{ provide: HangingWorker, useValue: hanging }] });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(t.registry.get('hanging')).toMatchObject({ state: 'running', attempt: 1, restarts: 0 });
    expect(t.registry.get('hanging')?.lastHeartbeatAt).toBeGreaterThan(Date.now() - 1_000);
  });

  it('heartbeats are checked by a single timer per worker, not one timer per beat', async () => {
    useFakeTime();
    @Injectable()
    class Busy {
      @BackgroundWorker({ name: 'busy', heartbeatTimeout: 1_000 })
      *run(ctx: WorkerContext): Generator<unknown, void, unknown> {
        for (;;) {
          for (let i = 0; i < 10_000; i++) ctx.heartbeat({ i });
          yield sleep(100);
        }
      }
    }
    t = await createApp({ providers: [Busy] });
    // One heartbeat timer + the worker's own sleep.
    expect(jest.getTimerCount()).toBe(2);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(jest.getTimerCount()).toBe(2);
    expect(t.registry.get('busy')).toMatchObject({
      state: 'running',
      lastHeartbeatDetails: { i: 9_999 },
    });
  });

  it('a hot-loop beater that hangs is killed no sooner than heartbeatTimeout after its last beat, and within twice it', async () => {
    useFakeTime();
    let lastBeatAt = 0;
    @Injectable()
    class HotThenHung {
      @BackgroundWorker({ name: 'hot', heartbeatTimeout: 1_000, restart: 'temporary' })
      *run(ctx: WorkerContext): Generator<unknown, void, unknown> {
        const until = Date.now() + 3_210;
        while (Date.now() < until) {
          for (let i = 0; i < 100; i++) ctx.heartbeat();
          lastBeatAt = Date.now();
          yield sleep(10);
        }
        yield new Promise<never>(() => {});
      }
    }
    t = await createApp({ providers: [HotThenHung] });
    await jest.advanceTimersByTimeAsync(10_000);
    const missed = t.events.find((e) => e.type === 'heartbeat-missed')!;
    expect(missed.at - lastBeatAt).toBeGreaterThanOrEqual(1_000);
    expect(missed.at - lastBeatAt).toBeLessThanOrEqual(2_000);
  });

  it('a heartbeat from a killed run that ignores its signal does not revive it', async () => {
    useFakeTime();
    let release!: () => void;
    let beat!: () => void;
    @Injectable()
    class Zombie {
      @BackgroundWorker({ name: 'zombie', heartbeatTimeout: 100, restart: 'temporary' })
      async run(ctx: WorkerContext): Promise<void> {
        beat = () => ctx.heartbeat();
        await new Promise<void>((resolve) => (release = resolve)); // ignores ctx.signal
      }
    }
    t = await createApp({ providers: [Zombie] });
    await jest.advanceTimersByTimeAsync(100);
    expect(t.registry.get('zombie')?.state).toBe('hung');
    beat();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(t.registry.get('zombie')?.state).toBe('hung');
    expect(t.app.get(GorxHealthIndicator).isHealthy('w').w.status).toBe('down');
    release();
    await flush();
    expect(t.registry.get('zombie')?.state).toBe('failed');
  });

  it('a WorkerContext is operation options like a GoContext: ch.recv(ctx) is bound to the run, with no AbortController', async () => {
    useFakeTime();
    let seen: unknown;
    let gctx: unknown;
    const ch = chan<number>();
    @Injectable()
    class Reader {
      @BackgroundWorker({ name: 'reader', restart: 'temporary' })
      async run(ctx: WorkerContext): Promise<void> {
        gctx = (ctx as unknown as { gctx: unknown }).gctx;
        try {
          await ch.recv(ctx);
        } catch (e) {
          seen = e;
          throw e;
        }
      }
    }
    t = await createApp({ providers: [Reader] });
    expect(t.registry.get('reader')?.state).toBe('running');
    await t.registry.stop('reader');
    expect(seen).toBeInstanceOf(GoroutineExit);
    // The run's goroutine never created the AbortController behind ctx.signal.
    const extras = (gctx as { extras: { controller: unknown } | null }).extras;
    expect(extras === null ? null : extras.controller).toBeNull();
    expect(ch.trySend(1)).toBe(false); // the receive was withdrawn, not left parked
  });

  it("a worker's child goroutines are killed (their finally runs) when it is killed as hung", async () => {
    useFakeTime();
    const log: string[] = [];
    @Injectable()
    class Parent {
      @BackgroundWorker({ name: 'parent', heartbeatTimeout: 500, restart: 'temporary' })
      *run(ctx: WorkerContext): Generator<unknown, void, unknown> {
        ctx.go(function* () {
          try {
            yield chan<number>().recv();
          } finally {
            log.push('child cleaned up');
          }
        });
        try {
          yield new Promise<never>(() => {});
        } finally {
          log.push('parent cleaned up');
        }
      }
    }
    t = await createApp({ providers: [Parent] });
    await jest.advanceTimersByTimeAsync(500);
    expect(log).toEqual(['child cleaned up', 'parent cleaned up']);
    expect(t.registry.get('parent')?.state).toBe('failed');
  });

  it('lastHeartbeat hands the details of the previous attempt to the next one', async () => {
    useFakeTime();
    const seen: unknown[] = [];
    @Injectable()
    class Resumer {
      @BackgroundWorker({ name: 'resumer', backoff: { initialMs: 10, maxMs: 10, jitter: 0 } })
      async run(ctx: WorkerContext<{ cursor: number }>): Promise<void> {
        seen.push(ctx.lastHeartbeat);
        ctx.heartbeat({ cursor: ctx.attempt * 10 });
        if (ctx.attempt < 3) throw new Error('boom');
        await sleep(60_000, { signal: ctx.signal });
      }
    }
    t = await createApp({ providers: [Resumer] });
    await jest.advanceTimersByTimeAsync(100);
    expect(seen).toEqual([undefined, { cursor: 10 }, { cursor: 20 }]);
  });
});

describe('restart policies', () => {
  function policyWorker(restart: 'permanent' | 'transient' | 'temporary', fail: boolean) {
    @Injectable()
    class PolicyWorker {
      @BackgroundWorker({
        name: 'w',
        restart,
        backoff: { initialMs: 100, maxMs: 100, jitter: 0 },
        maxRestarts: { count: 100, withinMs: 1_000 },
      })
      async run(ctx: WorkerContext): Promise<void> {
        if (ctx.attempt > 1) return sleep(60_000, { signal: ctx.signal });
        await sleep(10, { signal: ctx.signal });
        if (fail) throw new Error('failed on purpose');
      }
    }
    return PolicyWorker;
  }

  it.each([
    ['permanent', false, 2, 'running'],
    ['permanent', true, 2, 'running'],
    ['transient', false, 1, 'stopped'],
    ['transient', true, 2, 'running'],
    ['temporary', false, 1, 'stopped'],
    ['temporary', true, 1, 'failed'],
  ] as const)(
    '%s restart policy, run failed=%s: ends at attempt %i, %s',
    async (policy, fail, attempt, state) => {
      useFakeTime();
      t = await createApp({ providers: [policyWorker(policy, fail)] });
      await jest.advanceTimersByTimeAsync(200);
      expect(t.registry.get('w')).toMatchObject({ attempt, state });
    },
  );

  it('a crash loop exceeds maxRestarts within the window: gave-up, not restarted, health down', async () => {
    useFakeTime();
    let runs = 0;
    @Injectable()
    class Crasher {
      @BackgroundWorker({
        name: 'crasher',
        backoff: { initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0 },
        maxRestarts: { count: 3, withinMs: 10_000 },
      })
      async run(): Promise<void> {
        runs++;
        throw new Error(`crash ${runs}`);
      }
    }
    t = await createApp({ providers: [Crasher] });
    const health = t.app.get(GorxHealthIndicator);
    expect(health.isHealthy('workers').workers.status).toBe('up');
    // Restarts after 100, 200 and 400 ms; the 4th failure is past the limit.
    await jest.advanceTimersByTimeAsync(699);
    expect(runs).toBe(3);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs).toBe(4);
    expect(t.registry.get('crasher')).toMatchObject({ state: 'gave-up', attempt: 4, restarts: 3 });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(runs).toBe(4);
    const result = health.isHealthy('workers');
    expect(result.workers).toMatchObject({
      status: 'down',
      workers: { crasher: { state: 'gave-up', down: true, lastError: 'Error: crash 4' } },
    });
    expect(trace(t.events).slice(-2)).toEqual(['failed crasher#4', 'gave-up crasher#4']);

    // Starting it by hand resets the restart intensity window.
    await t.registry.start('crasher');
    await flush();
    expect(runs).toBe(5);
    expect(t.registry.get('crasher')?.state).toBe('backoff');
  });

  it('restarts spread out beyond the window never give up', async () => {
    useFakeTime();
    @Injectable()
    class Slow {
      @BackgroundWorker({
        name: 'slow',
        backoff: { initialMs: 0, maxMs: 0, jitter: 0 },
        maxRestarts: { count: 2, withinMs: 1_000 },
      })
      async run(ctx: WorkerContext): Promise<void> {
        await sleep(600, { signal: ctx.signal });
        throw new Error('again');
      }
    }
    t = await createApp({ providers: [Slow] });
    // Ten failures 600 ms apart: never more than 2 restarts inside any 1000 ms window.
    await jest.advanceTimersByTimeAsync(6_300);
    expect(t.registry.get('slow')).toMatchObject({ state: 'running', restarts: 10 });
  });

  it('jitter keeps each backoff delay within [d*(1-j), d*(1+j)]', async () => {
    useFakeTime();
    const random = jest.spyOn(Math, 'random');
    @Injectable()
    class Jittery {
      @BackgroundWorker({ name: 'j', backoff: { initialMs: 1_000, maxMs: 10_000, jitter: 0.5 } })
      async run(): Promise<void> {
        throw new Error('x');
      }
    }
    try {
      random.mockReturnValue(0);
      t = await createApp({ providers: [Jittery] });
      expect(t.registry.get('j')?.nextRestartAt).toBe(Date.now() + 500);
      random.mockReturnValue(0.999999);
      await jest.advanceTimersByTimeAsync(500);
      // Second restart: base 2000 ms, jitter at its top: 3000 ms.
      expect(t.registry.get('j')?.nextRestartAt).toBe(Date.now() + 3_000);
    } finally {
      random.mockRestore();
    }
  });
});

describe('logging', () => {
  it('every gorx log line names the worker and its attempt', async () => {
    useFakeTime();
    t = await createApp({ providers: [HangingWorker] });
    await jest.advanceTimersByTimeAsync(3_000);
    const lines = t.logger.gorx();
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const line of lines) expect(line).toMatch(/worker "hanging" attempt \d+: /);
    expect(lines).toContain(
      'warn: worker "hanging" attempt 1: no heartbeat for 1000 ms, killing it',
    );
    expect(lines).toContain('error: worker "hanging" attempt 1: hung: no heartbeat within 1000 ms');
  });
});
