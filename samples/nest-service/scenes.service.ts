import { Inject, Injectable, Logger } from '@nestjs/common';
import { sleep } from 'gorx';
import { Supersede, supersedeContext } from 'gorx/nest';
import { Subject } from 'rxjs';
import { SAMPLE_CONFIG, type SampleConfig } from './sample.config.js';

export interface SceneProgress {
  scene: string;
  run: number;
  step: number;
}

/** A long "scene update": a newer update of the same scene supersedes the running one. */
@Injectable()
export class ScenesService {
  readonly progress$ = new Subject<SceneProgress>();
  private runs = 0;
  private readonly logger = new Logger('Scenes');

  constructor(@Inject(SAMPLE_CONFIG) private readonly config: SampleConfig) {}

  @Supersede({ key: (scene: string) => scene })
  async update(
    scene: string,
    steps: number,
  ): Promise<{ scene: string; run: number; steps: number }> {
    const { signal } = supersedeContext()!;
    const run = ++this.runs;
    this.logger.log(`scene ${scene} run ${run}: started (${steps} steps)`);
    try {
      for (let step = 1; step <= steps; step++) {
        this.progress$.next({ scene, run, step });
        await sleep(this.config.sceneStepMs, { signal });
      }
      this.logger.log(`scene ${scene} run ${run}: done`);
      return { scene, run, steps };
    } finally {
      this.logger.log(`scene ${scene} run ${run}: released`);
    }
  }
}
