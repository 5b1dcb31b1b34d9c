import { Module } from '@nestjs/common';
import { GorxModule } from 'gorx/nest';
import { JobsService } from './jobs.service';

@Module({
  imports: [
    GorxModule.forRoot({ shutdownGraceMs: 1_000 }),
    GorxModule.forFeature({
      channels: [
        { name: 'jobs', capacity: 0 },
        { name: 'results', capacity: 10 },
      ],
    }),
  ],
  providers: [JobsService],
})
export class AppModule {}
