// End-to-end: the sample service (samples/nest-service) on a real HTTP server, real timers, no
// sleeps: every wait is for an observable fact (a progress event, a lifecycle event).
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WorkerRegistry } from 'gorx/nest';
import { filter, firstValueFrom } from 'rxjs';
import { AppModule } from '../../samples/nest-service/app.module.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../../samples/nest-service/sample.config.js';
import { ScenesService } from '../../samples/nest-service/scenes.service.js';
import { expectNothingLeft, flush } from '../helpers/leaks.js';
import { CaptureLogger } from './nest-helpers.js';

const config: SampleConfig = { tickMs: 20, sceneStepMs: 5, jobMs: 60_000 };
let app: INestApplication;
let base: string;
const logger = new CaptureLogger();

beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(SAMPLE_CONFIG)
    .useValue(config)
    .compile();
  app = moduleRef.createNestApplication({ logger });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app.close();
  await flush();
  expectNothingLeft();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function http(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe('sample service over HTTP', () => {
  it('GET /workers lists the supervised workers: three running, the report scheduled, the CPU worker idle until started; options from the configuration', async () => {
    const { status, json } = await http('GET', '/workers');
    expect(status).toBe(200);
    expect(json.map((w: { name: string; state: string }) => `${w.name}:${w.state}`)).toEqual([
      'ticker:running',
      'flaky:running',
      'jobs:running',
      'report:scheduled',
      'cpu:idle',
    ]);
    // From ConfigService (sample.config.ts defaults), overriding the decorators' values.
    expect(json[1]).toMatchObject({ name: 'flaky', heartbeatTimeoutMs: 1_000 });
    expect(json[3]).toMatchObject({ name: 'report', schedule: 'every 10000 ms' });
  });

  it('POST /jobs feeds the job worker through a bounded channel and answers 503 when it is full', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await http('POST', '/jobs', { payload: `p${i}` })).status);
    // The first job goes straight to the waiting worker, five fill the buffer, the 7th is refused.
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202, 503]);
    expect((await http('GET', '/jobs')).json).toEqual({ done: [], queued: 5 });
  });

  it("a newer scene update supersedes the running one (409), after the old one's finally ran", async () => {
    const scenes = app.get(ScenesService);
    const started = firstValueFrom(scenes.progress$.pipe(filter((p) => p.scene === 'lobby')));
    const first = http('POST', '/scenes/lobby/update?steps=1000000');
    await started;
    const second = await http('POST', '/scenes/lobby/update?steps=2');
    expect(second).toEqual({ status: 201, json: { scene: 'lobby', run: 2, steps: 2 } });
    expect((await first).status).toBe(409);
    const sceneLog = logger.lines.filter((l) => l.context === 'Scenes').map((l) => l.message);
    expect(sceneLog).toEqual([
      'scene lobby run 1: started (1000000 steps)',
      'scene lobby run 1: released',
      'scene lobby run 2: started (2 steps)',
      'scene lobby run 2: done',
      'scene lobby run 2: released',
    ]);
  });

  it('GET /health is up with worker details, and 503 once a worker has given up', async () => {
    const up = await http('GET', '/health');
    expect(up.status).toBe(200);
    expect(up.json.details.workers.workers.ticker).toMatchObject({ state: 'running', down: false });

    const registry = app.get(WorkerRegistry);
    const gaveUp = firstValueFrom(registry.events$.pipe(filter((e) => e.type === 'gave-up')));
    registry.spawn(
      'doomed',
      async () => {
        throw new Error('cannot connect');
      },
      {
        backoff: { initialMs: 0, maxMs: 0, jitter: 0 },
        maxRestarts: { count: 2, withinMs: 60_000 },
      },
    );
    expect(await gaveUp).toMatchObject({ worker: 'doomed', attempt: 3 });
    const down = await http('GET', '/health');
    expect(down.status).toBe(503);
    expect(down.json.error.workers).toMatchObject({
      status: 'down',
      workers: { doomed: { state: 'gave-up', down: true, lastError: 'Error: cannot connect' } },
    });
  });

  it('GET /metrics serves the gorx_* metrics of the running service (Prometheus text format)', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('# TYPE gorx_goroutine_exits_total counter');
    expect(text).toMatch(/^gorx_workers\{state="scheduled"\} 1$/m);
    expect(text).toContain('# TYPE gorx_run_duration_seconds histogram');
  });

  it('the worker board asks for credentials (401, Basic) and shows every worker with them', async () => {
    const refused = await fetch(`${base}/gorx`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(
      'Basic realm="gorx board", charset="UTF-8"',
    );
    const action = await fetch(`${base}/gorx/workers/ticker/stop`, { method: 'POST' });
    expect(action.status).toBe(401);
    const authorization = `Basic ${Buffer.from('admin:gorx').toString('base64')}`;
    const page = await fetch(`${base}/gorx`, { headers: { authorization } });
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const name of ['ticker', 'flaky', 'jobs', 'report']) expect(html).toContain(`>${name}<`);
    expect(app.get(WorkerRegistry).get('ticker')?.state).toBe('running');
  });
});
