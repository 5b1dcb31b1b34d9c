/**
 * A goroutine on a worker thread, as seen from the main thread: a main-thread goroutine (so it
 * has an id, shows in `goroutines()`, follows `options.signal` and its parent's lifetime) whose
 * body waits for a thread run, plus the two-step kill.
 *
 * Invariants:
 * - a run ends exactly once (`end`): its bridge ends (values not acknowledged are put back), its
 *   thread is given back to its source (reusable unless it died or was terminated);
 * - after a kill, the thread has `killGraceMs` to end cooperatively; then it is terminated and
 *   the run ends when the thread has exited;
 * - `done` settles only after the run ended.
 */
import type { MessagePort } from 'node:worker_threads';
import { GoroutineExit, go, type GoContext, type Goroutine, type GoroutineState } from 'gorx';
import { ThreadExitError } from '../errors.js';
import { decodeError, type Encoded } from './error-codec.js';
import { MainBridge } from './main-bridge.js';
import * as P from './protocol.js';
import type { ThreadHandle } from './thread-handle.js';

let nextRunId = 1;

export type KillMode = null | 'cooperative' | 'terminated';

/** Where a run gets its thread: a pool, or a thread of its own. */
export interface ThreadSource {
  acquire(signal: AbortSignal): Promise<ThreadHandle>;
  /** Takes the thread back; `reusable` is false when it died or was terminated. */
  release(handle: ThreadHandle, reusable: boolean): Promise<void>;
}

export interface RunSpec {
  readonly module: string;
  readonly exportName: string;
  readonly args: readonly unknown[];
  readonly name: string | undefined;
  readonly signal: AbortSignal | undefined;
  readonly parent: GoContext | undefined;
  readonly killGraceMs: number;
  readonly transfer: readonly (ArrayBuffer | MessagePort)[];
}

export class ThreadRun<R> {
  killMode: KillMode = null;
  heartbeatDetails: unknown = undefined;
  /** Called with the details of each ctx.heartbeat(details) (coalesced per thread turn). */
  onHeartbeatDetails: ((details: unknown) => void) | null = null;
  private shared: Int32Array | null = null;
  /** The count when the run ended (the thread's shared memory then serves its next run). */
  private finalBeats = 0;
  readonly g: Goroutine<R>;

  constructor(
    private readonly spec: RunSpec,
    private readonly source: ThreadSource,
  ) {
    // With a parent, the main-side goroutine is its child: killed first when the parent is
    // killed or ends, and the parent's `done` waits for it (cooperative or terminated).
    const opts = { name: spec.name, signal: spec.signal };
    const body = (ctx: GoContext): Promise<R> => this.body(ctx);
    this.g = spec.parent !== undefined ? spec.parent.go<R>(body, opts) : go<R>(body, opts);
  }

  get heartbeats(): number {
    return this.shared !== null ? Atomics.load(this.shared, P.HEARTBEATS) : this.finalBeats;
  }

  private async body(ctx: GoContext): Promise<R> {
    const signal = ctx.signal;
    let handle: ThreadHandle;
    try {
      handle = await this.source.acquire(signal);
    } catch (e) {
      if (signal.aborted) this.killMode = 'cooperative';
      throw e;
    }
    return new Promise<R>((resolve, reject) => {
      const shared = handle.shared;
      Atomics.store(shared, P.HEARTBEATS, 0);
      Atomics.store(shared, P.SYNC_FLAG, 0);
      this.shared = shared;
      const runId = nextRunId++;
      const bridge = new MainBridge(runId, handle.port, handle.syncPort, shared);
      handle.onBatch = (batch) => bridge.receiveNow(batch);
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let killRequested = false;
      const end = (reusable: boolean, ok: boolean, value: unknown): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        handle.onDeath = null;
        handle.onBatch = null;
        this.finalBeats = Atomics.load(shared, P.HEARTBEATS);
        this.shared = null;
        bridge.end();
        if (killRequested && this.killMode === null) this.killMode = 'cooperative';
        this.source
          .release(handle, reusable)
          .then(() => (ok ? resolve(value as R) : reject(value)));
      };
      const onAbort = (): void => {
        killRequested = true;
        const grace = this.spec.killGraceMs;
        const terminate = (): void => {
          this.killMode = 'terminated';
          markTerminated(signal.reason);
          void handle.terminate();
        };
        if (grace <= 0) return terminate();
        bridge.kill(signal.reason);
        if (grace !== Infinity) timer = setTimeout(terminate, grace);
      };
      bridge.onDone = (outcome, value) => {
        if (outcome === P.OK) end(true, true, value);
        else if (outcome === P.FAILED) end(true, false, decodeError(value as Encoded));
        else {
          const cause = decodeError(value as Encoded);
          const msg = cause instanceof Error ? cause.message : String(cause);
          end(
            true,
            false,
            new ThreadExitError(`thread module ${this.spec.module} failed to load: ${msg}`, {
              cause,
            }),
          );
        }
      };
      bridge.onHeartbeatDetails = (d) => {
        this.heartbeatDetails = d;
        this.onHeartbeatDetails?.(d);
      };
      handle.onDeath = (err) => end(false, false, err ?? signal.reason);
      let args: unknown[];
      try {
        args = bridge.encodeArgs(this.spec.args);
        const msg: P.RunMessage = {
          type: 'run',
          runId,
          module: this.spec.module,
          exportName: this.spec.exportName,
          name: this.g.name,
          args,
          decided: bridge.decidedBuffer,
          ring: bridge.ringBuffer,
        };
        handle.port.postMessage(msg, [...this.spec.transfer]);
      } catch (e) {
        // Arguments that cannot be cloned: nothing ran; the thread is still clean.
        end(true, false, e);
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
    });
  }
}

/**
 * Marks the exit a thread goroutine was killed with as a terminate: `exit.terminated === true`
 * (not enumerable, so it does not travel with the error). The kill of a parent reaches its
 * children with the same exit, so a worker run whose thread was terminated ends with a marked exit
 * too: telemetry (gorx/nest metrics and traces) counts it as outcome `terminated`, not `killed`.
 */
function markTerminated(exit: unknown): void {
  if (exit instanceof GoroutineExit && !Object.isFrozen(exit)) {
    Object.defineProperty(exit, 'terminated', { value: true, configurable: true });
  }
}

/** The public handle (the `Goroutine` plus thread facts). */
export class ThreadGoroutineHandle<R> {
  constructor(private readonly run: ThreadRun<R>) {}
  get id(): number {
    return this.run.g.id;
  }
  get name(): string {
    return this.run.g.name;
  }
  get state(): GoroutineState {
    return this.run.g.state;
  }
  get done(): Promise<R> {
    return this.run.g.done;
  }
  get killMode(): KillMode {
    return this.run.killMode;
  }
  get heartbeats(): number {
    return this.run.heartbeats;
  }
  get heartbeatDetails(): unknown {
    return this.run.heartbeatDetails;
  }
  get onHeartbeatDetails(): ((details: unknown) => void) | null {
    return this.run.onHeartbeatDetails;
  }
  set onHeartbeatDetails(fn: ((details: unknown) => void) | null) {
    this.run.onHeartbeatDetails = fn;
  }
  kill(reason?: unknown): Promise<void> {
    return this.run.g.kill(reason);
  }
}
