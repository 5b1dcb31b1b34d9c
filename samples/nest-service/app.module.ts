import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { GorxModule } from 'gorx/nest';
import { AppController } from './app.controller.js';
import { SAMPLE_CONFIG, defaultSampleConfig } from './sample.config.js';
import { ScenesService } from './scenes.service.js';
import { FlakyWorker, JobWorker, TickerWorker } from './workers.js';

@Module({
  imports: [
    GorxModule.forRoot({ shutdownGraceMs: 2_000, maxEventLoopDelayMs: 500 }),
    GorxModule.forFeature({ channels: [{ name: 'jobs', capacity: 5 }] }),
    TerminusModule,
  ],
  controllers: [AppController],
  providers: [
    { provide: SAMPLE_CONFIG, useValue: defaultSampleConfig },
    TickerWorker,
    FlakyWorker,
    JobWorker,
    ScenesService,
  ],
})
export class AppModule {}
