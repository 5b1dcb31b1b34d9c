// End-to-end: a rolling deploy of the sample service. A scene update in flight when the app shuts
// down answers 503 (ShutdownError mapped by the controller), never 500; every worker stops.
import 'reflect-metadata';
import { expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { WorkerRegistry } from 'gorx/nest';
import { filter, firstValueFrom } from 'rxjs';
import { AppModule } from '../../samples/nest-service/app.module.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../../samples/nest-service/sample.config.js';
import { ScenesService } from '../../samples/nest-service/scenes.service.js';
import { expectNothingLeft, flush } from '../helpers/leaks.js';
import { CaptureLogger } from './nest-helpers.js';

it('a scene update cut off by shutdown answers 503, not 500, and every worker stops', async () => {
  const config: SampleConfig = { tickMs: 20, sceneStepMs: 5, jobMs: 60_000 };
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(SAMPLE_CONFIG)
    .useValue(config)
    .compile();
  const logger = new CaptureLogger();
  const app = moduleRef.createNestApplication({ logger });
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const started = firstValueFrom(
    app.get(ScenesService).progress$.pipe(filter((p) => p.scene === 'hall')),
  );
  const inFlight = fetch(`${base}/scenes/hall/update?steps=1000000`, { method: 'POST' });
  await started;
  const registry = app.get(WorkerRegistry);
  await app.close();
  const res = await inFlight;
  expect(res.status).toBe(503);
  expect(await res.json()).toMatchObject({ message: 'scene hall: the service is shutting down' });
  expect(registry.list().map((s) => `${s.name}:${s.state}`)).toEqual([
    'ticker:stopped',
    'flaky:stopped',
    'jobs:stopped',
    'report:stopped',
    'cpu:idle', // started on demand (POST /cpu/start): never started here
  ]);
  expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  await flush();
  expectNothingLeft();
});
