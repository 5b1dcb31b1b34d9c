// Entry of `scripts/check-nest11.sh`: boots the app of app.ts over HTTP (platform-express),
// checks what gorx/nest did, closes it, and exits non-zero on the first failed check.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { SupersededError, type Chan } from 'gorx';
import { WorkerRegistry, type WorkerEvent, type WorkerStatus } from 'gorx/nest';
import { AppModule, CaptureLogger, Jobs, Scenes, trace } from './app.js';

// `require` exists only when this file was compiled to CommonJS.
const format = typeof require === 'function' ? 'commonjs' : 'esm';
let passed = 0;

function check(what: string, ok: boolean, detail?: unknown): void {
  if (!ok) {
    throw new Error(`FAILED: ${what}${detail === undefined ? '' : `\n${JSON.stringify(detail)}`}`);
  }
  passed++;
  console.log(`ok ${passed} - ${what}`);
}

/** Polls `cond` (real time): the app runs real timers, on a possibly busy machine. */
async function until(what: string, cond: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`FAILED: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the JSON bodies are checked field by field
async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

async function main(): Promise<void> {
  const logger = new CaptureLogger();
  const app = await NestFactory.create(AppModule, { logger });
  const registry = app.get(WorkerRegistry);
  const events: WorkerEvent[] = [];
  registry.events$.subscribe((e) => events.push(e));
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const status = (name: string): WorkerStatus | undefined => registry.get(name);
  const seen = (type: string, worker: string): boolean =>
    events.some((e) => e.type === type && e.worker === worker);

  check(
    'workers discovered; autoStart ones started at bootstrap',
    registry
      .list()
      .map((s) => `${s.name}:${s.state}`)
      .join(',') === 'report:scheduled,beats:running,jobs:running,doomed:idle',
    registry.list(),
  );
  check(
    'a request-scoped provider is skipped with a warning',
    logger.lines.some((l) => l.startsWith('warn [Gorx] cannot supervise "PerRequest.run"')),
    logger.lines,
  );

  await until('"jobs" restarted after its error', () => status('jobs')?.attempt === 2);
  check(
    'a thrown error is logged, emitted as "failed" and restarted (transient)',
    seen('failed', 'jobs') &&
      seen('restarted', 'jobs') &&
      logger.lines.some((l) => l.includes('[Gorx] worker "jobs" attempt 1: failed: boom')),
    logger.lines,
  );

  await until('"beats" restarted after its hang', () => status('beats')?.attempt === 2);
  check(
    'a silent worker is killed (HeartbeatTimeoutError), restarted and resumes from its heartbeat',
    seen('heartbeat-missed', 'beats') &&
      String(status('beats')?.lastError).includes('HeartbeatTimeoutError') &&
      trace.beatsResumedFrom === 3,
    { status: status('beats'), resumed: trace.beatsResumedFrom },
  );

  const jobs: Chan<string> = app.get(Jobs).channel;
  for (const j of ['a', 'b', 'c']) await jobs.send(j);
  await until('3 jobs processed', () => trace.processed.length === 3);
  check(
    'forFeature channel injected with @InjectChannel reaches the worker',
    trace.processed.join() === 'a,b,c',
  );

  const scenes = app.get(Scenes);
  const first = scenes.update('lobby', 10_000);
  const second = scenes.update('lobby', 10);
  const firstError = await first.then(
    () => null,
    (e: unknown) => e,
  );
  const secondResult = await second;
  check(
    '@Supersede: the older call rejects with SupersededError (same gorx instance as the app)',
    firstError instanceof SupersededError,
    String(firstError),
  );
  check(
    "@Supersede: the older call's finally ran before the newer call started",
    secondResult === 'lobby updated in 10 ms' &&
      trace.steps.indexOf('update lobby 10000: finally') <
        trace.steps.indexOf('update lobby 10: start'),
    trace.steps,
  );
  check(
    '"superseded" event emitted',
    events.some((e) => e.type === 'superseded'),
    events,
  );

  const up = await getJson(`${url}/health`);
  check(
    'terminus 11 HealthCheckService: gorx indicator up -> 200',
    up.status === 200 && up.body.status === 'ok' && up.body.info.workers.status === 'up',
    up,
  );
  const list = await getJson(`${url}/workers`);
  check('GET /workers lists the four workers', list.body.length === 4, list);
  await until('"report" ran twice', () => trace.reports >= 2);
  check('an interval schedule runs its worker ("completed" events)', seen('completed', 'report'));

  await registry.start('doomed');
  await until('"doomed" gave up', () => status('doomed')?.state === 'gave-up');
  check('a worker past maxRestarts gives up ("gave-up" event)', seen('gave-up', 'doomed'));
  const down = await getJson(`${url}/health`);
  check(
    'terminus 11 treats the indicator\'s status "down" as an error -> 503',
    down.status === 503 &&
      down.body.status === 'error' &&
      down.body.error.workers.status === 'down' &&
      String(down.body.error.workers.message).includes('doomed (gave-up)'),
    down,
  );

  const started = Date.now();
  await app.close();
  const closeMs = Date.now() - started;
  check(
    'app.close(): running workers stopped, finally blocks ran, channel closed',
    seen('stopped', 'beats') &&
      seen('stopped', 'jobs') &&
      trace.steps.includes('jobs: finally (db open)') &&
      jobs.closed,
    { events: events.map((e) => `${e.type}:${e.worker}`), steps: trace.steps },
  );
  check(
    'shutdown begins before any onModuleDestroy: with GorxModule global (destroyed last), the finally ran before the database closed',
    trace.steps.indexOf('jobs: finally (db open)') < trace.steps.indexOf('db closed') &&
      !events.some((e) => e.at >= started && (e.type === 'restarted' || e.type === 'started')),
    trace.steps,
  );
  check(`app.close() took ${closeMs} ms (< shutdownGraceMs 2000)`, closeMs < 2_000);
  console.log(`all ${passed} checks passed (${format}, Node ${process.version})`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
