/** Timings of the sample service, a provider so tests can shrink them. */
export const SAMPLE_CONFIG = Symbol('SAMPLE_CONFIG');

export interface SampleConfig {
  /** Period of the ticker worker. */
  tickMs: number;
  /** Duration of one step of a scene update. */
  sceneStepMs: number;
  /** How long the job worker spends on one job. */
  jobMs: number;
}

export const defaultSampleConfig: SampleConfig = { tickMs: 1_000, sceneStepMs: 1_000, jobMs: 500 };
