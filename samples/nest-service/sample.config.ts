import { registerAs } from '@nestjs/config';

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

/**
 * Per-worker settings read from the environment with `@nestjs/config` (`ConfigModule.forRoot({
 * load: [workerSettings] })`), handed to `GorxModule.forRootAsync` as per-worker overrides.
 */
export const workerSettings = registerAs('workers', () => ({
  reportEveryMs: Number(process.env.REPORT_EVERY_MS ?? 10_000),
  flakyHeartbeatMs: Number(process.env.FLAKY_HEARTBEAT_MS ?? 1_000),
}));
