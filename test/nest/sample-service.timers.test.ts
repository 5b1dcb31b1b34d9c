// The sample service's time-dependent behaviour, on virtual time and without HTTP.
import 'reflect-metadata';
import { afterEach, expect, it, jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { HeartbeatTimeoutError } from 'gorx';
import { WorkerRegistry } from 'gorx/nest';
import { AppModule } from '../../samples/nest-service/app.module.js';
import { FlakyWorker, TickerWorker } from '../../samples/nest-service/workers.js';
import { expectNothingLeft, flush } from '../helpers/leaks.js';
import { useFakeTime } from './nest-helpers.js';

afterEach(async () => {
  await flush();
  expectNothingLeft();
  jest.useRealTimers();
});

it('the sample flaky worker, asked to hang, is killed after 1 s of silence and restarted 500 ms later', async () => {
  useFakeTime();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  const registry = app.get(WorkerRegistry);
  app.get(FlakyWorker).hangNext = true;
  await jest.advanceTimersByTimeAsync(200); // the worker reaches its hang
  await jest.advanceTimersByTimeAsync(1_000);
  expect(registry.get('flaky')).toMatchObject({ state: 'backoff', attempt: 1 });
  expect(registry.get('flaky')?.lastError).toBeInstanceOf(HeartbeatTimeoutError);
  await jest.advanceTimersByTimeAsync(500);
  expect(registry.get('flaky')).toMatchObject({ state: 'running', attempt: 2, restarts: 1 });
  // Meanwhile the ticker kept beating once a second.
  expect(app.get(TickerWorker).ticks).toBe(1);
  expect(registry.get('ticker')?.lastHeartbeatDetails).toEqual({ ticks: 1 });
  await app.close();
});
