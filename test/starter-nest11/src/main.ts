import { NestFactory } from '@nestjs/core';
import { firstValueFrom, take, toArray } from 'rxjs';
import { AppModule } from './app.module';
import { JobsService } from './jobs.service';

// App code, compiled by the starter's `tsc` to CommonJS: boots, sends two jobs, prints the results.
async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  await app.init();
  const jobs = app.get(JobsService);
  const results = firstValueFrom(jobs.results$.pipe(take(2), toArray()));
  await jobs.jobs.send('a');
  await jobs.jobs.send('b');
  console.log(`results: ${(await results).join(',')}`);
  await app.close();
}
void bootstrap();
