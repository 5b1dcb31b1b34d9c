// WorkerContext.thread: a worker run's CPU work on a thread, with real threads and real timers
// (no sleeps: every wait is for a lifecycle event or a channel value).
import 'reflect-metadata';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { chan } from 'gorx';
import { BackgroundWorker, type WorkerContext, type WorkerEvent } from 'gorx/nest';
import type { ThreadGoroutine } from 'gorx/threads';
import { Registry } from 'prom-client';
import { filter, firstValueFrom, Subject } from 'rxjs';
import { createApp, type TestApp } from '../nest/nest-helpers.js';
import { BASIC, expectNoThreadLeft } from './support.js';

// Real threads on a shared 2-core machine: generous limits; every wait is for an event.
jest.setTimeout(60_000);

const started = chan<string>(1);
const jobs: ThreadGoroutine<unknown>[] = [];

@Injectable()
class HangingThreadWorker {
  // The timeout leaves a thread start on a loaded machine ample margin: the run's first beat is
  // its start, and the thread can only beat once it runs.
  @BackgroundWorker({ name: 'cpu', heartbeatTimeoutMs: 2_000, restart: 'temporary' })
  async run(ctx: WorkerContext<{ beat: number }>): Promise<void> {
    const job = ctx.thread(BASIC, 'beatThenHang', [5, started], { killGraceMs: 50 });
    jobs.push(job);
    await job.done;
  }
}

let t: TestApp | null = null;
afterEach(async () => {
  await t?.app.close();
  t = null;
  await expectNoThreadLeft();
});

describe('WorkerContext.thread', () => {
  it('the thread beats for the worker; a heartbeat timeout kills the run and terminates the thread (metrics count outcome terminated)', async () => {
    const events = new Subject<WorkerEvent>();
    const registry = new Registry();
    t = await createApp(
      { providers: [HangingThreadWorker] },
      { metrics: { prometheus: { registry } } },
    );
    t.registry.events$.subscribe(events);
    const failed = firstValueFrom(events.pipe(filter((e) => e.type === 'heartbeat-missed')));
    const runEnded = firstValueFrom(
      events.pipe(filter((e) => e.type !== 'started' && e.type !== 'heartbeat-missed')),
    );
    // Whichever comes first: a miss before the thread reported would mean it never ran.
    const first = await Promise.race([started.recv(), failed.then(() => 'missed first')]);
    expect(first).toBe('hanging');
    await failed;
    const job = jobs[0]!;
    await job.done.catch(() => undefined); // settles once the thread has ended
    expect(job.killMode).toBe('terminated');
    expect(job.heartbeats).toBe(5);
    // The thread's details reached the worker's status.
    expect(t.registry.get('cpu')?.lastHeartbeatDetails).toEqual({ beat: 5 });
    // The run ended (temporary: not restarted) with an exit marked as a terminate.
    expect((await runEnded).type).toBe('failed');
    const exits = (await registry.metrics())
      .split('\n')
      .filter((l) => l.startsWith('gorx_goroutine_exits_total{'));
    expect(exits).toEqual(['gorx_goroutine_exits_total{kind="worker",outcome="terminated"} 1']);
  });
});
