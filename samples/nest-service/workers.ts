import { Inject, Injectable, Logger } from '@nestjs/common';
import { sleep, ticker, type Chan } from 'gorx';
import { BackgroundWorker, InjectChannel, type WorkerContext } from 'gorx/nest';
import { SAMPLE_CONFIG, type SampleConfig } from './sample.config.js';

export interface Job {
  id: number;
  payload: string;
}

/** A ticker worker that proves it is alive on every tick. */
@Injectable()
export class TickerWorker {
  ticks = 0;
  constructor(@Inject(SAMPLE_CONFIG) private readonly config: SampleConfig) {}

  @BackgroundWorker({ name: 'ticker', heartbeatTimeout: 5_000 })
  *run(ctx: WorkerContext<{ ticks: number }>): Generator<unknown, void, unknown> {
    this.ticks = ctx.lastHeartbeat?.ticks ?? 0; // resume the count after a restart
    const t = ticker(this.config.tickMs);
    try {
      for (;;) {
        yield t.c.recv();
        this.ticks++;
        ctx.heartbeat({ ticks: this.ticks });
      }
    } finally {
      t.stop();
    }
  }
}

/** Beats every 200 ms, until asked to hang: then the supervisor kills and restarts it. */
@Injectable()
export class FlakyWorker {
  hangNext = false;

  @BackgroundWorker({
    name: 'flaky',
    heartbeatTimeout: 1_000,
    restart: 'permanent',
    backoff: { initialMs: 500, maxMs: 10_000, jitter: 0 },
    maxRestarts: { count: 5, withinMs: 60_000 },
  })
  *run(ctx: WorkerContext): Generator<unknown, void, unknown> {
    for (;;) {
      if (this.hangNext) {
        this.hangNext = false;
        yield new Promise<never>(() => {}); // stuck forever: only a kill gets it out
      }
      ctx.heartbeat();
      yield sleep(200);
    }
  }
}

/** Consumes the `jobs` channel fed by `POST /jobs`. */
@Injectable()
export class JobWorker {
  readonly done: number[] = [];
  private readonly logger = new Logger('JobWorker');

  constructor(
    @InjectChannel('jobs') private readonly jobs: Chan<Job>,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  // No heartbeatTimeout: waiting for work is not being hung.
  @BackgroundWorker({ name: 'jobs', restart: 'transient' })
  *run(ctx: WorkerContext): Generator<unknown, void, unknown> {
    for (;;) {
      const job = (yield this.jobs.recv()) as Job;
      ctx.heartbeat({ job: job.id });
      yield sleep(this.config.jobMs);
      this.done.push(job.id);
      this.logger.log(`job ${job.id} done (${job.payload})`);
    }
  }
}
