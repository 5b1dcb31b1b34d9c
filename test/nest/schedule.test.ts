// Scheduled workers (issue 8 item 12): cron or interval ticks, overlap policies, the same
// supervision (heartbeats, events, health, shutdown) as continuous workers.
import 'reflect-metadata';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HeartbeatTimeoutError, SupersededError, sleep } from 'gorx';
import { BackgroundWorker, GorxModule, type OverlapPolicy, type WorkerContext } from 'gorx/nest';
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

/** Spawns a scheduled worker whose runs take `runMs` and record their start, end and overlap. */
function spawnRecorder(app: TestApp, overlap: OverlapPolicy, runMs: number) {
  const record = { active: 0, maxActive: 0, log: [] as string[], exits: [] as unknown[] };
  app.registry.spawn(
    'job',
    async (ctx) => {
      record.active++;
      record.maxActive = Math.max(record.maxActive, record.active);
      record.log.push(`start ${ctx.attempt} @${Date.now() % 100_000}`);
      try {
        await sleep(runMs, { signal: ctx.signal });
        record.log.push(`end ${ctx.attempt} @${Date.now() % 100_000}`);
      } catch (e) {
        record.exits.push(ctx.signal.reason);
        throw e;
      } finally {
        record.active--;
      }
    },
    { schedule: { intervalMs: 100, overlap } },
  );
  return record;
}

describe('interval schedules', () => {
  it('a run starts on every tick; between runs the worker is scheduled with nextRunAt', async () => {
    useFakeTime();
    jest.setSystemTime(0);
    t = await createApp({});
    const record = spawnRecorder(t, 'skip', 30);
    expect(t.registry.get('job')).toMatchObject({
      state: 'scheduled',
      attempt: 0,
      schedule: 'every 100 ms',
      nextRunAt: 100,
    });
    await jest.advanceTimersByTimeAsync(350);
    expect(record.log).toEqual([
      'start 1 @100',
      'end 1 @130',
      'start 2 @200',
      'end 2 @230',
      'start 3 @300',
      'end 3 @330',
    ]);
    expect(t.registry.get('job')).toMatchObject({ state: 'scheduled', attempt: 3, nextRunAt: 400 });
    expect(trace(t.events).slice(0, 2)).toEqual(['started job#1', 'completed job#1']);
  });

  it("overlap 'skip': a tick while the previous run is still running is dropped (skipped event); runs never overlap", async () => {
    useFakeTime();
    jest.setSystemTime(0);
    t = await createApp({});
    const record = spawnRecorder(t, 'skip', 250);
    await jest.advanceTimersByTimeAsync(700);
    expect(record.maxActive).toBe(1);
    expect(record.log).toEqual([
      'start 1 @100',
      'end 1 @350',
      'start 2 @400',
      'end 2 @650',
      'start 3 @700',
    ]);
    expect(trace(t.events).filter((e) => e.startsWith('skipped'))).toEqual([
      'skipped job#1',
      'skipped job#1',
      'skipped job#2',
      'skipped job#2',
    ]);
  });

  it("overlap 'supersede': a tick kills the running run (SupersededError), its finally ends before the next starts", async () => {
    useFakeTime();
    jest.setSystemTime(0);
    t = await createApp({});
    const record = spawnRecorder(t, 'supersede', 250);
    await jest.advanceTimersByTimeAsync(350);
    expect(record.maxActive).toBe(1);
    expect(record.log).toEqual(['start 1 @100', 'start 2 @200', 'start 3 @300']);
    expect(record.exits).toHaveLength(2);
    expect(record.exits[0]).toBeInstanceOf(SupersededError);
    expect(trace(t.events)).toEqual([
      'started job#1',
      'superseded job#1',
      'started job#2',
      'superseded job#2',
      'started job#3',
    ]);
  });

  it("overlap 'queue': a tick while running starts a run right after it ends; at most one waits", async () => {
    useFakeTime();
    jest.setSystemTime(0);
    t = await createApp({});
    const record = spawnRecorder(t, 'queue', 250);
    await jest.advanceTimersByTimeAsync(660);
    expect(record.maxActive).toBe(1);
    expect(record.log).toEqual([
      'start 1 @100',
      'end 1 @350',
      'start 2 @350',
      'end 2 @600',
      'start 3 @600',
    ]);
    // Ticks at 300 (one already queued) and 500 are dropped.
    expect(trace(t.events).filter((e) => e.startsWith('skipped'))).toEqual([
      'skipped job#1',
      'skipped job#2',
    ]);
  });

  it('runOnStart runs once at start, then on every tick', async () => {
    useFakeTime();
    jest.setSystemTime(0);
    t = await createApp({});
    let runs = 0;
    t.registry.spawn('eager', async () => void runs++, {
      schedule: { intervalMs: 1_000, runOnStart: true },
    });
    expect(runs).toBe(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(2);
  });
});

describe('scheduled runs are supervised', () => {
  it('a scheduled run that misses its heartbeat is killed, reported, and the next tick runs again', async () => {
    useFakeTime();
    jest.setSystemTime(0);
    t = await createApp({});
    const finallyRan: number[] = [];
    t.registry.spawn(
      'stuck-once',
      function* (ctx: WorkerContext) {
        try {
          if (ctx.attempt === 1) yield new Promise<never>(() => {});
          ctx.heartbeat();
        } finally {
          finallyRan.push(ctx.attempt);
        }
      },
      { heartbeatTimeoutMs: 300, schedule: { intervalMs: 1_000 } },
    );
    await jest.advanceTimersByTimeAsync(1_300);
    expect(t.registry.get('stuck-once')).toMatchObject({ state: 'scheduled', attempt: 1 });
    expect(t.registry.get('stuck-once')?.lastError).toBeInstanceOf(HeartbeatTimeoutError);
    await jest.advanceTimersByTimeAsync(700);
    expect(finallyRan).toEqual([1, 2]);
    expect(trace(t.events)).toEqual([
      'started stuck-once#1',
      'heartbeat-missed stuck-once#1',
      'failed stuck-once#1',
      'started stuck-once#2',
      'completed stuck-once#2',
    ]);
  });

  it('a failed scheduled run is reported and not retried before the next tick', async () => {
    useFakeTime();
    jest.setSystemTime(0);
    t = await createApp({});
    let runs = 0;
    t.registry.spawn(
      'fails',
      async () => {
        runs++;
        throw new Error('upstream down');
      },
      { schedule: { intervalMs: 1_000 } },
    );
    await jest.advanceTimersByTimeAsync(1_999);
    expect(runs).toBe(1);
    expect(t.registry.get('fails')).toMatchObject({
      state: 'scheduled',
      lastError: { message: 'upstream down' },
    });
    await jest.advanceTimersByTimeAsync(1);
    expect(runs).toBe(2);
  });

  it('stop cancels the schedule; start arms it again', async () => {
    useFakeTime();
    jest.setSystemTime(0);
    t = await createApp({});
    let runs = 0;
    t.registry.spawn('s', async () => void runs++, { schedule: { intervalMs: 100 } });
    await t.registry.stop('s');
    expect(t.registry.get('s')).toMatchObject({ state: 'stopped', nextRunAt: null });
    await jest.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(0);
    await t.registry.start('s');
    await jest.advanceTimersByTimeAsync(100);
    expect(runs).toBe(1);
  });

  it('shutdown kills the running scheduled run and leaves no tick timer', async () => {
    useFakeTime();
    jest.setSystemTime(0);
    const app = await createApp({});
    const record = spawnRecorder(app, 'skip', 10_000);
    await jest.advanceTimersByTimeAsync(150);
    t = app; // closeAndExpectNothingLeft checks no timer is left
    await closeAndExpectNothingLeft(t);
    t = null;
    expect(record.active).toBe(0);
    expect(app.registry.get('job')?.state).toBe('stopped');
  });
});

describe('cron schedules (croner)', () => {
  it('ticks at the cron time in the given time zone', async () => {
    useFakeTime();
    jest.setSystemTime(new Date('2026-03-01T12:00:00Z'));
    t = await createApp({});
    let runs = 0;
    t.registry.spawn('nightly', async () => void runs++, {
      schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin' },
    });
    // 03:00 in Berlin on 2 March 2026 is 02:00 UTC (CET, UTC+1).
    expect(t.registry.get('nightly')).toMatchObject({
      schedule: 'cron 0 3 * * * (Europe/Berlin)',
      nextRunAt: Date.parse('2026-03-02T02:00:00Z'),
    });
    await jest.advanceTimersByTimeAsync(14 * 3_600_000 - 1);
    expect(runs).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
    expect(t.registry.get('nightly')?.nextRunAt).toBe(Date.parse('2026-03-03T02:00:00Z'));
  });

  it('a tick further away than a Node timer can wait (2^31 ms) is reached through chained timers', async () => {
    useFakeTime();
    jest.setSystemTime(new Date('2026-02-01T00:00:00Z'));
    t = await createApp({});
    let runs = 0;
    t.registry.spawn('yearly', async () => void runs++, {
      schedule: { cron: '0 0 1 1 *', timezone: 'UTC' },
    });
    const due = Date.parse('2027-01-01T00:00:00Z');
    expect(t.registry.get('yearly')?.nextRunAt).toBe(due);
    await jest.advanceTimersByTimeAsync(due - Date.now() - 1);
    expect(runs).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
  });

  it.each([
    [{ cron: 'every day' }, /worker "bad": schedule: .*five, six, or seven/],
    [{ cron: '0 3 * * *', timezone: 'Mars/Olympus' }, /worker "bad": schedule: .*Mars\/Olympus/],
    [
      { cron: '0 3 * * *', intervalMs: 1_000 },
      'worker "bad": schedule needs exactly one of cron and intervalMs',
    ],
    [
      { intervalMs: 1_000, timezone: 'UTC' },
      'worker "bad": schedule.timezone applies to cron schedules only',
    ],
    [
      { intervalMs: 1_000, overlap: 'pile-up' as OverlapPolicy },
      'worker "bad": schedule.overlap must be one of skip, supersede, queue',
    ],
  ])(
    'an invalid schedule fails the bootstrap with a TypeError naming the worker (%j)',
    async (schedule, message) => {
      @Injectable()
      class Bad {
        @BackgroundWorker({ name: 'bad', schedule })
        async run(): Promise<void> {}
      }
      const moduleRef = await Test.createTestingModule({
        imports: [GorxModule.forRoot()],
        providers: [Bad],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      const init = app.init();
      await expect(init).rejects.toBeInstanceOf(TypeError);
      await expect(init).rejects.toThrow(message);
      await app.close();
    },
  );

  it('a restart policy on a scheduled worker is refused (a failed run waits for the next tick)', async () => {
    useFakeTime();
    t = await createApp({});
    expect(() =>
      t!.registry.spawn('s', async () => {}, {
        schedule: { intervalMs: 100 },
        restart: 'permanent',
      }),
    ).toThrow(
      'worker "s": a scheduled worker is not restarted (a failed run waits for the next tick); remove restart: \'permanent\'',
    );
  });
});
