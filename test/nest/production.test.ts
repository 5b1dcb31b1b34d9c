// Regression tests of the production trial (issue 8): each test names the guarantee a defect broke.
import 'reflect-metadata';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HeartbeatTimeoutError, sleep, type Chan } from 'gorx';
import {
  BackgroundWorker,
  GorxHealthIndicator,
  GorxModule,
  InjectChannel,
  Supersede,
  ShutdownError,
  WorkerContext,
  WorkerRegistryError,
  supersedeContext,
} from 'gorx/nest';
import { flush } from '../helpers/leaks.js';
import {
  closeAndExpectNothingLeft,
  createApp,
  trace,
  useFakeTime,
  type TestApp,
} from './nest-helpers.js';

let t: TestApp | null = null;

afterEach(async () => {
  await closeAndExpectNothingLeft(t);
  t = null;
});

describe('cleanup errors (defect 1)', () => {
  @Injectable()
  class Poller {
    closed = false;
    @BackgroundWorker({ name: 'poller' })
    async run(ctx: WorkerContext): Promise<void> {
      try {
        await sleep(60_000, { signal: ctx.signal });
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        if (this.closed) throw new Error('database is closed'); // db.setCursor() in the trial
      }
    }
    @BackgroundWorker({ name: 'gen-poller' })
    *gen(): Generator<unknown, void, unknown> {
      try {
        yield sleep(60_000);
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        if (this.closed) throw new Error('generator cleanup failed');
      }
    }
  }

  it('an error thrown by a finally during stop is logged, emitted as failed and kept as lastError', async () => {
    useFakeTime();
    t = await createApp({ providers: [Poller] });
    t.app.get(Poller).closed = true;
    await t.registry.stop('poller');
    await t.registry.stop('gen-poller');
    for (const [name, message] of [
      ['poller', 'database is closed'],
      ['gen-poller', 'generator cleanup failed'],
    ] as const) {
      expect(t.registry.get(name)).toMatchObject({ state: 'stopped', lastError: { message } });
      expect(trace(t.events, name)).toEqual([
        `started ${name}#1`,
        `failed ${name}#1`,
        `stopped ${name}#1`,
      ]);
      expect(t.logger.gorx()).toContain(
        `error: worker "${name}" attempt 1: cleanup failed after it was killed: ${message}`,
      );
    }
  });

  it('an error thrown by a finally during shutdown is logged and emitted', async () => {
    useFakeTime();
    const app = await createApp({ providers: [Poller] });
    app.app.get(Poller).closed = true;
    await app.app.close();
    expect(trace(app.events, 'poller')).toEqual([
      'started poller#1',
      'failed poller#1',
      'stopped poller#1',
    ]);
    expect(
      app.events.find((e) => e.type === 'failed' && e.worker === 'poller')?.error,
    ).toMatchObject({
      message: 'database is closed',
    });
    expect(app.logger.gorx()).toContain(
      'error: worker "poller" attempt 1: cleanup failed after it was killed: database is closed',
    );
  });

  it('an error thrown by the finally of a superseded run is logged and rejects its caller', async () => {
    useFakeTime();
    t = await createApp({});
    const first = t.registry.supersede('k', async (ctx) => {
      try {
        await sleep(1_000, { signal: ctx.signal });
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw new Error('rollback failed');
      }
    });
    const caught = first.catch((e: unknown) => e);
    const second = t.registry.supersede('k', async () => 'ok');
    expect(await caught).toMatchObject({ message: 'rollback failed' });
    expect(await second).toBe('ok');
    expect(t.logger.gorx()).toContain(
      'error: worker "supersede:k" attempt 1: cleanup failed after it was killed: rollback failed',
    );
  });
});

describe('stop with a grace (defect 2)', () => {
  @Injectable()
  class Stubborn {
    release: () => void = () => {};
    @BackgroundWorker({ name: 'stubborn' })
    async run(): Promise<void> {
      await new Promise<void>((resolve) => (this.release = resolve)); // ignores its signal
    }
  }

  it('stop of a worker that ignores its signal rejects ERR_STOP_TIMEOUT after the grace; start waits, then refuses; both work once it ends', async () => {
    useFakeTime();
    t = await createApp({ providers: [Stubborn] }, { shutdownGraceMs: 1_000 });
    const stopped = t.registry.stop('stubborn').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(999);
    expect(t.registry.get('stubborn')?.state).toBe('stopping');
    await jest.advanceTimersByTimeAsync(1);
    const error = await stopped;
    expect(error).toBeInstanceOf(WorkerRegistryError);
    expect(error).toMatchObject({ code: 'ERR_STOP_TIMEOUT' });
    // Reported down while it lingers.
    const health = t.app.get(GorxHealthIndicator).isHealthy('w').w;
    expect(health).toMatchObject({ status: 'down', message: 'down: stubborn (stop overdue)' });

    const started = t.registry.start('stubborn', { graceMs: 500 }).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(500);
    expect(await started).toMatchObject({ code: 'ERR_STOP_TIMEOUT' });
    expect(t.registry.get('stubborn')).toMatchObject({ state: 'stopping', attempt: 1 });

    t.app.get(Stubborn).release();
    await flush();
    expect(t.registry.get('stubborn')?.state).toBe('stopped');
    expect(t.app.get(GorxHealthIndicator).isHealthy('w').w.status).toBe('up');
    await t.registry.start('stubborn');
    expect(t.registry.get('stubborn')).toMatchObject({ state: 'running', attempt: 2 });
    t.app.get(Stubborn).release(); // let attempt 2 end at shutdown
  });
});

describe('start of a running worker (found by the supervisor property test)', () => {
  it('start on a running worker resolves at once and leaves the run alone', async () => {
    useFakeTime();
    t = await createApp({});
    t.registry.spawn('busy', async (ctx) => sleep(60_000, { signal: ctx.signal }));
    let started = false;
    const start = t.registry.start('busy').then(() => (started = true));
    await flush();
    expect(started).toBe(true);
    await start;
    expect(t.registry.get('busy')).toMatchObject({ state: 'running', attempt: 1 });
  });
});

describe('shutdown errors (defect 4)', () => {
  @Injectable()
  class Reindex {
    @Supersede()
    async run(): Promise<string> {
      await sleep(10_000, { signal: supersedeContext()!.signal });
      return 'done';
    }
  }

  it('a @Supersede call cut off by shutdown rejects ShutdownError, distinguishable from SupersededError', async () => {
    useFakeTime();
    const app = await createApp({ providers: [Reindex] });
    const call = app.app
      .get(Reindex)
      .run()
      .catch((e: unknown) => e);
    await app.app.close();
    const error = await call;
    expect(error).toBeInstanceOf(ShutdownError);
    expect(error).toMatchObject({ code: 'ERR_APPLICATION_SHUTDOWN', name: 'ShutdownError' });
  });
});

describe('removing dynamic workers (defect 5)', () => {
  it('remove forgets a spawned worker after stopping it: 1,000 spawned and removed leave nothing listed', async () => {
    useFakeTime();
    t = await createApp({});
    const cleaned: number[] = [];
    for (let i = 0; i < 1_000; i++) {
      t.registry.spawn(`job-${i}`, async (ctx) => {
        try {
          await sleep(60_000, { signal: ctx.signal });
        } finally {
          cleaned.push(i);
        }
      });
    }
    expect(t.registry.list()).toHaveLength(1_000);
    await Promise.all(t.registry.list().map((s) => t!.registry.remove(s.name)));
    expect(cleaned).toHaveLength(1_000);
    expect(t.registry.list()).toEqual([]);
    expect(t.registry.get('job-1')).toBeUndefined();
    // The name is free again.
    t.registry.spawn('job-1', async (ctx) => sleep(60_000, { signal: ctx.signal }));
    expect(t.registry.list().map((s) => s.name)).toEqual(['job-1']);
  });

  it('health details stay bounded by healthDetailsLimit, down workers first, the rest counted', async () => {
    useFakeTime();
    t = await createApp({}, { healthDetailsLimit: 5 });
    for (let i = 0; i < 50; i++) {
      t.registry.spawn(`idle-${i}`, async (ctx) => sleep(60_000, { signal: ctx.signal }));
    }
    t.registry.spawn(
      'broken',
      async () => {
        throw new Error('no luck');
      },
      { maxRestarts: { count: 0, withinMs: 1_000 } },
    );
    await flush();
    const result = t.app.get(GorxHealthIndicator).isHealthy('w').w;
    expect(Object.keys(result.workers)).toHaveLength(5);
    expect(Object.keys(result.workers)[0]).toBe('broken');
    expect(result).toMatchObject({
      status: 'down',
      message: 'down: broken (gave-up)',
      omitted: 46,
      counts: { running: 50, 'gave-up': 1 },
    });
  });
});

describe('blocked event loop (defect 6)', () => {
  @Injectable()
  class Beaters {
    @BackgroundWorker({ name: 'every-50', heartbeatTimeoutMs: 200 })
    *fast(ctx: WorkerContext): Generator<unknown, void, unknown> {
      for (;;) {
        ctx.heartbeat();
        yield sleep(50);
      }
    }
    @BackgroundWorker({ name: 'every-150', heartbeatTimeoutMs: 200 })
    *slow(ctx: WorkerContext): Generator<unknown, void, unknown> {
      for (;;) {
        ctx.heartbeat();
        yield sleep(150);
      }
    }
    @BackgroundWorker({ name: 'silent', heartbeatTimeoutMs: 200, restart: 'temporary' })
    *silent(): Generator<unknown, void, unknown> {
      yield sleep(1_000_000);
    }
  }

  it.each([0, 30, 90, 140])(
    'a 400 ms blocked loop does not count as silence, whatever the beat frequency (block after %i ms)',
    async (offset) => {
      useFakeTime();
      t = await createApp({ providers: [Beaters] });
      await jest.advanceTimersByTimeAsync(1_000 + offset);
      jest.setSystemTime(Date.now() + 400); // the loop was blocked: every timer comes late
      const health = t.app.get(GorxHealthIndicator);
      const before = health.isHealthy('w').w.workers;
      expect([before['every-50']?.down, before['every-150']?.down]).toEqual([false, false]);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(t.registry.get('every-50')).toMatchObject({ state: 'running', attempt: 1 });
      expect(t.registry.get('every-150')).toMatchObject({ state: 'running', attempt: 1 });
      expect(t.events.filter((e) => e.type === 'heartbeat-missed').map((e) => e.worker)).toEqual([
        'silent',
      ]);
    },
  );

  it('a worker silent for a full timeout before its check came due is hung, as an on-time check would find', async () => {
    useFakeTime();
    t = await createApp({ providers: [Beaters] });
    await jest.advanceTimersByTimeAsync(100);
    jest.setSystemTime(Date.now() + 400);
    await jest.advanceTimersByTimeAsync(100);
    expect(trace(t.events, 'silent')).toEqual([
      'started silent#1',
      'heartbeat-missed silent#1',
      'failed silent#1',
    ]);
    expect(t.registry.get('silent')?.lastError).toBeInstanceOf(HeartbeatTimeoutError);
    expect(t.registry.get('silent')?.state).toBe('failed');
  });
});

describe('channels declared by several modules (friction 7)', () => {
  it('two forFeature declarations of one name with the same capacity share one channel', async () => {
    useFakeTime();
    @Injectable()
    class A {
      constructor(@InjectChannel('jobs') readonly jobs: Chan<number>) {}
    }
    @Injectable()
    class B {
      constructor(@InjectChannel('jobs') readonly jobs: Chan<number>) {}
    }
    @Module({
      imports: [GorxModule.forFeature({ channels: [{ name: 'jobs', capacity: 2 }] })],
      providers: [A],
      exports: [A],
    })
    class ModuleA {}
    @Module({
      imports: [GorxModule.forFeature({ channels: [{ name: 'jobs', capacity: 2 }] })],
      providers: [B],
      exports: [B],
    })
    class ModuleB {}
    t = await createApp({ imports: [ModuleA, ModuleB] });
    expect(t.app.get(A).jobs).toBe(t.app.get(B).jobs);
  });

  it('declarations of one name with different capacities fail the bootstrap with a TypeError', async () => {
    @Module({ imports: [GorxModule.forFeature({ channels: [{ name: 'jobs', capacity: 2 }] })] })
    class ModuleA {}
    @Module({ imports: [GorxModule.forFeature({ channels: [{ name: 'jobs', capacity: 5 }] })] })
    class ModuleB {}
    await expect(
      Test.createTestingModule({ imports: [ModuleA, ModuleB] }).compile(),
    ).rejects.toThrow('channel "jobs" is declared with capacity 2 and with capacity 5');
  });
});

describe('statuses and logs (friction 8, 9)', () => {
  it('a status is JSON-ready: lastError serialises to its name, message and code', async () => {
    useFakeTime();
    t = await createApp({});
    t.registry.spawn(
      'hangs',
      function* () {
        yield sleep(1_000_000);
      },
      { heartbeatTimeoutMs: 100, restart: 'temporary' },
    );
    await jest.advanceTimersByTimeAsync(100);
    const json = JSON.parse(JSON.stringify(t.registry.get('hangs'))) as Record<string, unknown>;
    expect(json.lastError).toEqual({
      name: 'HeartbeatTimeoutError',
      message: 'no heartbeat within 100 ms',
      code: 'ERR_HEARTBEAT_TIMEOUT',
    });
    expect(t.registry.get('hangs')?.lastError).toBeInstanceOf(HeartbeatTimeoutError);
  });

  it('lifecycle lines go to debug by default, failures to warn and error', async () => {
    useFakeTime();
    t = await createApp({});
    t.registry.spawn(
      'crashes',
      async () => {
        throw new Error('boom');
      },
      { maxRestarts: { count: 0, withinMs: 1_000 } },
    );
    await t.registry.supersede('k', async () => 1);
    const pending = t.registry.supersede('k', async (ctx) => sleep(100, { signal: ctx.signal }));
    await t.registry.supersede('k', async () => 2);
    await pending.catch(() => {});
    await flush();
    expect(t.logger.gorx()).toEqual([
      'debug: worker "crashes" attempt 1: started',
      'error: worker "crashes" attempt 1: failed: boom',
      'error: worker "crashes" attempt 1: gave up after 0 restarts in 1000 ms',
      'debug: worker "supersede:k" attempt 1: superseded',
    ]);
  });

  it("lifecycleLogLevel moves lifecycle lines (module-wide, and per worker); 'off' drops them", async () => {
    useFakeTime();
    t = await createApp({}, { lifecycleLogLevel: 'log' });
    t.registry.spawn('loud', async (ctx) => sleep(60_000, { signal: ctx.signal }));
    t.registry.spawn('quiet', async (ctx) => sleep(60_000, { signal: ctx.signal }), {
      lifecycleLogLevel: 'off',
    });
    await t.registry.stop('loud');
    await t.registry.stop('quiet');
    expect(t.logger.gorx()).toEqual([
      'log: worker "loud" attempt 1: started',
      'log: worker "loud" attempt 1: stopped',
    ]);
  });
});

describe('timer limits (issue 12 item 9)', () => {
  it.each([
    [
      { heartbeatTimeoutMs: 2 ** 31 },
      'worker "big": heartbeatTimeoutMs must be at most 2147483647 ms',
    ],
    [
      { backoff: { initialMs: 1, maxMs: 2 ** 31 } },
      'worker "big": backoff.maxMs must be at most 2147483647 ms',
    ],
    [
      { schedule: { intervalMs: 2 ** 32 } },
      'worker "big": schedule.intervalMs must be at most 2147483647 ms',
    ],
  ])(
    'a delay of 2^31 ms or more is refused with a RangeError at bootstrap, before any worker starts (%j)',
    async (options, message) => {
      let started = 0;
      @Injectable()
      class Workers {
        @BackgroundWorker({ name: 'fine' })
        async fine(ctx: WorkerContext): Promise<void> {
          started++;
          await sleep(10, { signal: ctx.signal });
        }
        @BackgroundWorker({ name: 'big', ...options })
        async big(): Promise<void> {
          started++;
        }
      }
      const moduleRef = await Test.createTestingModule({
        imports: [GorxModule.forRoot()],
        providers: [Workers],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      const init = app.init();
      await expect(init).rejects.toBeInstanceOf(RangeError);
      await expect(init).rejects.toThrow(message);
      expect(started).toBe(0);
      await app.close();
    },
  );

  it('a shutdownGraceMs of 2^31 or more fails at startup', async () => {
    await expect(
      Test.createTestingModule({ imports: [GorxModule.forRoot({ shutdownGraceMs: 2 ** 31 })] })
        .compile()
        .then((m) => m.createNestApplication({ logger: false }).init()),
    ).rejects.toBeInstanceOf(RangeError);
  });

  it('spawn with an out-of-range delay throws before registering anything', async () => {
    useFakeTime();
    t = await createApp({});
    expect(() => t!.registry.spawn('x', async () => {}, { heartbeatTimeoutMs: 2 ** 31 })).toThrow(
      RangeError,
    );
    expect(t.registry.list()).toEqual([]);
  });
});

describe('bad grace values', () => {
  it('stop with an invalid graceMs throws before the worker is touched', async () => {
    useFakeTime();
    t = await createApp({});
    t.registry.spawn('calm', async (ctx) => sleep(60_000, { signal: ctx.signal }));
    await expect(t.registry.stop('calm', { graceMs: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(t.registry.remove('calm', { graceMs: 2 ** 31 })).rejects.toBeInstanceOf(
      RangeError,
    );
    expect(t.registry.get('calm')).toMatchObject({ state: 'running', attempt: 1 });
  });
});
