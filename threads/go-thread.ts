/**
 * `goThread`: a goroutine on a worker thread.
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import type { ResourceLimits } from 'node:worker_threads';
import type { GoContext, Goroutine } from 'gorx';
import { ThreadHandle } from './internal/thread-handle.js';
import {
  ThreadGoroutineHandle,
  ThreadRun,
  type KillMode,
  type ThreadSource,
} from './internal/thread-run.js';
import { validateRun } from './internal/validate.js';
import type { ThreadPool } from './thread-pool.js';

/**
 * Options of `goThread` and `ThreadPool.go`.
 *
 * @example
 * ```ts
 * import { goThread, type ThreadOptions } from 'gorx/threads';
 *
 * const options: ThreadOptions = { name: 'resize', killGraceMs: 250, signal: AbortSignal.timeout(5_000) };
 * const g = goThread(new URL('./jobs.js', import.meta.url), 'resize', [640], options);
 * ```
 */
export interface ThreadOptions {
  /** Debug name (default `goroutine-<id>`); also the thread's name. */
  name?: string | undefined;
  /** Aborting it kills the goroutine (as `kill(signal.reason)`). */
  signal?: AbortSignal | undefined;
  /**
   * Start it as a child of this goroutine (`ctx`): it is killed first when the parent is killed
   * or ends, and the parent's `done` waits until it has ended (also through a terminate).
   */
  parent?: GoContext | undefined;
  /**
   * How long a kill waits for the goroutine to end cooperatively before the thread is terminated
   * (default 1000; 0 terminates at once; `Infinity` never terminates).
   */
  killGraceMs?: number | undefined;
  /** Limits of a thread started for this goroutine (not with `pool`: give them to the pool). */
  resourceLimits?: ResourceLimits | undefined;
  /** Run on a pooled thread (same as `pool.go(...)`). */
  pool?: ThreadPool | undefined;
  /** ArrayBuffers and MessagePorts in `args` to move to the thread instead of copying. */
  transfer?: readonly (ArrayBuffer | MessagePort)[] | undefined;
}

/**
 * A goroutine running on a worker thread: a `Goroutine` plus how its kill went and its
 * heartbeats.
 *
 * @example
 * ```ts
 * import { goThread, type ThreadGoroutine } from 'gorx/threads';
 *
 * const g: ThreadGoroutine<number> = goThread(new URL('./jobs.js', import.meta.url), 'crunch', [1e6], {
 *   killGraceMs: 100,
 * });
 * await g.kill();
 * console.log(g.killMode, g.heartbeats); // 'cooperative' or 'terminated', beats so far
 * ```
 */
export interface ThreadGoroutine<R> extends Goroutine<R> {
  /**
   * `null` until a kill ended it; `'cooperative'` when it ended within `killGraceMs` (its
   * `finally` blocks ran), `'terminated'` when the thread had to be terminated (they did not).
   */
  readonly killMode: KillMode;
  /** How many times the thread called `ctx.heartbeat()` (read from shared memory). */
  readonly heartbeats: number;
  /** The latest details given to `ctx.heartbeat(details)` that reached the main thread. */
  readonly heartbeatDetails: unknown;
  /** Called on the main thread with the details of `ctx.heartbeat(details)` calls (coalesced). */
  onHeartbeatDetails: ((details: unknown) => void) | null;
}

/**
 * How a kill ended a thread goroutine: `null` (not killed), `'cooperative'` (it stopped within
 * `killGraceMs`, its `finally` blocks ran) or `'terminated'` (the thread was terminated).
 *
 * @example
 * ```ts
 * import type { KillMode } from 'gorx/threads';
 *
 * const ranFinally = (mode: KillMode): boolean => mode !== 'terminated';
 * ```
 */
export type { KillMode };

/** A thread of its own for each goroutine: started on acquire, ended on release. */
function ownThread(
  resourceLimits: ResourceLimits | undefined,
  name: string | undefined,
): ThreadSource {
  return {
    acquire: (signal) => {
      if (signal.aborted) return Promise.reject(signal.reason);
      return Promise.resolve(new ThreadHandle(resourceLimits, name ?? 'gorx-thread'));
    },
    release: (handle) => handle.terminate(),
  };
}

/**
 * Runs `module`'s export `exportName` as a goroutine on a worker thread:
 * `fn(ctx, ...args)`, where `ctx` is a `ThreadContext`. Arguments and the result are
 * structured-cloned; gorx channels in `args` (top level, or in plain arrays and objects) arrive
 * bridged to the originals. `kill()` is cooperative first (the thread's `ctx.signal` aborts, a
 * generator stops at its `yield`, `finally` runs), then terminates the thread after
 * `killGraceMs`. `module` is a URL or an absolute path.
 *
 * @example
 * ```ts
 * import { chan } from 'gorx';
 * import { goThread } from 'gorx/threads';
 *
 * const progress = chan<number>(16);
 * const job = goThread<string>(new URL('./jobs.js', import.meta.url), 'render', [42, progress]);
 * void (async () => {
 *   for await (const p of progress) console.log('progress', p);
 * })();
 * console.log(await job.done, job.heartbeats);
 * ```
 */
export function goThread<R = unknown>(
  module: string | URL,
  exportName: string,
  args: readonly unknown[] = [],
  options: ThreadOptions = {},
): ThreadGoroutine<R> {
  const spec = validateRun('goThread', module, exportName, args, options);
  if (options.pool !== undefined) {
    if (options.resourceLimits !== undefined) {
      throw new TypeError(
        'goThread: resourceLimits cannot be given with pool (give them to the pool)',
      );
    }
    return options.pool.go<R>(module, exportName, args, { ...options, pool: undefined });
  }
  const run = new ThreadRun<R>(spec, ownThread(options.resourceLimits, options.name));
  return new ThreadGoroutineHandle(run) as ThreadGoroutine<R>;
}
