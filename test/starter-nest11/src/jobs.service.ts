import { Injectable } from '@nestjs/common';
import { recv, select, send, type Chan } from 'gorx';
import { BackgroundWorker, InjectChannel, type WorkerContext } from 'gorx/nest';
import { fromChannel } from 'gorx/rxjs';
import { Observable } from 'rxjs';

/** Upper-cases each job from `jobs` and sends it to `results`: gorx, gorx/rxjs and gorx/nest together. */
@Injectable()
export class JobsService {
  readonly results$: Observable<string>;

  constructor(
    @InjectChannel('jobs') readonly jobs: Chan<string>,
    @InjectChannel('results') private readonly results: Chan<string>,
  ) {
    this.results$ = fromChannel(results);
  }

  @BackgroundWorker({ name: 'upper' })
  async upper(ctx: WorkerContext): Promise<void> {
    for (;;) {
      // A select from `gorx` over channels made by `gorx/nest`: one copy of gorx's state.
      const r = await select([recv(this.jobs)], { signal: ctx.signal });
      if (!r.ok) return;
      await select([send(this.results, r.value.toUpperCase())], { signal: ctx.signal });
    }
  }
}
