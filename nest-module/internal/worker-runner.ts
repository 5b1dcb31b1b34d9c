/**
 * One supervised worker: all its state lives here. A run starts in exactly one place (`launch`)
 * and ends in exactly one place (`onEnd`); what follows a run is decided by the pure
 * `afterRun` (restart-policy.ts), and acted on here. What a run's body sees is `RunContext`
 * (bottom of this file): per-run capabilities (a thread bound to the run, a lease's fence) belong
 * there; a gate before a run may start (a singleton's lease) belongs in `launch`. Metrics and
 * traces hear of a run where it begins (`launch`), is killed (`stop`, `onHung`, `onOverlap`) and
 * ends (`onEnd`), through `host.telemetry` (telemetry.ts), null unless configured.
 *
 * Invariants:
 * - at most one run (goroutine) exists at a time; a new run starts only after the previous one
 *   has finished (its `finally` blocks ran), so two runs of a worker never overlap;
 * - at most one supervision timer is armed: the heartbeat check while `running`, the restart
 *   delay while `backoff`, none otherwise; a scheduled worker has, besides, one tick timer while
 *   its schedule is armed (from start until stop or shutdown);
 * - `beatToken` equals `attempt` exactly while the run may still prove liveness; heartbeats of a
 *   killed or ended run (a zombie that ignored its signal) are ignored;
 * - heartbeat bookkeeping: `beats` counts beats; `checkedBeats` is its value at the last check;
 *   only the first beat after a check reads the clock (`lastBeat`), because a clock read costs
 *   ~100 ns on some machines while a beat must stay cheap in a hot loop. `silentSince` is the
 *   latest moment the worker is known to have been alive, shifted forward by the time checks
 *   fired late (a blocked event loop is not the worker's silence); `dueAt` is when the pending
 *   check is due.
 */
import {
  GoroutineExit,
  HeartbeatTimeoutError,
  SupersededError,
  go,
  goContext,
  type GoContext,
  type GoFunction,
  type GoOptions,
  type Goroutine,
} from 'gorx';
import { WorkerContext, type WorkerFunction } from '../worker.context.js';
import type {
  WorkerEventType,
  WorkerLeaseStatus,
  WorkerState,
  WorkerStatus,
} from '../worker.events.js';
import { singletonBody, type SingletonHooks } from './cluster-singleton.js';
import { MAX_TIMER_MS, type ResolvedWorkerOptions } from './resolve-options.js';
import { afterRun, type RunOutcome } from './restart-policy.js';
import { describeError, errorJson, logLifecycle, who, type SupervisorHost } from './host.js';
import type { ExitReason, RunRecord } from './telemetry.js';

type Timer = ReturnType<typeof setTimeout>;

export class WorkerRunner implements SingletonHooks {
  state: WorkerState = 'idle';
  /** Cluster singletons: the lease as this replica sees it. */
  lease: WorkerLeaseStatus | null;
  attempt = 0;
  restarts = 0;
  details: unknown = undefined;
  lastError: unknown = undefined;
  /** Set when a stop's grace ran out while the run still had not ended (health: down). */
  stopOverdue = false;
  /** `Date.now()` of the latest timestamped beat (see the invariants). */
  private lastBeat = 0;
  private beats = 0;
  private checkedBeats = 0;
  private silentSince = 0;
  private dueAt = 0;
  private beatToken = 0;
  private g: Goroutine<unknown> | null = null;
  private ended: Promise<void> = Promise.resolve();
  private timer: Timer | undefined = undefined;
  private nextRestartAt: number | null = null;
  /** Times of supervisor restarts inside the current intensity window, oldest first. */
  private restartTimes: number[] = [];
  // Schedule (scheduled workers only).
  private tickTimer: Timer | undefined = undefined;
  private nextRunAt: number | null = null;
  /** A tick is waiting for the running run to end (overlap 'queue', or 'supersede'). */
  private queued = false;
  /** The running run is being killed by its own schedule's 'supersede'. */
  private superseding = false;
  /** The exit of the run killed as hung, until that run has ended. */
  private hangError: HeartbeatTimeoutError | null = null;
  /** The current (or last) run as telemetry sees it; null when nothing observes the supervisor. */
  private record: RunRecord | null = null;
  /** Why the previous run ended, for the restart about to happen (telemetry only). */
  private restartReason: ExitReason | undefined = undefined;

  constructor(
    readonly options: ResolvedWorkerOptions,
    private readonly body: WorkerFunction,
    private readonly host: SupervisorHost,
  ) {
    const s = options.singleton;
    this.lease = s === null ? null : { state: 'standby', fence: null, ttlMs: s.leaseTtlMs };
  }

  get name(): string {
    return this.options.name;
  }

  status(): WorkerStatus {
    const status = {
      name: this.name,
      state: this.state,
      attempt: this.attempt,
      restarts: this.restarts,
      lastHeartbeatAt: this.lastHeartbeatAt,
      lastHeartbeatDetails: this.details,
      lastError: this.lastError,
      heartbeatTimeoutMs: this.options.heartbeatTimeoutMs,
      heartbeatTimeout: this.options.heartbeatTimeoutMs,
      nextRestartAt: this.nextRestartAt,
      schedule: this.options.schedule?.describe ?? null,
      nextRunAt: this.nextRunAt,
      lease: this.lease,
    };
    // JSON-ready: an Error serialises to `{}`; non-enumerable so comparisons ignore it.
    Object.defineProperty(status, 'toJSON', {
      value: () => ({
        ...status,
        lastError: status.lastError === undefined ? undefined : errorJson(status.lastError),
      }),
    });
    return status;
  }

  /** `Date.now()` of the last timestamped beat (or of the run's start), null before any run. */
  get lastHeartbeatAt(): number | null {
    return this.attempt === 0 ? null : this.lastBeat;
  }

  /** Settles once the current run (if any) has finished; never rejects. */
  whenEnded(): Promise<void> {
    return this.ended;
  }

  /** True while a run exists (running, or killed and finishing its cleanup). */
  get live(): boolean {
    return this.g !== null;
  }

  /**
   * Starts the worker now unless it is already running (or scheduled); a dying run (stopping,
   * hung) is awaited first, so runs never overlap.
   */
  start(): Promise<void> {
    if (this.state === 'running' || this.state === 'scheduled') return Promise.resolve();
    if (this.g !== null) return this.ended.then(() => this.start());
    if (this.host.closing) return Promise.resolve();
    this.clearTimer();
    this.restartTimes = [];
    const schedule = this.options.schedule;
    if (schedule === null) {
      this.launch('started');
    } else {
      this.state = 'scheduled';
      this.armTick(Date.now());
      this.lifecycle(`worker "${this.name}": scheduled ${schedule.describe}`);
      if (schedule.runOnStart) this.launch('started');
    }
    return Promise.resolve();
  }

  /** Kills the current run (if any), cancels a pending restart or tick; resolves once ended. */
  stop(reason: unknown): Promise<void> {
    this.clearTick();
    switch (this.state) {
      case 'backoff':
      case 'scheduled':
        this.clearTimer();
        this.state = 'stopped';
        this.lifecycle(`${who(this.name, this.attempt)}: stopped`);
        this.emit('stopped', this.attempt);
        return Promise.resolve();
      case 'running':
      case 'standby':
      case 'hung':
        this.state = 'stopping';
        this.clearTimer();
        this.beatToken = 0;
        if (this.record !== null) this.host.telemetry!.killed(this.record, reason);
        void this.g!.kill(reason);
        return this.ended;
      default:
        return this.ended;
    }
  }

  /** The one place where a run starts. */
  private launch(type: 'started' | 'restarted'): void {
    const attempt = ++this.attempt;
    const name = this.name;
    const limit = this.options.heartbeatTimeoutMs;
    this.state = 'running';
    this.superseding = false;
    // The start counts as a beat.
    this.lastBeat = this.silentSince = Date.now();
    this.beats = this.checkedBeats = 0;
    this.beatToken = attempt;
    const ctx = new RunContext(this, attempt, this.details, limit > 0);
    this.lifecycle(`${who(name, attempt)}: ${type}`);
    this.emit(type, attempt, undefined, this.lastBeat);
    const s = this.options.singleton;
    const body =
      s === null
        ? this.body
        : singletonBody(this.body, this.host.clusterStore!, name, s.leaseTtlMs, this);
    const run = (): Goroutine<unknown> =>
      go<unknown>(
        (gctx) => {
          ctx.gctx = gctx;
          return body(ctx);
        },
        { name },
      );
    const telemetry = this.host.telemetry;
    let g: Goroutine<unknown>;
    if (telemetry === null) g = run();
    else {
      const record = telemetry.begin({
        kind: 'worker',
        worker: name,
        label: name,
        attempt,
        cause: type,
        restartReason: type === 'restarted' ? this.restartReason : undefined,
        follows:
          this.record === null
            ? null
            : type === 'restarted'
              ? { run: this.record, link: 'restart-of' }
              : this.record.killCause === 'superseded'
                ? { run: this.record, link: 'supersedes' }
                : null,
      });
      this.record = record;
      g = telemetry.enter(record, run);
    }
    this.g = g;
    this.ended = g.done.then(
      () => this.onEnd(attempt, true, undefined),
      (e: unknown) => this.onEnd(attempt, false, e),
    );
    // The body may have ended (or been stopped) synchronously, before `go` returned.
    if (this.state === 'running' && limit > 0) this.armCheck(limit);
  }

  // SingletonHooks: a singleton's run reports its lease; see cluster-singleton.ts.

  /** The run waits for its lease: not hung, just not ours to run (no heartbeat check). */
  enterStandby(attempt: number): void {
    if (attempt !== this.attempt || this.state !== 'running') return;
    this.state = 'standby';
    this.clearTimer();
    this.lease = { state: 'standby', fence: null, ttlMs: this.lease!.ttlMs };
  }

  /** The lease is ours: the run is running from now on (this counts as its first beat). */
  leaseAcquired(attempt: number, fence: bigint): void {
    if (attempt !== this.attempt || this.state !== 'standby') return;
    this.state = 'running';
    this.lease = { state: 'held', fence: fence.toString(), ttlMs: this.lease!.ttlMs };
    this.lastBeat = this.silentSince = Date.now();
    this.beats = this.checkedBeats = 0;
    this.host.logger.log(`${who(this.name, attempt)}: lease acquired (fence ${fence})`);
    this.emit('lease-acquired', attempt);
    const limit = this.options.heartbeatTimeoutMs;
    if (limit > 0) this.armCheck(limit);
  }

  /** The lease is lost: kill the run (the restart policy decides what follows). */
  leaseLost(attempt: number, reason: unknown): void {
    if (attempt !== this.attempt || this.g === null) return;
    this.lease = { state: 'standby', fence: null, ttlMs: this.lease!.ttlMs };
    this.host.logger.warn(`${who(this.name, attempt)}: ${describeError(reason).message}`);
    this.emit('lease-lost', attempt, reason);
    if (this.record !== null) this.host.telemetry!.killed(this.record, reason);
    void this.g.kill(reason);
  }

  leaseReleased(attempt: number): void {
    if (attempt !== this.attempt || this.lease?.state !== 'held') return;
    this.lease = { state: 'released', fence: this.lease.fence, ttlMs: this.lease.ttlMs };
  }

  /** A beat of run `attempt` (see RunContext.heartbeat). */
  beat(attempt: number, details: unknown, supervised: boolean): void {
    if (this.beatToken !== attempt) return;
    // Supervised: only the first beat after a check reads the clock. Unsupervised: nothing
    // checks, so stamp every beat for the status.
    if (!supervised || ++this.beats === this.checkedBeats + 1) this.lastBeat = Date.now();
    if (details !== undefined) this.details = details;
  }

  private armCheck(delay: number): void {
    this.dueAt = Date.now() + delay;
    this.timer = setTimeout(checkHeartbeat, delay, this);
  }

  /**
   * The single heartbeat timer. Beats never touch it (a timer reset per beat is too costly in a
   * hot loop): it wakes at the earliest moment the worker could be overdue, looks at what
   * happened since the previous check and re-arms itself. A worker beating at most once per check
   * is caught exactly `heartbeatTimeoutMs` after its last beat; one beating many times per check,
   * typically within 1.5x (never before 1x, at most 2x). A check that fires late (the event loop
   * was blocked) judges as of its due time and shifts the worker's allowance by the lateness, so
   * a blocked loop never counts as silence, however often the worker beats.
   */
  onHeartbeatTimer(): void {
    this.timer = undefined;
    if (this.state !== 'running') return;
    const limit = this.options.heartbeatTimeoutMs;
    const now = Date.now();
    const late = Math.max(0, now - this.dueAt);
    const asOf = now - late;
    const fresh = this.beats - this.checkedBeats;
    this.checkedBeats = this.beats;
    if (fresh <= 1) {
      if (fresh === 1) this.silentSince = Math.min(this.lastBeat, asOf);
      if (asOf - this.silentSince >= limit) {
        this.onHung(now - this.silentSince - late);
        return;
      }
      this.silentSince += late;
      this.armCheck(this.silentSince + limit - now);
    } else {
      // The latest beat was not timestamped: alive at the check; look again sooner.
      this.silentSince = now;
      this.armCheck(Math.ceil(limit / 2));
    }
  }

  private onHung(silentMs: number): void {
    const limit = this.options.heartbeatTimeoutMs;
    this.state = 'hung';
    this.beatToken = 0;
    const error = new HeartbeatTimeoutError(limit);
    this.lastError = this.hangError = error;
    if (this.record !== null) this.host.telemetry!.killed(this.record, error);
    this.host.logger.warn(
      `${who(this.name, this.attempt)}: no heartbeat for ${silentMs} ms, killing it`,
    );
    this.emit('heartbeat-missed', this.attempt, error);
    void this.g!.kill(error);
  }

  /** The one place where a run ends. */
  private onEnd(attempt: number, ok: boolean, value: unknown): void {
    if (attempt !== this.attempt) return; // cannot happen: runs never overlap
    this.g = null;
    if (this.record !== null) this.host.telemetry!.end(this.record, ok, value);
    this.beatToken = 0;
    this.stopOverdue = false;
    this.clearTimer();
    const log = this.host.logger;
    const killed = this.state === 'stopping' || this.state === 'hung' || this.superseding;
    // An error other than the exit, thrown after a kill: its cleanup (`finally`) failed.
    if (killed && !ok && !(value instanceof GoroutineExit)) {
      this.lastError = value;
      const { message, stack } = describeError(value);
      log.error(
        `${who(this.name, attempt)}: cleanup failed after it was killed: ${message}`,
        stack,
      );
      this.emit('failed', attempt, value);
    }
    if (this.state === 'stopping') {
      this.state = 'stopped';
      this.lifecycle(`${who(this.name, attempt)}: stopped`);
      this.emit('stopped', attempt);
      return;
    }
    if (this.superseding) {
      this.superseding = false;
      this.afterScheduledRun('returned');
      return;
    }
    const outcome: RunOutcome = this.state === 'hung' ? 'hung' : ok ? 'returned' : 'failed';
    if (outcome === 'failed') {
      this.lastError = value;
      const { message, stack } = describeError(value);
      log.error(`${who(this.name, attempt)}: failed: ${message}`, stack);
      this.emit('failed', attempt, value);
    } else if (outcome === 'hung') {
      // A hang's stack is the heartbeat timer's: noise.
      const hang = this.hangError!;
      log.error(`${who(this.name, attempt)}: hung: ${hang.message}`);
      this.emit('failed', attempt, hang);
    }
    this.hangError = null;
    if (this.options.schedule !== null) {
      if (outcome === 'returned') {
        this.lifecycle(`${who(this.name, attempt)}: completed`);
        this.emit('completed', attempt);
      }
      this.afterScheduledRun(outcome);
      return;
    }
    const at = Date.now();
    const decision = afterRun({
      policy: this.options.restart,
      outcome,
      closing: this.host.closing,
      restartTimes: this.restartTimes,
      at,
      maxRestarts: this.options.maxRestarts,
      backoff: this.options.backoff,
      random: () => this.host.random(),
    });
    switch (decision.next) {
      case 'stopped':
        this.state = 'stopped';
        this.lifecycle(
          `${who(this.name, attempt)}: returned, not restarted (${this.options.restart})`,
        );
        this.emit('stopped', attempt);
        return;
      case 'failed':
        this.state = 'failed';
        return;
      case 'gave-up':
        this.state = 'gave-up';
        log.error(
          `${who(this.name, attempt)}: gave up after ${decision.restartsInWindow} restarts in ${this.options.maxRestarts.withinMs} ms`,
        );
        this.emit('gave-up', attempt, this.lastError);
        return;
      case 'restart':
        this.restartReason = outcome;
        this.restartTimes = decision.window;
        this.state = 'backoff';
        this.nextRestartAt = at + decision.delayMs;
        this.lifecycle(`${who(this.name, attempt)}: restarting in ${decision.delayMs} ms`);
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.nextRestartAt = null;
          if (this.host.closing) return;
          this.restarts++;
          this.launch('restarted');
        }, decision.delayMs);
    }
  }

  /** A scheduled worker's run ended by itself or was superseded: run a queued tick, or wait. */
  private afterScheduledRun(outcome: RunOutcome): void {
    if (this.host.closing || this.tickTimer === undefined) {
      // Shutdown, or the schedule has no further tick.
      this.queued = false;
      this.state = outcome === 'returned' ? 'stopped' : 'failed';
      return;
    }
    if (this.queued) {
      this.queued = false;
      this.launch('started');
      return;
    }
    this.state = 'scheduled';
  }

  /** Arms the tick after `after` (chained for ticks further away than a Node timer can wait). */
  private armTick(after: number): void {
    const at = this.options.schedule!.next(after);
    this.nextRunAt = at;
    if (at === null) return;
    const arm = (): void => {
      const delay = Math.max(0, at - Date.now());
      this.tickTimer =
        delay > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(tick, delay, this, at);
    };
    arm();
  }

  onTick(dueAt: number): void {
    this.tickTimer = undefined;
    this.nextRunAt = null;
    if (this.host.closing) return;
    // The next tick follows this one's due time (no drift); ticks missed while the loop was
    // blocked are not replayed.
    const now = Date.now();
    const next = this.options.schedule!.next(dueAt);
    this.armTick(next !== null && next <= now ? now : dueAt);
    switch (this.state) {
      case 'scheduled':
        this.launch('started');
        return;
      case 'running':
      case 'hung':
        this.onOverlap();
        return;
      default:
        return;
    }
  }

  /** A tick while the previous run is still running (or dying). */
  private onOverlap(): void {
    const overlap = this.options.schedule!.overlap;
    const attempt = this.attempt;
    if (overlap === 'skip' || this.queued) {
      this.lifecycle(
        `${who(this.name, attempt)}: still running, tick skipped (overlap: ${overlap})`,
      );
      this.emit('skipped', attempt);
      return;
    }
    this.queued = true;
    if (overlap === 'queue' || this.state === 'hung' || this.superseding) {
      this.lifecycle(`${who(this.name, attempt)}: still running, next run queued`);
      return;
    }
    const exit = new SupersededError(this.name);
    this.superseding = true;
    this.beatToken = 0;
    this.clearTimer();
    this.lifecycle(`${who(this.name, attempt)}: superseded by the next tick`);
    this.emit('superseded', attempt, exit);
    if (this.record !== null) this.host.telemetry!.killed(this.record, exit);
    void this.g!.kill(exit);
  }

  private emit(type: WorkerEventType, attempt: number, error?: unknown, at = Date.now()): void {
    this.host.emit(
      error === undefined
        ? { type, worker: this.name, attempt, at }
        : { type, worker: this.name, attempt, at, error },
    );
  }

  private lifecycle(message: string): void {
    logLifecycle(this.host.logger, this.options.lifecycleLogLevel, message);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.nextRestartAt = null;
  }

  private clearTick(): void {
    if (this.tickTimer !== undefined) clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
    this.nextRunAt = null;
    this.queued = false;
  }
}

// Timer callbacks take the runner as an argument: no closure per worker.
function checkHeartbeat(runner: WorkerRunner): void {
  runner.onHeartbeatTimer();
}
function tick(runner: WorkerRunner, dueAt: number): void {
  runner.onTick(dueAt);
}

/** The `WorkerContext` of one run. */
class RunContext<D> extends WorkerContext<D> {
  gctx!: GoContext;

  constructor(
    private readonly runner: WorkerRunner,
    readonly attempt: number,
    readonly lastHeartbeat: D | undefined,
    private readonly supervised: boolean,
  ) {
    super();
  }

  /** Operations given this context bind to the run's goroutine, as with its GoContext. */
  get [goContext](): GoContext {
    return this.gctx;
  }
  get signal(): AbortSignal {
    return this.gctx.signal;
  }
  get id(): number {
    return this.gctx.id;
  }
  get name(): string {
    return this.runner.name;
  }
  heartbeat(details?: D): void {
    this.runner.beat(this.attempt, details, this.supervised);
  }
  go<R>(fn: GoFunction<R>, options?: GoOptions): Goroutine<R> {
    return this.gctx.go(fn, options);
  }
}
