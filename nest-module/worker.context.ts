/** @module */
import type { GoContext, GoFunction, GoOptions, Goroutine } from 'gorx';
import type { ThreadGoroutine, ThreadOptions } from 'gorx/threads';
import { startWorkerThread } from './internal/worker-thread.js';

/**
 * What a supervised worker receives: its goroutine context (`signal`, `go` for children that die
 * with it) plus supervision. Like a `GoContext`, it is itself operation options: pass `ctx` to
 * every blocking gorx call of an async worker (`await ch.recv(ctx)`, `sleep(1000, ctx)`): the
 * operation is bound to the run's goroutine (a kill withdraws it) with no AbortController and no
 * listener (it names the run's goroutine through gorx's `goContext`). Pass `ctx.signal` to other
 * APIs (`fetch`). A generator worker is stopped at its current `yield` anyway.
 *
 * A class (abstract: gorx creates the instances), not an interface, so that
 * `import { WorkerContext } from 'gorx/nest'` without `type` compiles under `isolatedModules` +
 * `emitDecoratorMetadata` (the Nest starters' settings), where an interface used in a decorated
 * method's signature is error TS1272.
 *
 * @example
 * ```ts
 * import { sleep } from 'gorx';
 * import type { WorkerContext } from 'gorx/nest';
 *
 * async function poll(ctx: WorkerContext<{ cursor: number }>): Promise<void> {
 *   let cursor = ctx.lastHeartbeat?.cursor ?? 0; // resume where the previous attempt was
 *   for (;;) {
 *     cursor++;
 *     ctx.heartbeat({ cursor });
 *     await sleep(1000, ctx);
 *   }
 * }
 * ```
 */
export abstract class WorkerContext<D = unknown> implements GoContext {
  /** Aborted when the run is killed (hung, stopped, superseded by its schedule, shutdown). */
  abstract readonly signal: AbortSignal;
  /** The run's goroutine id. */
  abstract readonly id: number;
  /** The worker's name (also the goroutine's name). */
  abstract readonly name: string;
  /** 1 for the first run, incremented by every (re)start and every scheduled run. */
  abstract readonly attempt: number;
  /** The last details given to `heartbeat(details)` by an earlier attempt, if any. */
  abstract readonly lastHeartbeat: D | undefined;
  /**
   * Proves the worker is alive. Costs a counter increment: call it as often as you like, even in
   * a hot loop. `details` (optional) is kept for status and handed to the next attempt.
   */
  abstract heartbeat(details?: D): void;
  /** Starts a child goroutine, killed (and awaited) before this run ends. */
  abstract go<R>(fn: GoFunction<R>, options?: GoOptions): Goroutine<R>;

  /**
   * Runs CPU work of this run on a worker thread (`goThread` of `gorx/threads`), bound to the
   * run: the thread's `ctx.heartbeat()` calls are this worker's heartbeats, and when the run is
   * killed (heartbeat timeout, supersede, stop, shutdown) the thread goroutine is killed too,
   * terminated if it does not stop within `killGraceMs`; the run ends only after it has ended.
   *
   * @example
   * ```ts
   * import type { WorkerContext } from 'gorx/nest';
   *
   * async function render(ctx: WorkerContext): Promise<void> {
   *   const job = ctx.thread<string>(new URL('./render.js', import.meta.url), 'render', [42], {
   *     killGraceMs: 500,
   *   });
   *   console.log(await job.done);
   * }
   * ```
   */
  thread<R = unknown>(
    module: string | URL,
    exportName: string,
    args: readonly unknown[] = [],
    options: Omit<ThreadOptions, 'parent'> = {},
  ): ThreadGoroutine<R> {
    return startWorkerThread<R>(this as WorkerContext, module, exportName, args, options);
  }
}

/**
 * A worker body: an async function or a generator function taking a `WorkerContext`.
 *
 * @example
 * ```ts
 * import { sleep } from 'gorx';
 * import type { WorkerFunction } from 'gorx/nest';
 *
 * const ping: WorkerFunction = function* (ctx) {
 *   for (;;) {
 *     ctx.heartbeat();
 *     yield sleep(1000);
 *   }
 * };
 * ```
 */
export type WorkerFunction<D = unknown> = (
  ctx: WorkerContext<D>,
) => Promise<unknown> | Generator<unknown, unknown, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The context of a `@BackgroundWorker({ singleton: true })` run: a `WorkerContext` plus the
 * lease's `fence` (pass it with every write the worker makes). `lastHeartbeat` comes from the
 * lease store: the last details the previous holder reported, on whichever replica it ran.
 *
 * @example
 * ```ts
 * import { sleep } from 'gorx';
 * import type { SingletonWorkerContext } from 'gorx/nest';
 *
 * async function sync(ctx: SingletonWorkerContext<{ cursor: number }>): Promise<void> {
 *   let cursor = ctx.lastHeartbeat?.cursor ?? 0;
 *   for (;;) {
 *     console.log(`batch ${cursor} under fence ${ctx.fence}`);
 *     ctx.heartbeat({ cursor: ++cursor });
 *     await sleep(1_000, ctx);
 *   }
 * }
 * ```
 */
export type SingletonWorkerContext<D = unknown> = WorkerContext<D> & { readonly fence: bigint };
