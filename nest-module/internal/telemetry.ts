/**
 * The one place where metrics and traces learn about runs. The worker runner and the supersede
 * slots call it at the moments they already act on (a run begins, is killed, ends); sinks
 * (Prometheus, OpenTelemetry metrics, OpenTelemetry traces) turn those calls into figures and
 * spans. With no sink configured the supervisor holds `null` here and pays one null check per
 * run: heartbeats never reach this file.
 *
 * Figures of later features (leases, threads) plug in the same way: a hook here, a row in
 * `metrics/metrics.catalog.ts`, one line in the metrics sink.
 *
 * Invariants:
 * - `begin` is called once per run, before its goroutine exists (a span must be active when the
 *   goroutine is created, so that the goroutine inherits it); `end` is called at most once per
 *   begun run (never for a run of a supervisor that was not observed);
 * - `killed` records only the first kill of a run (the kill latency runs from it);
 * - a record never references another record after `begin` returned (no chain of old runs).
 */
import { GoroutineExit, HeartbeatTimeoutError, SupersededError } from 'gorx';
import type { WorkerEvent, WorkerState } from '../worker.events.js';
import { ShutdownError } from '../worker.errors.js';

/** What kind of code a run executes. Threads will add `'thread'`. */
export type RunKind = 'worker' | 'supersede';

/** How a goroutine ended: `terminated` is a thread killed without its cleanup (threads). */
export type ExitOutcome = 'ok' | 'error' | 'killed' | 'terminated';

/** Why a run was killed. */
export type KillCause =
  'stop' | 'restart' | 'remove' | 'shutdown' | 'hung' | 'superseded' | 'lease-lost';

/** Why a run ended, as traces show it: it returned, it failed, or the kill cause. */
export type ExitReason = 'returned' | 'failed' | KillCause;

/** How a run relates to the run it follows (a span link in traces). */
export type RunLink = 'supersedes' | 'restart-of';

/** What made a run begin: a start (first, manual or scheduled tick) or a supervisor restart. */
export type RunCause = 'started' | 'restarted';

/** Reasons the supervisor passes to `kill()` for a stop of each kind (see worker.supervisor.ts). */
export const STOP_REASON = Object.freeze({
  stop: 'stopped',
  remove: 'removed',
  restart: 'restarted by request',
});

export interface RunStart {
  readonly kind: RunKind;
  /** Bounded label for metrics: the worker's name, or the supersede scope (`Class.method`). */
  readonly worker: string;
  /** The run's own label (a supersede label includes its key). */
  readonly label: string;
  readonly attempt: number;
  readonly cause: RunCause;
  /** For a restart: how the previous run ended. */
  readonly restartReason?: ExitReason;
  /** The run this one follows: the one it supersedes, or the one it restarts after. */
  readonly follows?: { readonly run: RunRecord; readonly link: RunLink } | null;
}

/** One observed run. Sinks keep their own per-run data in WeakMaps keyed by it. */
export class RunRecord {
  /** `performance.now()` when the run's goroutine started (or the call was made). */
  readonly beganAt = performance.now();
  killedAt: number | null = null;
  killCause: KillCause | null = null;
  ended = false;
  constructor(
    readonly kind: RunKind,
    readonly worker: string,
    readonly label: string,
    readonly attempt: number,
    readonly cause: RunCause,
  ) {}
}

export interface RunEnd {
  /** null: a supersede call superseded before its goroutine started (it never ran). */
  readonly outcome: ExitOutcome | null;
  readonly reason: ExitReason;
  /** The error a failed run threw (or its cleanup threw after a kill). */
  readonly error?: unknown;
  readonly durationS: number;
  /** From the first kill to the end, for killed runs. */
  readonly killLatencyS: number | null;
}

/** A consumer of run lifecycles. Every method is optional. */
export interface TelemetrySink {
  begin?(run: RunRecord, start: RunStart): void;
  /** Runs `fn` (which creates the goroutine) inside the run's context, e.g. its active span. */
  enter?<T>(run: RunRecord, fn: () => T): T;
  killed?(run: RunRecord): void;
  end?(run: RunRecord, end: RunEnd): void;
  /** Every `events$` event (for figures that come from events alone). */
  event?(event: WorkerEvent): void;
  /** Gives gauges what they read at scrape time (called once, by the supervisor). */
  attach?(source: TelemetrySource): void;
  /** Called once at application shutdown: unregister metrics, detach callbacks. */
  close?(): void;
}

/** What gauges read at scrape time. */
export interface TelemetrySource {
  workerStates(): Iterable<WorkerState>;
}

export class Telemetry {
  private readonly entering: TelemetrySink[];

  constructor(readonly sinks: readonly TelemetrySink[]) {
    this.entering = sinks.filter((s) => s.enter !== undefined);
  }

  begin(start: RunStart): RunRecord {
    const run = new RunRecord(start.kind, start.worker, start.label, start.attempt, start.cause);
    for (const s of this.sinks) s.begin?.(run, start);
    return run;
  }

  /** Calls `fn` inside every sink's context for `run` (outermost first). */
  enter<T>(run: RunRecord, fn: () => T): T {
    let wrapped = fn;
    for (let i = this.entering.length - 1; i >= 0; i--) {
      const sink = this.entering[i]!;
      const inner = wrapped;
      wrapped = () => sink.enter!(run, inner);
    }
    return wrapped();
  }

  /** The run is being killed with `reason` (first kill only). */
  killed(run: RunRecord, reason: unknown): void {
    if (run.killedAt !== null || run.ended) return;
    run.killedAt = performance.now();
    run.killCause = killCauseOf(reason);
    for (const s of this.sinks) s.killed?.(run);
  }

  /** The run ended: `ok` with its value, or not with its error (a `GoroutineExit` if killed). */
  end(run: RunRecord, ok: boolean, value: unknown, started = true): void {
    if (run.ended) return;
    run.ended = true;
    const at = performance.now();
    const exit = value instanceof GoroutineExit;
    const outcome: ExitOutcome | null = !started
      ? null
      : ok
        ? 'ok'
        : exit
          ? killOutcome(value)
          : 'error';
    // A killed run that returned anyway, or whose cleanup threw, still ended because of the kill.
    const reason: ExitReason =
      run.killCause ?? (ok ? 'returned' : exit ? killCauseOf(value) : 'failed');
    const end: RunEnd = {
      outcome,
      reason,
      ...(!ok && !exit && { error: value }),
      durationS: (at - run.beganAt) / 1000,
      killLatencyS: run.killedAt === null ? null : (at - run.killedAt) / 1000,
    };
    for (const s of this.sinks) s.end?.(run, end);
  }

  attach(source: TelemetrySource): void {
    for (const s of this.sinks) s.attach?.(source);
  }

  event(e: WorkerEvent): void {
    for (const s of this.sinks) s.event?.(e);
  }

  close(): void {
    for (const s of this.sinks) s.close?.();
  }
}

/** A `GoroutineExit` subclass may say the goroutine was terminated (threads); else `killed`. */
function killOutcome(exit: GoroutineExit): ExitOutcome {
  return (exit as { terminated?: unknown }).terminated === true ? 'terminated' : 'killed';
}

/** The cause of a kill, from the reason given to `kill()` (or the exit it became). */
export function killCauseOf(reason: unknown): KillCause {
  return (
    knownCause(reason) ??
    (reason instanceof GoroutineExit ? knownCause(reason.reason) : null) ??
    'stop'
  );
}

function knownCause(r: unknown): KillCause | null {
  if (r instanceof ShutdownError) return 'shutdown';
  if (r instanceof HeartbeatTimeoutError) return 'hung';
  if (r instanceof SupersededError) return 'superseded';
  // gorx/cluster's LeaseLostError, matched by code: telemetry does not load gorx/cluster.
  if ((r as { code?: unknown } | null)?.code === 'ERR_LEASE_LOST') return 'lease-lost';
  if (r === STOP_REASON.remove) return 'remove';
  if (r === STOP_REASON.restart) return 'restart';
  return null;
}
