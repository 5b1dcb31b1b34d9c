/**
 * Turns run lifecycles into the catalog's figures, for any number of backends. The only place
 * that decides which figure a moment of a run feeds.
 */
import { goroutines } from 'gorx';
import type { WorkerEvent } from '../worker.events.js';
import type {
  RunEnd,
  RunRecord,
  RunStart,
  TelemetrySink,
  TelemetrySource,
} from '../internal/telemetry.js';
import { WORKER_STATES, type GaugeSample, type MetricsBackend } from './metrics.catalog.js';

export class MetricsSink implements TelemetrySink {
  constructor(private readonly backends: readonly MetricsBackend[]) {}

  attach(source: TelemetrySource): void {
    for (const b of this.backends) {
      b.gauge('workers', () => workerSamples(source));
      b.gauge('goroutines', goroutineSamples);
    }
  }

  begin(run: RunRecord, start: RunStart): void {
    if (start.cause !== 'restarted') return;
    const labels = { worker: run.worker, reason: start.restartReason ?? 'unknown' };
    for (const b of this.backends) b.add('workerRestarts', labels);
  }

  killed(run: RunRecord): void {
    const key =
      run.killCause === 'hung'
        ? 'heartbeatMisses'
        : run.killCause === 'superseded'
          ? 'supersedes'
          : null;
    if (key === null) return;
    const labels = { worker: run.worker };
    for (const b of this.backends) b.add(key, labels);
  }

  end(run: RunRecord, end: RunEnd): void {
    if (end.outcome === null) return; // a call superseded before it started: no goroutine ran
    const exit = { kind: run.kind, outcome: end.outcome };
    const duration = { kind: run.kind, worker: run.worker, outcome: end.outcome };
    for (const b of this.backends) {
      b.add('goroutineExits', exit);
      b.observe('runDuration', duration, end.durationS);
      if (end.killLatencyS !== null) {
        b.observe('killLatency', { kind: run.kind, cause: run.killCause! }, end.killLatencyS);
      }
    }
  }

  /** Figures that come from events alone: the leases of cluster singletons. */
  event(e: WorkerEvent): void {
    const key =
      e.type === 'lease-acquired'
        ? 'leaseAcquisitions'
        : e.type === 'lease-lost'
          ? 'leaseLosses'
          : null;
    if (key === null) return;
    const labels = { worker: e.worker };
    for (const b of this.backends) b.add(key, labels);
  }

  close(): void {
    for (const b of this.backends) b.close();
  }
}

function workerSamples(source: TelemetrySource): GaugeSample[] {
  const counts = new Map<string, number>(WORKER_STATES.map((s) => [s, 0]));
  for (const state of source.workerStates()) counts.set(state, (counts.get(state) ?? 0) + 1);
  return [...counts].map(([state, value]) => ({ labels: { state }, value }));
}

function goroutineSamples(): GaugeSample[] {
  let running = 0;
  let blocked = 0;
  for (const g of goroutines()) {
    if (g.state === 'blocked') blocked++;
    else running++;
  }
  return [
    { labels: { state: 'running' }, value: running },
    { labels: { state: 'blocked' }, value: blocked },
  ];
}
