import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { GorxModule } from 'gorx/nest';
import { AppController } from './app.controller.js';
import { BoardAuthGuard } from './board-auth.guard.js';
import { SAMPLE_CONFIG, defaultSampleConfig, workerSettings } from './sample.config.js';
import { ScenesService } from './scenes.service.js';
import { CpuWorker, FlakyWorker, JobWorker, ReportWorker, TickerWorker } from './workers.js';

@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true, load: [workerSettings] }),
    // Per-worker options from ConfigService, resolved at bootstrap: they override the decorators'.
    GorxModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        shutdownGraceMs: 2_000,
        maxEventLoopDelayMs: 500,
        lifecycleLogLevel: 'log', // the sample shows its lifecycle lines; services keep 'debug'
        workers: {
          report: { schedule: { intervalMs: config.getOrThrow<number>('workers.reportEveryMs') } },
          flaky: { heartbeatTimeoutMs: config.getOrThrow<number>('workers.flakyHeartbeatMs') },
        },
        // gorx_* metrics in prom-client's global registry, served at GET /metrics.
        metrics: { prometheus: {} },
      }),
      // The live worker board at /gorx, behind HTTP Basic auth, with stop/start/restart/remove.
      board: { path: '/gorx', guard: BoardAuthGuard, actions: true },
    }),
    GorxModule.forFeature({ channels: [{ name: 'jobs', capacity: 5 }] }),
    TerminusModule,
  ],
  controllers: [AppController],
  providers: [
    { provide: SAMPLE_CONFIG, useValue: defaultSampleConfig },
    TickerWorker,
    FlakyWorker,
    JobWorker,
    ReportWorker,
    CpuWorker,
    ScenesService,
  ],
})
export class AppModule {}
