import 'reflect-metadata';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Controller, Inject, Injectable, Module, Scope } from '@nestjs/common';
import { HealthCheckService, TerminusModule, type HealthIndicatorResult } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { sleep, type Chan } from 'gorx';
import {
  BackgroundWorker,
  GORX_DEFAULTS,
  GorxHealthIndicator,
  GorxModule,
  InjectChannel,
  WorkerRegistry,
  WorkerRegistryError,
  type WorkerContext,
} from 'gorx/nest';
import { flush } from '../helpers/leaks.js';
import {
  CaptureLogger,
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
class Idle {
  @BackgroundWorker({ name: 'idle', heartbeatTimeout: 2_000 })
  async run(ctx: WorkerContext): Promise<void> {
    for (;;) {
      ctx.heartbeat();
      await sleep(500, { signal: ctx.signal });
    }
  }

  @BackgroundWorker()
  *unnamed(): Generator<unknown, void, unknown> {
    for (;;) yield sleep(1_000);
  }
}

describe('GorxModule configuration', () => {
  it('unset worker options come from workerDefaults, then from GORX_DEFAULTS; own options win', async () => {
    useFakeTime();
    t = await createApp(
      { providers: [Idle] },
      { workerDefaults: { heartbeatTimeout: 9_000, restart: 'transient' } },
    );
    expect(t.registry.get('idle')?.heartbeatTimeout).toBe(2_000);
    expect(t.registry.get('Idle.unnamed')?.heartbeatTimeout).toBe(9_000);
    expect(GORX_DEFAULTS.worker.restart).toBe('permanent');
  });

  it('forRootAsync takes its options from an injected factory', async () => {
    useFakeTime();
    const CONFIG = Symbol('config');
    @Module({ providers: [{ provide: CONFIG, useValue: 7_000 }], exports: [CONFIG] })
    class ConfigModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        GorxModule.forRootAsync({
          imports: [ConfigModule],
          inject: [CONFIG],
          useFactory: (hb: number) => ({ workerDefaults: { heartbeatTimeout: hb } }),
        }),
      ],
      providers: [Idle],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    t = { app, registry: app.get(WorkerRegistry), logger: new CaptureLogger(), events: [] };
    expect(t.registry.get('Idle.unnamed')?.heartbeatTimeout).toBe(7_000);
  });

  it('is not global unless isGlobal: a module that does not import it cannot inject WorkerRegistry', async () => {
    @Injectable()
    class NeedsRegistry {
      constructor(@Inject(WorkerRegistry) readonly registry: WorkerRegistry) {}
    }
    @Module({ providers: [NeedsRegistry] })
    class Feature {}
    await expect(
      Test.createTestingModule({ imports: [GorxModule.forRoot({}), Feature] }).compile(),
    ).rejects.toThrow(/WorkerRegistry/);
    const moduleRef = await Test.createTestingModule({
      imports: [GorxModule.forRoot({ isGlobal: true }), Feature],
    }).compile();
    expect(moduleRef.get(NeedsRegistry).registry).toBeInstanceOf(WorkerRegistry);
    await moduleRef.close();
  });

  it('invalid worker options fail the application start with a RangeError naming the worker', async () => {
    @Injectable()
    class Bad {
      @BackgroundWorker({ name: 'bad', backoff: { initialMs: 10, maxMs: 100, jitter: 2 } })
      async run(): Promise<void> {}
    }
    const moduleRef = await Test.createTestingModule({
      imports: [GorxModule.forRoot()],
      providers: [Bad],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow('worker "bad": backoff.jitter must be within 0..1');
    await app.close();
  });

  it('request-scoped providers are skipped with a warning', async () => {
    useFakeTime();
    @Injectable({ scope: Scope.REQUEST })
    class PerRequest {
      @BackgroundWorker({ name: 'per-request' })
      async run(): Promise<void> {}
    }
    t = await createApp({ providers: [PerRequest] });
    expect(t.registry.list()).toEqual([]);
    expect(t.logger.gorx()).toContain(
      'warn: cannot supervise "PerRequest.run": it is defined in a request-scoped or transient provider; skipped',
    );
  });

  it('transient providers are skipped with a warning (their instance never ran its constructor)', async () => {
    useFakeTime();
    @Injectable({ scope: Scope.TRANSIENT })
    class PerInjection {
      @BackgroundWorker({ name: 'per-injection' })
      async run(): Promise<void> {}
    }
    t = await createApp({ providers: [PerInjection] });
    expect(t.registry.list()).toEqual([]);
    expect(t.logger.gorx()).toContain(
      'warn: cannot supervise "PerInjection.run": it is defined in a request-scoped or transient provider; skipped',
    );
  });

  it('two workers with the same name fail the bootstrap with ERR_WORKER_EXISTS', async () => {
    useFakeTime();
    @Injectable()
    class First {
      @BackgroundWorker({ name: 'sync', autoStart: false })
      async run(): Promise<void> {}
    }
    @Injectable()
    class Second {
      @BackgroundWorker({ name: 'sync' })
      async run(): Promise<void> {}
    }
    await expect(createApp({ providers: [First, Second] })).rejects.toMatchObject({
      code: 'ERR_WORKER_EXISTS',
    });
  });

  it('an invalid shutdownGraceMs fails at startup, not at shutdown', async () => {
    useFakeTime();
    await expect(
      createApp({ providers: [] }, { shutdownGraceMs: '2000' as unknown as number }),
    ).rejects.toBeInstanceOf(RangeError);
  });

  it('controllers can host workers too', async () => {
    useFakeTime();
    @Controller()
    class WithWorker {
      @BackgroundWorker({ name: 'in-controller' })
      *run(): Generator<unknown, void, unknown> {
        for (;;) yield sleep(1_000);
      }
    }
    t = await createApp({ controllers: [WithWorker] });
    expect(t.registry.get('in-controller')?.state).toBe('running');
  });
});

describe('WorkerRegistry', () => {
  it('stop keeps a worker stopped, start runs it again, restart does both; none counts as a restart', async () => {
    useFakeTime();
    t = await createApp({ providers: [Idle] });
    await t.registry.stop('idle');
    expect(t.registry.get('idle')?.state).toBe('stopped');
    await jest.advanceTimersByTimeAsync(5_000);
    expect(t.registry.get('idle')?.state).toBe('stopped');
    await t.registry.start('idle');
    expect(t.registry.get('idle')).toMatchObject({ state: 'running', attempt: 2, restarts: 0 });
    await t.registry.restart('idle');
    expect(t.registry.get('idle')).toMatchObject({ state: 'running', attempt: 3, restarts: 0 });
    expect(trace(t.events, 'idle')).toEqual([
      'started idle#1',
      'stopped idle#1',
      'started idle#2',
      'stopped idle#2',
      'started idle#3',
    ]);
  });

  it('spawn supervises a worker made at run time; its name must be unique while it runs', async () => {
    useFakeTime();
    t = await createApp({});
    let attempts = 0;
    const status = t.registry.spawn(
      'dyn',
      async (ctx) => {
        attempts++;
        if (ctx.attempt === 1) throw new Error('first try fails');
        await sleep(60_000, { signal: ctx.signal });
      },
      { backoff: { initialMs: 10, maxMs: 10, jitter: 0 } },
    );
    expect(status).toMatchObject({ name: 'dyn', attempt: 1 });
    expect(() => t!.registry.spawn('dyn', async () => {})).toThrow(WorkerRegistryError);
    await jest.advanceTimersByTimeAsync(10);
    expect(attempts).toBe(2);
    expect(t.registry.list().map((s) => s.name)).toEqual(['dyn']);
  });

  it('unknown names are ERR_WORKER_NOT_FOUND; get returns undefined', async () => {
    useFakeTime();
    t = await createApp({});
    expect(t.registry.get('nope')).toBeUndefined();
    await expect(t.registry.stop('nope')).rejects.toMatchObject({ code: 'ERR_WORKER_NOT_FOUND' });
  });

  it('autoStart: false workers stay idle until started', async () => {
    useFakeTime();
    @Injectable()
    class Manual {
      @BackgroundWorker({ name: 'manual', autoStart: false })
      *run(): Generator<unknown, void, unknown> {
        for (;;) yield sleep(1_000);
      }
    }
    t = await createApp({ providers: [Manual] });
    expect(t.registry.get('manual')).toMatchObject({ state: 'idle', lastHeartbeatAt: null });
    await t.registry.start('manual');
    expect(t.registry.get('manual')?.state).toBe('running');
  });
});

describe('channels as providers', () => {
  it('a controller hands work to a worker through an injected bounded channel; trySend fails when full', async () => {
    useFakeTime();
    const done: number[] = [];
    @Injectable()
    class Consumer {
      constructor(@InjectChannel('work') private readonly work: Chan<number>) {}
      @BackgroundWorker({ name: 'consumer' })
      *run(): Generator<unknown, void, unknown> {
        for (;;) {
          const n = (yield this.work.recv()) as number;
          yield sleep(100);
          done.push(n);
        }
      }
    }
    @Controller()
    class Producer {
      constructor(@InjectChannel('work') readonly work: Chan<number>) {}
    }
    t = await createApp({
      imports: [GorxModule.forFeature({ channels: [{ name: 'work', capacity: 2 }] })],
      providers: [Consumer],
      controllers: [Producer],
    });
    const work = t.app.get(Producer).work;
    // One taken by the waiting worker, two buffered, the fourth is refused (backpressure).
    expect([1, 2, 3, 4].map((n) => work.trySend(n))).toEqual([true, true, true, false]);
    expect(work.name).toBe('work');
    await jest.advanceTimersByTimeAsync(300);
    expect(done).toEqual([1, 2, 3]);
  });

  it('forFeature rejects a channel declared twice', () => {
    expect(() =>
      GorxModule.forFeature({ channels: [{ name: 'a' }, { name: 'a', capacity: 1 }] }),
    ).toThrow('channel "a" is declared twice');
  });
});

describe('GorxHealthIndicator', () => {
  it('plugs into terminus: up with per-worker details, down (503) once a worker gave up', async () => {
    useFakeTime();
    @Injectable()
    class Crasher {
      @BackgroundWorker({ name: 'crasher', maxRestarts: { count: 0, withinMs: 1_000 } })
      async run(): Promise<void> {
        throw new Error('no luck');
      }
    }
    t = await createApp({ imports: [TerminusModule], providers: [Idle] });
    const health = t.app.get(HealthCheckService);
    const gorx = t.app.get(GorxHealthIndicator);
    const typed: HealthIndicatorResult<'workers'> = gorx.isHealthy('workers'); // terminus-shaped
    expect(typed.workers.status).toBe('up');
    const ok = await health.check([() => gorx.isHealthy('workers')]);
    expect(ok.status).toBe('ok');
    expect(ok.details.workers).toMatchObject({
      status: 'up',
      workers: { idle: { state: 'running', down: false, attempt: 1 } },
    });

    t.registry.spawn('crasher', new Crasher().run, { maxRestarts: { count: 0, withinMs: 1_000 } });
    await flush();
    await expect(health.check([() => gorx.isHealthy('workers')])).rejects.toMatchObject({
      response: {
        status: 'error',
        error: {
          workers: {
            status: 'down',
            message: 'down: crasher (gave-up)',
            workers: { crasher: { state: 'gave-up', down: true, lastError: 'Error: no luck' } },
          },
        },
      },
    });
  });
});

describe('GorxModule imported twice', () => {
  it('with different options, a worker still runs once (the second supervisor skips it with a warning)', async () => {
    useFakeTime();
    let runs = 0;
    @Injectable()
    class Once {
      @BackgroundWorker({ name: 'once' })
      *run(): Generator<unknown, void, unknown> {
        runs++;
        for (;;) yield sleep(1_000);
      }
    }
    @Module({ imports: [GorxModule.forRoot({ shutdownGraceMs: 1 })] })
    class Other {}
    t = await createApp({ imports: [Other], providers: [Once] });
    expect(runs).toBe(1);
    expect(t.logger.gorx()).toContain(
      'warn: "Once.run" is already supervised by another GorxModule.forRoot() import; import it once (isGlobal: true)',
    );
  });
});
