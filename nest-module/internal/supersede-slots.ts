/**
 * Kill-on-supersede runs, one slot per key.
 *
 * Invariants:
 * - a slot holds the newest run of its key; it is removed when that run settles;
 * - a run starts only after its predecessor has finished (its `finally` ran) or, when the
 *   predecessor never started, after the predecessor's own predecessor finished: the chain of
 *   cleanups is awaited in order, so two runs of one key never overlap;
 * - a run superseded before it started never starts; its promise rejects `SupersededError`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  GoroutineExit,
  SupersededError,
  go,
  type GoContext,
  type GoFunction,
  type Goroutine,
} from 'gorx';
import { ShutdownError } from '../worker.errors.js';
import { describeError, logLifecycle, who, type SupervisorHost } from './host.js';
import type { RunRecord } from './telemetry.js';

/** What to do when a run with the same key is still in progress. */
export type SupersedeMode = 'kill' | 'join' | 'queue';

/** What `supersedeContext()` returns inside a `@Supersede` method. */
export interface SupersedeRunContext {
  readonly signal: AbortSignal;
  readonly key: unknown;
  /** `scope: 'cluster'` only: the run's fence, higher than any earlier run's for the key. */
  readonly fence?: bigint;
}

interface Run {
  readonly label: string;
  readonly attempt: number;
  g: Goroutine<unknown> | null;
  /** Set when superseded (or shut down) before it started: it must never start. */
  exit: unknown;
  /** Set when it was killed (superseded or shut down) while running. */
  killed: boolean;
  result: Promise<unknown>;
  /** Settles (never rejects) once the run, or its never-started stand-in, is over. */
  ended: Promise<void>;
  /** The call as telemetry sees it; null when nothing observes the supervisor. */
  record: RunRecord | null;
}

const noop = (): void => {};
export const runContext = new AsyncLocalStorage<SupersedeRunContext>();

export class SupersedeSlots {
  private readonly slots = new Map<unknown, Run>();

  /** `scope`: the bounded name metrics use (`Class.method`, or `WorkerRegistry.supersede`). */
  constructor(
    private readonly host: SupervisorHost,
    readonly scope = 'WorkerRegistry.supersede',
  ) {}

  run<R>(key: unknown, label: string, fn: GoFunction<R>, mode: SupersedeMode = 'kill'): Promise<R> {
    if (this.host.closing) return callerPromise(Promise.reject(new ShutdownError()));
    const prev = this.slots.get(key);
    if (prev !== undefined && mode === 'join') return prev.result as Promise<R>;
    const telemetry = this.host.telemetry;
    if (telemetry === null) return this.schedule(key, label, fn, mode, prev, null);
    const record = telemetry.begin({
      kind: 'supersede',
      worker: this.scope,
      label,
      attempt: (prev?.attempt ?? 0) + 1,
      cause: 'started',
      follows:
        mode === 'kill' && prev?.record != null && !prev.record.ended
          ? { run: prev.record, link: 'supersedes' }
          : null,
    });
    // The whole call runs in the run's context: the goroutine, created later, inherits it.
    return telemetry.enter(record, () => this.schedule(key, label, fn, mode, prev, record));
  }

  private schedule<R>(
    key: unknown,
    label: string,
    fn: GoFunction<R>,
    mode: SupersedeMode,
    prev: Run | undefined,
    record: RunRecord | null,
  ): Promise<R> {
    const run: Run = {
      label,
      attempt: (prev?.attempt ?? 0) + 1,
      g: null,
      exit: null,
      killed: false,
      result: undefined as unknown as Promise<unknown>,
      ended: undefined as unknown as Promise<void>,
      record,
    };
    const start = (): Promise<R> => {
      // Superseded or shut down before it started: it never starts.
      if (run.exit !== null) return Promise.reject(run.exit);
      if (this.host.closing) return Promise.reject(new ShutdownError());
      const g = go<R>((ctx: GoContext) => runContext.run({ signal: ctx.signal, key }, fn, ctx), {
        name: label,
      });
      run.g = g as Goroutine<unknown>;
      return g.done;
    };
    this.slots.set(key, run); // before the body runs: it may itself supersede this key
    // With nothing to wait for, the body runs at once (up to its first suspension), as a plain
    // async call would; otherwise only after the predecessor's cleanup.
    const result =
      prev === undefined
        ? start()
        : (mode === 'queue' ? prev.ended : this.displace(prev, key)).then(start);
    run.result = result;
    run.ended = result
      .then(
        (v: unknown) => {
          if (record !== null) this.host.telemetry!.end(record, true, v);
        },
        (e: unknown) => {
          if (record !== null) this.host.telemetry!.end(record, false, e, run.g !== null);
          // Killed (superseded, shut down) but ended with another error: its cleanup threw.
          if (run.killed && !(e instanceof GoroutineExit)) {
            const { message, stack } = describeError(e);
            this.host.logger.error(
              `${who(label, run.attempt)}: cleanup failed after it was killed: ${message}`,
              stack,
            );
            this.host.emit({
              type: 'failed',
              worker: label,
              attempt: run.attempt,
              at: Date.now(),
              error: e,
            });
          }
        },
      )
      .then(() => {
        if (this.slots.get(key) === run) this.slots.delete(key);
      });
    return callerPromise(result);
  }

  /** Supersedes `prev`; resolves once it (and any run it was waiting for) has finished. */
  private displace(prev: Run, key: unknown): Promise<void> {
    const g = prev.g;
    if (g !== null && (g.state === 'returned' || g.state === 'failed' || g.state === 'killed')) {
      return prev.ended;
    }
    const exit = new SupersededError(key);
    logLifecycle(
      this.host.logger,
      this.host.lifecycleLogLevel,
      `${who(prev.label, prev.attempt)}: superseded`,
    );
    this.host.emit({
      type: 'superseded',
      worker: prev.label,
      attempt: prev.attempt,
      at: Date.now(),
      error: exit,
    });
    if (prev.record !== null) this.host.telemetry!.killed(prev.record, exit);
    if (g === null) {
      prev.exit ??= exit;
      return prev.ended;
    }
    prev.killed = true;
    return g.kill(exit).then(() => prev.ended);
  }

  /** Kills every run with `reason` (shutdown). Resolves once all of them finished. */
  killAll(reason: ShutdownError): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const run of this.slots.values()) {
      if (run.record !== null) this.host.telemetry!.killed(run.record, reason);
      if (run.g === null) run.exit ??= reason;
      else {
        run.killed = true;
        void run.g.kill(reason);
      }
      waits.push(run.ended);
    }
    return Promise.all(waits).then(noop);
  }

  /** Labels of runs still in progress (shutdown diagnostics). */
  pending(): string[] {
    return [...this.slots.values()].map((r) => who(r.label, r.attempt));
  }
}

/**
 * The promise handed to the caller. `result` is observed internally (to free the slot), which
 * would hide the caller's errors; this copy stays unobserved, so a failure of a fire-and-forget
 * call surfaces as an unhandled rejection like a plain async method's, while a kill (superseded,
 * shut down) never does.
 */
function callerPromise<R>(result: Promise<R>): Promise<R> {
  let settle!: (v: R) => void;
  let fail!: (e: unknown) => void;
  const p = new Promise<R>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  result.then(settle, (e: unknown) => {
    if (e instanceof GoroutineExit) p.catch(noop);
    fail(e);
  });
  return p;
}

/** The run context of the `@Supersede` method or `supersede()` run the caller executes in. */
export function currentRun(): SupersedeRunContext | undefined {
  return runContext.getStore();
}
