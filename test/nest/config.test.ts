// Per-worker configuration resolved at bootstrap (issue 8 item 13), with @nestjs/config.
import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { sleep } from 'gorx';
import { BackgroundWorker, GorxModule, WorkerRegistry, type WorkerContext } from 'gorx/nest';
import {
  CaptureLogger,
  closeAndExpectNothingLeft,
  useFakeTime,
  type TestApp,
} from './nest-helpers.js';

let t: TestApp | null = null;

afterEach(async () => {
  await closeAndExpectNothingLeft(t);
  t = null;
});

@Injectable()
class Workers {
  @BackgroundWorker({ name: 'mailer', heartbeatTimeoutMs: 5_000, restart: 'permanent' })
  async mail(ctx: WorkerContext): Promise<void> {
    await sleep(60_000, { signal: ctx.signal });
  }

  @BackgroundWorker({ name: 'report', schedule: { intervalMs: 60_000, overlap: 'skip' } })
  async report(): Promise<void> {}
}

async function appWith(env: Record<string, string>): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => env] }),
      GorxModule.forRootAsync({
        imports: [ConfigModule],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          workers: {
            mailer: {
              heartbeatTimeoutMs: Number(config.get('MAILER_HEARTBEAT_MS') ?? 5_000),
              autoStart: config.get('MAILER_ENABLED') !== 'false',
            },
            report: { schedule: { intervalMs: Number(config.get('REPORT_EVERY_MS') ?? 60_000) } },
            ...(config.get('TYPO') !== undefined && { mailr: { heartbeatTimeoutMs: 1 } }),
          },
        }),
      }),
    ],
    providers: [Workers],
  }).compile();
  const logger = new CaptureLogger();
  const app = moduleRef.createNestApplication({ logger });
  await app.init();
  return { app, registry: app.get(WorkerRegistry), logger, events: [] };
}

describe('per-worker configuration from ConfigService', () => {
  it('forRootAsync workers[name] overrides the decorator options, resolved at bootstrap', async () => {
    useFakeTime();
    t = await appWith({ MAILER_HEARTBEAT_MS: '2000', REPORT_EVERY_MS: '1000' });
    expect(t.registry.get('mailer')).toMatchObject({ heartbeatTimeoutMs: 2_000, state: 'running' });
    // Only intervalMs came from the config: overlap stays the decorator's.
    expect(t.registry.get('report')).toMatchObject({
      schedule: 'every 1000 ms',
      state: 'scheduled',
    });
  });

  it('an override can keep a worker from starting (autoStart: false)', async () => {
    useFakeTime();
    t = await appWith({ MAILER_ENABLED: 'false' });
    expect(t.registry.get('mailer')?.state).toBe('idle');
  });

  it('an invalid configured value fails the bootstrap with the worker named', async () => {
    useFakeTime();
    await expect(appWith({ MAILER_HEARTBEAT_MS: 'soon' })).rejects.toThrow(
      'worker "mailer": heartbeatTimeoutMs must be a finite number >= 0, got NaN',
    );
  });

  it('an override for a name no worker has is a warning at bootstrap (a typo shows)', async () => {
    useFakeTime();
    t = await appWith({ TYPO: '1' });
    expect(t.logger.gorx()).toContain(
      'warn: workers["mailr"]: no worker has this name; the override applies if one is spawned with it later',
    );
  });

  it('the deprecated heartbeatTimeout still works; disagreeing with heartbeatTimeoutMs is refused', async () => {
    useFakeTime();
    t = await appWith({});
    t.registry.spawn('old', async (ctx) => sleep(1_000, { signal: ctx.signal }), {
      heartbeatTimeout: 300,
    });
    expect(t.registry.get('old')?.heartbeatTimeoutMs).toBe(300);
    expect(() =>
      t!.registry.spawn('both', async () => {}, { heartbeatTimeout: 300, heartbeatTimeoutMs: 400 }),
    ).toThrow('heartbeatTimeoutMs (400) and its deprecated alias heartbeatTimeout (300) disagree');
  });
});
