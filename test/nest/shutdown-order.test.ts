// Defect 3 of issue 8: no worker may restart once shutdown has begun, whatever the module order.
// Nest runs every `onModuleDestroy` (root module first, global modules last) before any
// `beforeApplicationShutdown`, so gorx puts its shutdown in front of the first `onModuleDestroy`.
import 'reflect-metadata';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnModuleDestroy,
  type Type,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { sleep } from 'gorx';
import {
  BackgroundWorker,
  GorxModule,
  WorkerRegistry,
  type WorkerContext,
  type WorkerEvent,
} from 'gorx/nest';
import { expectNothingLeft, flush } from '../helpers/leaks.js';
import { CaptureLogger, useFakeTime } from './nest-helpers.js';

afterEach(async () => {
  await flush();
  expectNothingLeft();
  jest.useRealTimers();
});

const log: string[] = [];

@Injectable()
class Db implements OnModuleDestroy {
  open = true;
  query(): void {
    if (!this.open) throw new Error('database is closed');
  }
  saveCursor(attempt: number): void {
    this.query();
    log.push(`cursor saved by attempt ${attempt}`);
  }
  async onModuleDestroy(): Promise<void> {
    if (!this.open) return;
    log.push('db closing');
    await sleep(10);
    this.open = false;
    log.push('db closed');
  }
}

@Module({ providers: [Db], exports: [Db] })
class DbModule {}

@Injectable()
class Poller {
  constructor(private readonly db: Db) {}

  @BackgroundWorker({
    name: 'poller',
    restart: 'permanent',
    backoff: { initialMs: 1, maxMs: 1, jitter: 0 },
    maxRestarts: { count: 1_000, withinMs: 1_000 },
  })
  async run(ctx: WorkerContext): Promise<void> {
    try {
      for (;;) {
        this.db.query();
        await sleep(5, { signal: ctx.signal });
      }
    } finally {
      this.db.saveCursor(ctx.attempt);
    }
  }
}

/** The root module closes the database itself, in its own `onModuleDestroy` (destroyed first). */
function rootClosingDb(imports: (Type | DynamicModule)[]): Type {
  @Module({ imports, providers: [Poller] })
  class RootModule implements OnModuleDestroy {
    constructor(private readonly db: Db) {}
    onModuleDestroy(): Promise<void> {
      return this.db.onModuleDestroy();
    }
  }
  return RootModule;
}

function root(imports: (Type | DynamicModule)[]): Type {
  @Module({ imports, providers: [Poller] })
  class RootModule {}
  return RootModule;
}

describe('shutdown begins before any onModuleDestroy', () => {
  it.each([
    [
      'GorxModule global (destroyed last), DbModule imported after it',
      () => root([GorxModule.forRoot({ isGlobal: true }), DbModule]),
    ],
    [
      'GorxModule global, DbModule imported before it',
      () => root([DbModule, GorxModule.forRoot({ isGlobal: true })]),
    ],
    [
      'GorxModule not global, imported before DbModule',
      () => root([GorxModule.forRoot(), DbModule]),
    ],
    [
      'GorxModule not global, imported after DbModule',
      () => root([DbModule, GorxModule.forRoot()]),
    ],
    [
      'the root module closes the database in its own onModuleDestroy',
      () => rootClosingDb([DbModule, GorxModule.forRoot({ isGlobal: true })]),
    ],
  ])(
    'no worker restarts once shutdown has begun, and its finally still sees its dependencies: %s',
    async (_, makeRoot) => {
      useFakeTime();
      log.length = 0;
      const moduleRef = await Test.createTestingModule({ imports: [makeRoot()] }).compile();
      const logger = new CaptureLogger();
      const app = moduleRef.createNestApplication({ logger });
      const events: WorkerEvent[] = [];
      app.get(WorkerRegistry).events$.subscribe((e) => events.push(e));
      await app.init();
      await jest.advanceTimersByTimeAsync(50);
      const closing = app.close();
      const firstEventOfShutdown = events.length;
      await jest.advanceTimersByTimeAsync(1_000);
      await closing;
      const during = events.slice(firstEventOfShutdown).map((e) => `${e.type}#${e.attempt}`);
      expect(during).toEqual(['stopped#1']);
      // The worker stopped (its finally wrote the cursor) before the database began to close.
      expect(log).toEqual(['cursor saved by attempt 1', 'db closing', 'db closed']);
      expect(logger.gorx().filter((l) => l.startsWith('error'))).toEqual([]);
      expect(app.get(WorkerRegistry).get('poller')?.state).toBe('stopped');
    },
  );

  it('Nest runs every onModuleDestroy before any beforeApplicationShutdown (why gorx cannot wait for the latter)', async () => {
    const order: string[] = [];
    @Injectable()
    class Hooks implements OnModuleDestroy, BeforeApplicationShutdown {
      constructor(readonly label: string) {}
      onModuleDestroy(): void {
        order.push(`destroy ${this.label}`);
      }
      beforeApplicationShutdown(): void {
        order.push(`before-shutdown ${this.label}`);
      }
    }
    @Module({ providers: [{ provide: 'b', useFactory: () => new Hooks('b') }] })
    class B {}
    @Module({ imports: [B], providers: [{ provide: 'a', useFactory: () => new Hooks('a') }] })
    class A {}
    const app = (await Test.createTestingModule({ imports: [A] }).compile()).createNestApplication({
      logger: false,
    });
    await app.init();
    await app.close();
    expect(order.indexOf('before-shutdown a')).toBeGreaterThan(order.indexOf('destroy b'));
    expect(order.slice(0, 2).every((o) => o.startsWith('destroy'))).toBe(true);
  });

  it('a provider shared with another application (useValue) gets its own onModuleDestroy back after shutdown', async () => {
    useFakeTime();
    const calls: string[] = [];
    const shared = {
      onModuleDestroy(): void {
        calls.push('destroy');
      },
    };
    const original = shared.onModuleDestroy;
    const moduleRef = await Test.createTestingModule({
      imports: [GorxModule.forRoot()],
      providers: [{ provide: 'shared', useValue: shared }],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    expect(shared.onModuleDestroy).not.toBe(original);
    await app.close();
    expect(calls).toEqual(['destroy']);
    expect(shared.onModuleDestroy).toBe(original);
    expect(Object.keys(shared)).toEqual(['onModuleDestroy']);
  });
});
