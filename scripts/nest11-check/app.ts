// The Nest app of `scripts/check-nest11.sh`: every gorx/nest feature, used the way an app would.
// It is compiled twice (ESM and CommonJS) against NestJS 11, so it sticks to syntax both accept:
// no top-level await, no import.meta.
import {
  Controller,
  Get,
  Injectable,
  Module,
  Scope,
  type LoggerService,
  type OnModuleDestroy,
} from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { sleep, type Chan } from 'gorx';
import {
  BackgroundWorker,
  GorxHealthIndicator,
  GorxModule,
  InjectChannel,
  Supersede,
  WorkerRegistry,
  supersedeContext,
  type WorkerContext,
} from 'gorx/nest';

/** Keeps every log line (checked by main) and echoes them when GORX_CHECK_VERBOSE is set. */
export class CaptureLogger implements LoggerService {
  readonly lines: string[] = [];
  private push(level: string, message: unknown, rest: unknown[]): void {
    const context = rest.length > 0 ? String(rest[rest.length - 1]) : '';
    const line = `${level} [${context}] ${String(message)}`;
    this.lines.push(line);
    if (process.env.GORX_CHECK_VERBOSE) console.log(`  log: ${line}`);
  }
  log(message: unknown, ...rest: unknown[]): void {
    this.push('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.push('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.push('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.push('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.push('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.push('fatal', message, rest);
  }
}

/** What the workers did, for main to check. */
export class Trace {
  readonly steps: string[] = [];
  readonly processed: string[] = [];
  beatsResumedFrom: number | undefined = undefined;
  reports = 0;
}

export const trace = new Trace();

/** A dependency that closes in its async onModuleDestroy, as a database pool does. */
@Injectable()
export class Db implements OnModuleDestroy {
  open = true;
  async onModuleDestroy(): Promise<void> {
    await sleep(10);
    this.open = false;
    trace.steps.push('db closed');
  }
}

@Injectable()
export class Workers {
  constructor(
    @InjectChannel('jobs') private readonly jobs: Chan<string>,
    private readonly db: Db,
  ) {}

  // An interval schedule: a run every 30 ms.
  @BackgroundWorker({ name: 'report', schedule: { intervalMs: 30, overlap: 'skip' } })
  async report(): Promise<void> {
    trace.reports++;
  }

  // Attempt 1 beats 3 times then goes silent: killed as hung, restarted, resumes from its
  // last heartbeat details.
  @BackgroundWorker({
    name: 'beats',
    heartbeatTimeout: 200,
    restart: 'transient',
    backoff: { initialMs: 20, maxMs: 20, jitter: 0 },
  })
  async beats(ctx: WorkerContext<{ n: number }>): Promise<void> {
    let n = ctx.lastHeartbeat?.n ?? 0;
    if (ctx.attempt > 1) trace.beatsResumedFrom = n;
    for (;;) {
      await sleep(20, { signal: ctx.signal });
      if (ctx.attempt === 1 && n >= 3) await sleep(60_000, { signal: ctx.signal });
      ctx.heartbeat({ n: ++n });
    }
  }

  // A generator worker: attempt 1 throws, attempt 2 serves the `jobs` channel until killed.
  @BackgroundWorker({
    name: 'jobs',
    restart: 'transient',
    backoff: { initialMs: 20, maxMs: 20, jitter: 0 },
  })
  *consume(ctx: WorkerContext): Generator<unknown, void, unknown> {
    yield sleep(10);
    if (ctx.attempt === 1) throw new Error('boom');
    try {
      for (;;) trace.processed.push((yield this.jobs.recv()) as string);
    } finally {
      trace.steps.push(`jobs: finally (db ${this.db.open ? 'open' : 'closed'})`);
    }
  }

  // Started by main; fails at once, and `maxRestarts.count: 0` makes the first failure final.
  @BackgroundWorker({
    name: 'doomed',
    autoStart: false,
    maxRestarts: { count: 0, withinMs: 60_000 },
  })
  async doomed(): Promise<void> {
    throw new Error('always fails');
  }
}

@Injectable()
export class Scenes {
  @Supersede({ key: (id: string) => id })
  async update(id: string, ms: number): Promise<string> {
    trace.steps.push(`update ${id} ${ms}: start`);
    try {
      await sleep(ms, { signal: supersedeContext()!.signal });
      return `${id} updated in ${ms} ms`;
    } finally {
      trace.steps.push(`update ${id} ${ms}: finally`);
    }
  }
}

/** Request-scoped: there is no single instance to run a worker on, so gorx skips it (warning). */
@Injectable({ scope: Scope.REQUEST })
export class PerRequest {
  @BackgroundWorker({ name: 'per-request' })
  async run(): Promise<void> {}
}

/** Sends jobs into the channel from another provider, as a controller would. */
@Injectable()
export class Jobs {
  constructor(@InjectChannel('jobs') readonly channel: Chan<string>) {}
}

@Controller()
export class AppController {
  constructor(
    private readonly registry: WorkerRegistry,
    private readonly health: HealthCheckService,
    private readonly gorx: GorxHealthIndicator,
  ) {}

  @Get('workers')
  workers(): unknown {
    return this.registry.list();
  }

  @Get('health')
  @HealthCheck()
  check(): Promise<unknown> {
    return this.health.check([() => this.gorx.isHealthy('workers')]);
  }
}

@Module({
  imports: [
    GorxModule.forRoot({ isGlobal: true, shutdownGraceMs: 2_000 }),
    GorxModule.forFeature({ channels: [{ name: 'jobs', capacity: 2 }] }),
    TerminusModule,
  ],
  controllers: [AppController],
  providers: [Db, Workers, Scenes, Jobs, PerRequest],
})
export class AppModule {}
