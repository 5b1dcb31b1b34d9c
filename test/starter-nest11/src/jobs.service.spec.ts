import { Test, TestingModule } from '@nestjs/testing';
import { chan, isChan, recv, select } from 'gorx';
import { WorkerRegistry } from 'gorx/nest';
import { toChannel } from 'gorx/rxjs';
import { NEVER } from 'rxjs';
import { AppModule } from './app.module';
import { JobsService } from './jobs.service';

describe('JobsService (Jest + ts-jest, CommonJS, as the Nest 11 starter runs it)', () => {
  let moduleRef: TestingModule;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    await moduleRef.init();
  });

  afterEach(async () => {
    await moduleRef.close();
  });

  it('runs the background worker over the injected channels', async () => {
    const service = moduleRef.get(JobsService);
    expect(moduleRef.get(WorkerRegistry).get('upper')?.state).toBe('running');
    const out = toChannel(service.results$);
    await service.jobs.send('hello');
    expect(await out.recv()).toBe('HELLO');
  });

  it('shares one copy of gorx between gorx, gorx/rxjs and gorx/nest', async () => {
    const service = moduleRef.get(JobsService);
    expect(isChan(service.jobs)).toBe(true); // made by gorx/nest, recognised by gorx
    const mine = chan<number>(1);
    mine.trySend(1);
    // Channels from `gorx/nest`, `gorx/rxjs` and `gorx` in one select: a second copy of gorx
    // would make it throw "uses a channel made by a different copy of gorx".
    const r = await select([recv(service.jobs), recv(toChannel(NEVER)), recv(mine)]);
    expect(r).toEqual({ index: 2, value: 1, ok: true });
  });
});
