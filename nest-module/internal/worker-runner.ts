/**
 * One supervised worker: runs its body as a goroutine, watches its heartbeat, applies its restart
 * policy with backoff and restart intensity.
 *
 * Invariants:
 * - at most one run (goroutine) exists at a time; a new run starts only after the previous one
 *   has finished (its `finally` blocks ran), so two runs of a worker never overlap;
 * - at most one timer is armed: the heartbeat check while `running`, the restart delay while
 *   `backoff`, none otherwise;
 * - `beatToken` equals `attempt` exactly while the run may still prove liveness; heartbeats of a
 *   killed or ended run (a zombie that ignored its signal) are ignored.
 * - heartbeat bookkeeping (supervised workers): `beats` counts beats; `checkedBeats` is its value
 *   at the last check; only the first beat after a check reads the clock (`lastBeat`), because a
 *   clock read costs ~100 ns on some machines while a beat must stay cheap in a hot loop.
 *   `silentSince` is the latest moment the worker is known to have been alive: the last beat
 *   exactly when a check saw one beat, the check's time when it saw several.
 */
import { HeartbeatTimeoutError, go, type Goroutine } from 'gorx';
import type { WorkerContext, WorkerFunction } from '../worker.context.js';
import type { WorkerState, WorkerStatus } from '../worker.events.js';
import type { ResolvedWorkerOptions } from '../worker.options.js';
import { describeError, who, type SupervisorHost } from './host.js';

type Outcome = 'returned' | 'failed' | 'hung';

export class WorkerRunner {
  state: WorkerState = 'idle';
  attempt = 0;
  restarts = 0;
  /** `Date.now()` of the latest timestamped beat (see the invariants). */
  lastBeat = 0;
  private beats = 0;
  private checkedBeats = 0;
  private silentSince = 0;
  details: unknown = undefined;
  lastError: unknown = undefined;
  private beatToken = 0;
  private g: Goroutine<unknown> | null = null;
  private ended: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private nextRestartAt: number | null = null;
  /** Times of supervisor restarts inside the current intensity window, oldest first. */
  private restartTimes: number[] = [];

  constructor(
    readonly options: ResolvedWorkerOptions,
    private readonly body: WorkerFunction,
    private readonly host: SupervisorHost,
  ) {}

  get name(): string {
    return this.options.name;
  }

  status(): WorkerStatus {
    return {
      name: this.name,
      state: this.state,
      attempt: this.attempt,
      restarts: this.restarts,
      lastHeartbeatAt: this.attempt === 0 ? null : this.lastBeat,
      lastHeartbeatDetails: this.details,
      lastError: this.lastError,
      heartbeatTimeout: this.options.heartbeatTimeout,
      nextRestartAt: this.nextRestartAt,
    };
  }

  /** Starts a run now unless one is in progress; waits for a dying run to finish first. */
  async start(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'hung') await this.ended;
    if (this.host.closing || this.state === 'running' || this.state === 'stopping') return;
    this.clearTimer();
    this.restartTimes = [];
    this.launch('started');
  }

  /** Kills the current run (if any), cancels a pending restart; resolves once the run finished. */
  stop(reason: unknown = 'stopped'): Promise<void> {
    switch (this.state) {
      case 'backoff':
        this.clearTimer();
        this.state = 'stopped';
        this.host.logger.log(`${who(this.name, this.attempt)}: restart cancelled, stopped`);
        this.host.emit({
          type: 'stopped',
          worker: this.name,
          attempt: this.attempt,
          at: Date.now(),
        });
        return Promise.resolve();
      case 'running':
      case 'hung':
        this.state = 'stopping';
        this.clearTimer();
        this.beatToken = 0;
        void this.g!.kill(reason);
        return this.ended;
      case 'stopping':
        return this.ended;
      default:
        return Promise.resolve();
    }
  }

  /** True while running with a heartbeat overdue that no check has handled yet (a blocked loop). */
  overdue(now: number): boolean {
    const limit = this.options.heartbeatTimeout;
    if (this.state !== 'running' || limit === 0) return false;
    const fresh = this.beats - this.checkedBeats;
    // With several beats since the last check, the latest one was not timestamped: unknown.
    if (fresh > 1) return false;
    return now - (fresh === 1 ? this.lastBeat : this.silentSince) >= limit;
  }

  private launch(type: 'started' | 'restarted'): void {
    const attempt = ++this.attempt;
    const name = this.name;
    this.state = 'running';
    // The start counts as a beat.
    this.lastBeat = this.silentSince = Date.now();
    this.beats = this.checkedBeats = 0;
    this.beatToken = attempt;
    const lastHeartbeat = this.details;
    const heartbeat =
      this.options.heartbeatTimeout > 0
        ? (details?: unknown): void => {
            if (this.beatToken !== attempt) return;
            if (++this.beats === this.checkedBeats + 1) this.lastBeat = Date.now();
            if (details !== undefined) this.details = details;
          }
        : (details?: unknown): void => {
            // Unsupervised: nothing checks it, so stamp every beat for the status.
            if (this.beatToken !== attempt) return;
            this.lastBeat = Date.now();
            if (details !== undefined) this.details = details;
          };
    const body = this.body;
    this.host.logger.log(`${who(name, attempt)}: ${type}`);
    this.host.emit({ type, worker: name, attempt, at: this.lastBeat });
    const g = go<unknown>(
      (gctx) => {
        const ctx: WorkerContext = {
          get signal() {
            return gctx.signal;
          },
          id: gctx.id,
          name,
          attempt,
          lastHeartbeat,
          heartbeat,
          go: (fn, options) => gctx.go(fn, options),
        };
        return body(ctx);
      },
      { name },
    );
    this.g = g;
    this.ended = g.done.then(
      () => this.onEnd(attempt, true, undefined),
      (e: unknown) => this.onEnd(attempt, false, e),
    );
    // The body may have ended (or been stopped) synchronously, before `go` returned.
    if (this.state === 'running' && this.options.heartbeatTimeout > 0) {
      this.timer = setTimeout(this.onHeartbeatTimer, this.options.heartbeatTimeout);
    }
  }

  /**
   * The single heartbeat timer. Beats never touch it (a timer reset per beat is too costly in a
   * hot loop): it wakes at the earliest moment the worker could be overdue, looks at what
   * happened since the previous check and re-arms itself. A worker beating at most once per check
   * is caught exactly `heartbeatTimeout` after its last beat; one beating many times per check,
   * typically within 1.5 x `heartbeatTimeout` (never before `heartbeatTimeout`, at most 2 x).
   */
  private readonly onHeartbeatTimer = (): void => {
    this.timer = undefined;
    if (this.state !== 'running') return;
    const limit = this.options.heartbeatTimeout;
    const now = Date.now();
    const fresh = this.beats - this.checkedBeats;
    this.checkedBeats = this.beats;
    let next: number;
    if (fresh === 0) {
      next = this.silentSince + limit - now;
    } else if (fresh === 1) {
      this.silentSince = this.lastBeat;
      next = this.lastBeat + limit - now;
    } else {
      this.silentSince = now;
      next = Math.ceil(limit / 2);
    }
    if (next > 0) {
      this.timer = setTimeout(this.onHeartbeatTimer, next);
      return;
    }
    const silent = now - this.silentSince;
    this.state = 'hung';
    this.beatToken = 0;
    const error = new HeartbeatTimeoutError(limit);
    this.lastError = error;
    this.host.logger.warn(
      `${who(this.name, this.attempt)}: no heartbeat for ${silent} ms, killing it`,
    );
    this.host.emit({
      type: 'heartbeat-missed',
      worker: this.name,
      attempt: this.attempt,
      at: Date.now(),
      error,
    });
    void this.g!.kill(error);
  };

  private onEnd(attempt: number, ok: boolean, value: unknown): void {
    if (attempt !== this.attempt) return; // cannot happen: runs never overlap
    this.g = null;
    this.beatToken = 0;
    this.clearTimer();
    const at = Date.now();
    const log = this.host.logger;
    if (this.state === 'stopping') {
      this.state = 'stopped';
      log.log(`${who(this.name, attempt)}: stopped`);
      this.host.emit({ type: 'stopped', worker: this.name, attempt, at });
      return;
    }
    const outcome: Outcome = this.state === 'hung' ? 'hung' : ok ? 'returned' : 'failed';
    if (outcome === 'failed') this.lastError = value;
    if (outcome !== 'returned') {
      const { message, stack } = describeError(this.lastError);
      // A hang's stack is the heartbeat timer's: noise.
      const line = `${who(this.name, attempt)}: ${outcome === 'hung' ? 'hung' : 'failed'}: ${message}`;
      if (outcome === 'hung' || stack === undefined) log.error(line);
      else log.error(line, stack);
      this.host.emit({ type: 'failed', worker: this.name, attempt, at, error: this.lastError });
    }
    const policy = this.options.restart;
    const restart =
      !this.host.closing &&
      (policy === 'permanent' || (policy === 'transient' && outcome !== 'returned'));
    if (!restart) {
      this.state = outcome === 'returned' ? 'stopped' : 'failed';
      if (outcome === 'returned') {
        log.log(`${who(this.name, attempt)}: returned, not restarted (${policy})`);
        this.host.emit({ type: 'stopped', worker: this.name, attempt, at });
      }
      return;
    }
    const { count, withinMs } = this.options.maxRestarts;
    const times = this.restartTimes;
    while (times.length > 0 && times[0]! <= at - withinMs) times.shift();
    if (times.length >= count) {
      this.state = 'gave-up';
      log.error(
        `${who(this.name, attempt)}: gave up after ${times.length} restarts in ${withinMs} ms`,
      );
      this.host.emit({ type: 'gave-up', worker: this.name, attempt, at, error: this.lastError });
      return;
    }
    times.push(at);
    const delay = this.backoffDelay(times.length);
    this.state = 'backoff';
    this.nextRestartAt = at + delay;
    log.log(`${who(this.name, attempt)}: restarting in ${delay} ms`);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.nextRestartAt = null;
      if (this.host.closing) return;
      this.restarts++;
      this.launch('restarted');
    }, delay);
  }

  /** Delay before the n-th restart of the current intensity window (n >= 1). */
  private backoffDelay(n: number): number {
    const { initialMs, maxMs, factor, jitter } = this.options.backoff;
    const base = Math.min(maxMs, initialMs * factor ** (n - 1));
    const spread = jitter === 0 ? 1 : 1 - jitter + 2 * jitter * this.host.random();
    return Math.round(Math.min(maxMs, base * spread));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.nextRestartAt = null;
  }
}
