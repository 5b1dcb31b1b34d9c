import 'reflect-metadata';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { ChannelClosedError, sleep, ticker, type Chan } from 'gorx';
import {
  BackgroundWorker,
  GorxModule,
  InjectChannel,
  WorkerRegistryError,
  type WorkerContext,
} from 'gorx/nest';
import { expectNothingLeft, flush } from '../helpers/leaks.js';
import { createApp, trace, useFakeTime } from './nest-helpers.js';

afterEach(async () => {
  await flush();
  expectNothingLeft();
  jest.useRealTimers();
});

describe('shutdown', () => {
  it('app.close() kills every worker, awaits their cleanup and leaves no timer, goroutine or waiter', async () => {
    useFakeTime();
    const cleaned: string[] = [];
    @Injectable()
    class Workers {
      @BackgroundWorker({ name: 'ticking', heartbeatTimeout: 5_000 })
      *tick(ctx: WorkerContext): Generator<unknown, void, unknown> {
        const t = ticker(100);
        try {
          for (;;) {
            yield t.c.recv();
            ctx.heartbeat();
          }
        } finally {
          t.stop();
          cleaned.push('ticking');
        }
      }

      @BackgroundWorker({ name: 'async-sleeper' })
      async sleeper(ctx: WorkerContext): Promise<void> {
        try {
          for (;;) await sleep(1_000, { signal: ctx.signal });
        } finally {
          await sleep(10); // async cleanup, awaited by the shutdown
          cleaned.push('async-sleeper');
        }
      }

      @BackgroundWorker({
        name: 'crashing',
        backoff: { initialMs: 1_000, maxMs: 1_000, jitter: 0 },
      })
      async crash(): Promise<void> {
        throw new Error('down');
      }
    }
    const t = await createApp({ providers: [Workers] });
    await jest.advanceTimersByTimeAsync(550);
    expect(t.registry.get('crashing')?.state).toBe('backoff');
    const closing = t.app.close();
    await jest.advanceTimersByTimeAsync(10);
    await closing;
    expect(cleaned.sort()).toEqual(['async-sleeper', 'ticking']);
    expect(t.registry.list().map((s) => s.state)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(trace(t.events).filter((e) => e.startsWith('stopped'))).toHaveLength(3);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('a worker that ignores its signal delays shutdown by the grace period at most, and is reported', async () => {
    useFakeTime();
    let release!: () => void;
    @Injectable()
    class Stubborn {
      @BackgroundWorker({ name: 'stubborn' })
      async run(): Promise<void> {
        await new Promise<void>((resolve) => (release = resolve)); // never looks at ctx.signal
      }
    }
    const t = await createApp({ providers: [Stubborn] }, { shutdownGraceMs: 3_000 });
    let closed = false;
    const closing = t.app.close().then(() => (closed = true));
    await jest.advanceTimersByTimeAsync(2_999);
    expect(closed).toBe(false);
    expect(t.registry.get('stubborn')?.state).toBe('stopping');
    await jest.advanceTimersByTimeAsync(1);
    await closing;
    expect(t.logger.gorx()).toContain(
      'error: shutdown: 1 worker(s) did not stop within 3000 ms (they ignore their signal or their cleanup is stuck): worker "stubborn" attempt 1',
    );
    // When it finally gives in, it is stopped and not restarted.
    release();
    await flush();
    expect(t.registry.get('stubborn')?.state).toBe('stopped');
  });

  it('after shutdown began, nothing new starts: spawn and start throw ERR_SHUTTING_DOWN', async () => {
    useFakeTime();
    const t = await createApp({});
    await t.app.close();
    expect(() => t.registry.spawn('late', async () => {})).toThrow(WorkerRegistryError);
    await expect(t.registry.restart('late')).rejects.toMatchObject({ code: 'ERR_SHUTTING_DOWN' });
  });

  it('channels are closed at shutdown, so no sender stays blocked', async () => {
    useFakeTime();
    @Injectable()
    class Producer {
      constructor(@InjectChannel('out') readonly out: Chan<number>) {}
    }
    const t = await createApp({
      imports: [GorxModule.forFeature({ channels: [{ name: 'out', capacity: 1 }] })],
      providers: [Producer],
    });
    const out = t.app.get(Producer).out;
    out.trySend(1);
    const blocked = out.send(2).catch((e: unknown) => e);
    await t.app.close();
    expect(await blocked).toBeInstanceOf(ChannelClosedError);
  });
});
