/** @module */

/**
 * A worker's lifecycle state. Health reports down for `'hung'` and `'gave-up'` (and for a worker
 * still `'stopping'` after its stop grace ran out).
 * - `idle`: registered, not started yet; `running`: a run is in progress;
 * - `standby`: a cluster singleton's run waiting for its lease (another replica holds it);
 * - `scheduled`: a scheduled worker waiting for its next tick (`nextRunAt`);
 * - `hung`: missed its heartbeat, killed, its cleanup has not finished yet;
 * - `backoff`: waiting to restart; `stopping`: stop requested, cleanup not finished;
 * - `stopped`: stopped on request, or ended normally and not restarted;
 * - `failed`: ended with an error and its policy does not restart it;
 * - `gave-up`: exceeded `maxRestarts`; not restarted until started by hand.
 *
 * @example
 * ```ts
 * import type { WorkerState } from 'gorx/nest';
 *
 * const down = (s: WorkerState): boolean => s === 'hung' || s === 'gave-up';
 * ```
 */
export type WorkerState =
  | 'idle'
  | 'standby'
  | 'running'
  | 'scheduled'
  | 'hung'
  | 'backoff'
  | 'stopping'
  | 'stopped'
  | 'failed'
  | 'gave-up';

/**
 * A snapshot of one worker, as returned by `WorkerRegistry.list()` / `get()`. JSON-ready:
 * `JSON.stringify` renders `lastError` as `{ name, message, code? }` (an `Error` alone would
 * serialise to `{}`), so a controller can return statuses as they are.
 *
 * @example
 * ```ts
 * import type { WorkerStatus } from 'gorx/nest';
 *
 * const line = (s: WorkerStatus): string => `${s.name} ${s.state} attempt ${s.attempt}`;
 * ```
 */
export interface WorkerStatus {
  readonly name: string;
  readonly state: WorkerState;
  /** Number of the current (or last) run: 1, 2, ... */
  readonly attempt: number;
  /** Restarts done by the supervisor (not counting manual `start`/`restart`). */
  readonly restarts: number;
  /** `Date.now()` of the last heartbeat (or of the run's start), null before the first run. */
  readonly lastHeartbeatAt: number | null;
  /** The last details given to `heartbeat(details)`. */
  readonly lastHeartbeatDetails: unknown;
  /**
   * The error that ended the last failed run (a `HeartbeatTimeoutError` for a hang), or that a
   * killed run's cleanup threw.
   */
  readonly lastError: unknown;
  readonly heartbeatTimeoutMs: number;
  /** @deprecated Use `heartbeatTimeoutMs`. */
  readonly heartbeatTimeout: number;
  /** When the next restart is due, while in `'backoff'`. */
  readonly nextRestartAt: number | null;
  /** The schedule of a scheduled worker (`'cron 0 3 * * * (Europe/Berlin)'`, `'every 60000 ms'`). */
  readonly schedule: string | null;
  /** When the next scheduled tick is due, while the worker's schedule is armed. */
  readonly nextRunAt: number | null;
  /** Cluster singleton workers: the lease as this replica sees it (null for other workers). */
  readonly lease: WorkerLeaseStatus | null;
}

/**
 * A singleton worker's lease on this replica: `'standby'` (waiting: another replica holds it, or
 * the store is unreachable), `'held'` (with its `fence`, as a decimal string so the status stays
 * JSON-ready) or `'released'`.
 */
export interface WorkerLeaseStatus {
  readonly state: 'standby' | 'held' | 'released';
  readonly fence: string | null;
  readonly ttlMs: number;
}

/**
 * Types of `WorkerRegistry.events$` events. Scheduled workers add `completed` (a run returned) and
 * `skipped` (a tick dropped by `overlap: 'skip'`, or by `'queue'` with a run already waiting);
 * `failed` also reports an error thrown by a killed run's cleanup. Cluster singletons add
 * `lease-acquired` (the run leaves standby) and `lease-lost` (the run is being killed with
 * `LeaseLostError`).
 *
 * @example
 * ```ts
 * import type { WorkerEventType } from 'gorx/nest';
 *
 * const alarming: WorkerEventType[] = ['heartbeat-missed', 'gave-up'];
 * ```
 */
export type WorkerEventType =
  | 'started'
  | 'heartbeat-missed'
  | 'failed'
  | 'restarted'
  | 'superseded'
  | 'stopped'
  | 'gave-up'
  | 'completed'
  | 'skipped'
  | 'lease-acquired'
  | 'lease-lost';

/**
 * A lifecycle event. `worker` is the worker name (for `'superseded'`: the supersede key's label,
 * or the scheduled worker's name).
 *
 * @example
 * ```ts
 * import type { WorkerEvent } from 'gorx/nest';
 *
 * const log = (e: WorkerEvent): string => `${e.type} ${e.worker}#${e.attempt} at ${e.at}`;
 * ```
 */
export interface WorkerEvent {
  readonly type: WorkerEventType;
  readonly worker: string;
  readonly attempt: number;
  /** `Date.now()` when it happened. */
  readonly at: number;
  readonly error?: unknown;
}
