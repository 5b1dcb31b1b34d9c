/**
 * Every metric gorx records, in one table: both backends (prom-client, OpenTelemetry) create
 * their instruments from it, the metrics sink records into it by key, and the docs list it.
 * A new figure (leases, threads) is one row here plus the line in `metrics.sink.ts` that records
 * it. Names follow each system's conventions: Prometheus `gorx_*` with `_total` counters and
 * `_seconds` histograms; OpenTelemetry dotted names with a unit.
 */
import type { WorkerState } from '../worker.events.js';

export type MetricType = 'counter' | 'histogram' | 'gauge';

export interface MetricDefinition {
  readonly type: MetricType;
  /** Prometheus name. */
  readonly prometheus: string;
  /** OpenTelemetry instrument name. */
  readonly openTelemetry: string;
  /** UCUM unit for OpenTelemetry (`s`, `{restart}`). */
  readonly unit: string;
  readonly help: string;
  readonly labels: readonly string[];
  /** Histogram bucket upper bounds (seconds). */
  readonly buckets?: readonly number[];
}

const define = <T extends Record<string, MetricDefinition>>(t: T): Readonly<T> => Object.freeze(t);

export const METRICS = define({
  goroutineExits: {
    type: 'counter',
    prometheus: 'gorx_goroutine_exits_total',
    openTelemetry: 'gorx.goroutine.exits',
    unit: '{exit}',
    help: 'Ended worker runs and supersede calls, by outcome (ok, error, killed, terminated).',
    labels: ['kind', 'outcome'],
  },
  workerRestarts: {
    type: 'counter',
    prometheus: 'gorx_worker_restarts_total',
    openTelemetry: 'gorx.worker.restarts',
    unit: '{restart}',
    help: 'Restarts done by the supervisor, by worker and by how the previous run ended (failed, hung, returned).',
    labels: ['worker', 'reason'],
  },
  heartbeatMisses: {
    type: 'counter',
    prometheus: 'gorx_heartbeat_misses_total',
    openTelemetry: 'gorx.heartbeat.misses',
    unit: '{miss}',
    help: 'Runs killed as hung because their heartbeat did not come in time.',
    labels: ['worker'],
  },
  supersedes: {
    type: 'counter',
    prometheus: 'gorx_supersedes_total',
    openTelemetry: 'gorx.supersedes',
    unit: '{supersede}',
    help: 'Runs superseded by a newer call with the same key (or by the next tick of a schedule), by worker or supersede scope.',
    labels: ['worker'],
  },
  leaseAcquisitions: {
    type: 'counter',
    prometheus: 'gorx_lease_acquisitions_total',
    openTelemetry: 'gorx.lease.acquisitions',
    unit: '{lease}',
    help: 'Leases a cluster singleton worker acquired on this replica (its run left standby).',
    labels: ['worker'],
  },
  leaseLosses: {
    type: 'counter',
    prometheus: 'gorx_lease_losses_total',
    openTelemetry: 'gorx.lease.losses',
    unit: '{lease}',
    help: 'Leases a cluster singleton worker lost on this replica (its run was killed with LeaseLostError).',
    labels: ['worker'],
  },
  workers: {
    type: 'gauge',
    prometheus: 'gorx_workers',
    openTelemetry: 'gorx.workers',
    unit: '{worker}',
    help: 'Supervised workers in each state.',
    labels: ['state'],
  },
  goroutines: {
    type: 'gauge',
    prometheus: 'gorx_goroutines',
    openTelemetry: 'gorx.goroutines',
    unit: '{goroutine}',
    help: 'Live goroutines of the process, running or blocked in a gorx operation.',
    labels: ['state'],
  },
  killLatency: {
    type: 'histogram',
    prometheus: 'gorx_kill_latency_seconds',
    openTelemetry: 'gorx.kill.latency',
    unit: 's',
    help: 'Time from the kill of a run to its end (its finally blocks done), by kind and cause.',
    labels: ['kind', 'cause'],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30],
  },
  runDuration: {
    type: 'histogram',
    prometheus: 'gorx_run_duration_seconds',
    openTelemetry: 'gorx.run.duration',
    unit: 's',
    help: 'Duration of worker runs and supersede calls, by kind, worker (or supersede scope) and outcome.',
    labels: ['kind', 'worker', 'outcome'],
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 60, 300, 1800, 3600, 21600, 86400],
  },
});

export type MetricKey = keyof typeof METRICS;

/** Every worker state, so the `gorx_workers` gauge reports zeros too (checked below). */
export const WORKER_STATES = Object.freeze([
  'idle',
  'running',
  'scheduled',
  'hung',
  'backoff',
  'stopping',
  'stopped',
  'failed',
  'gave-up',
  'standby',
] as const satisfies readonly WorkerState[]);

// A state added to WorkerState but not listed above fails the type check here.
type Unlisted = Exclude<WorkerState, (typeof WORKER_STATES)[number]>;
const everyStateListed: Unlisted extends never ? true : never = true;
void everyStateListed;

export type Labels = Readonly<Record<string, string>>;

/** One gauge sample. */
export interface GaugeSample {
  readonly labels: Labels;
  readonly value: number;
}

/** What a backend implements: record into the catalog's metrics, read gauges when scraped. */
export interface MetricsBackend {
  add(key: MetricKey, labels: Labels): void;
  observe(key: MetricKey, labels: Labels, value: number): void;
  gauge(key: MetricKey, read: () => Iterable<GaugeSample>): void;
  close(): void;
}
