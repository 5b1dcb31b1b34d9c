import {
  Body,
  ConflictException,
  Controller,
  Get,
  Header,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
  Query,
  ServiceUnavailableException,
  DefaultValuePipe,
} from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { SupersededError, type Chan } from 'gorx';
import {
  GorxHealthIndicator,
  InjectChannel,
  ShutdownError,
  WorkerRegistry,
  type WorkerStatus,
} from 'gorx/nest';
import { register } from 'prom-client';
import { ScenesService } from './scenes.service.js';
import { CpuWorker, FlakyWorker, JobWorker, type Job } from './workers.js';

@Controller()
export class AppController {
  private nextJob = 1;

  constructor(
    private readonly registry: WorkerRegistry,
    private readonly health: HealthCheckService,
    private readonly gorxHealth: GorxHealthIndicator,
    private readonly scenes: ScenesService,
    private readonly flaky: FlakyWorker,
    private readonly jobWorker: JobWorker,
    private readonly cpu: CpuWorker,
    @InjectChannel('jobs') private readonly jobs: Chan<Job>,
  ) {}

  @Get('workers')
  workers(): WorkerStatus[] {
    return this.registry.list(); // JSON-ready: lastError renders as { name, message, code }
  }

  /** Prometheus scrape endpoint: gorx_* metrics (and anything else in the global registry). */
  @Get('metrics')
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }

  @Get('health')
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.gorxHealth.isHealthy('workers')]);
  }

  @Post('flaky/hang')
  @HttpCode(202)
  hang(): { hanging: true } {
    this.flaky.hangNext = true;
    return { hanging: true };
  }

  @Post('scenes/:id/update')
  async updateScene(
    @Param('id') id: string,
    @Query('steps', new DefaultValuePipe(5), ParseIntPipe) steps: number,
  ): Promise<{ scene: string; run: number; steps: number }> {
    try {
      return await this.scenes.update(id, steps);
    } catch (e) {
      if (e instanceof SupersededError)
        throw new ConflictException(`scene ${id}: superseded by a newer update`);
      // A rolling deploy: this replica is going away. 503 tells the client to retry elsewhere.
      if (e instanceof ShutdownError)
        throw new ServiceUnavailableException(`scene ${id}: the service is shutting down`);
      throw e;
    }
  }

  @Post('jobs')
  @HttpCode(202)
  enqueue(@Body() body: { payload?: string } | undefined): { id: number; queued: number } {
    const job: Job = { id: this.nextJob, payload: body?.payload ?? 'work' };
    // Backpressure: a full channel is answered at once instead of queueing without bound.
    if (!this.jobs.trySend(job)) throw new ServiceUnavailableException('job queue is full');
    this.nextJob++;
    return { id: job.id, queued: this.jobs.length };
  }

  @Get('jobs')
  jobsStatus(): { done: number[]; queued: number } {
    return { done: this.jobWorker.done, queued: this.jobs.length };
  }

  /** Starts the CPU worker: its jobs run on a worker thread (ctx.thread). */
  @Post('cpu/start')
  @HttpCode(202)
  async startCpu(): Promise<{ started: true }> {
    await this.registry.start('cpu');
    return { started: true };
  }

  /** Makes the next CPU job hang in a synchronous loop on its thread. */
  @Post('cpu/hang')
  @HttpCode(202)
  hangCpu(): { hanging: true } {
    this.cpu.hangNext = true;
    return { hanging: true };
  }

  @Get('cpu')
  cpuStatus(): { results: number; lastKillMode: string | null } {
    return { results: this.cpu.results.length, lastKillMode: this.cpu.lastKillMode };
  }
}
