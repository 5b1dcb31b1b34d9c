import { Inject, Injectable, Logger } from '@nestjs/common';
import { sleep, ticker, type Chan } from 'gorx';
import { BackgroundWorker, InjectChannel, WorkerContext } from 'gorx/nest';
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

  @BackgroundWorker({ name: 'ticker', heartbeatTimeoutMs: 5_000 })
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

/**
 * Beats every 200 ms, until asked to hang: then the supervisor kills and restarts it. Its
 * heartbeat timeout comes from the configuration (FLAKY_HEARTBEAT_MS, see app.module.ts).
 */
@Injectable()
export class FlakyWorker {
  hangNext = false;

  @BackgroundWorker({
    name: 'flaky',
    heartbeatTimeoutMs: 30_000, // overridden by the configuration
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

/**
 * A scheduled worker: every REPORT_EVERY_MS (10 s by default, from the configuration), reports how
 * many jobs are done. A run still going at the next tick makes that tick skip.
 */
@Injectable()
export class ReportWorker {
  reports = 0;
  private readonly logger = new Logger('Report');

  constructor(private readonly jobs: JobWorker) {}

  @BackgroundWorker({ name: 'report', schedule: { intervalMs: 60_000, overlap: 'skip' } })
  async run(ctx: WorkerContext): Promise<void> {
    this.reports++;
    ctx.heartbeat({ reports: this.reports });
    this.logger.log(`report ${this.reports}: ${this.jobs.done.length} job(s) done`);
  }
}

const CPU_JOBS = new URL('./cpu-jobs.js', import.meta.url);

/**
 * CPU work on a worker thread (`ctx.thread`): the thread's heartbeats are this worker's. Asked to
 * hang, the thread spins in a synchronous loop: the heartbeat timeout kills the run, the thread
 * is terminated after its grace (killMode 'terminated'), and the worker restarts, while /health
 * keeps answering. Started on demand (POST /cpu/start).
 */
@Injectable()
export class CpuWorker {
  hangNext = false;
  readonly results: number[] = [];
  lastKillMode: string | null = null;
  private readonly logger = new Logger('CpuWorker');

  @BackgroundWorker({
    name: 'cpu',
    autoStart: false,
    heartbeatTimeoutMs: 1_000,
    restart: 'permanent',
    backoff: { initialMs: 500, maxMs: 5_000, jitter: 0 },
  })
  async run(ctx: WorkerContext): Promise<void> {
    for (;;) {
      const hang = this.hangNext;
      this.hangNext = false;
      const job = ctx.thread<number>(CPU_JOBS, hang ? 'hang' : 'crunch', [3_000_000], {
        killGraceMs: 200,
      });
      try {
        this.results.push(await job.done);
        this.logger.log(`cpu job done: ${this.results[this.results.length - 1]}`);
      } finally {
        if (job.killMode !== null) {
          this.lastKillMode = job.killMode;
          this.logger.warn(`cpu job killed (killMode: ${job.killMode})`);
        }
      }
      ctx.heartbeat();
      await sleep(250, ctx); // well within the heartbeat timeout
    }
  }
}
