/**
 * Goroutines: `go(fn)` runs an async or generator function as a killable, structured task.
 * @module
 */
import { spawn } from './internal/goroutine.js';

/** Lifecycle state of a goroutine. */
export type GoroutineState = 'running' | 'blocked' | 'returned' | 'failed' | 'killed';

/** What a goroutine's function receives. */
export interface GoContext {
  /**
   * Aborted (reason: the `GoroutineExit`) when the goroutine is killed. For gorx operations,
   * passing `ctx` itself as the options (`ch.recv(ctx)`) is equivalent and cheaper; use
   * `ctx.signal` for other APIs (`fetch`, timers of other libraries).
   */
  readonly signal: AbortSignal;
  readonly id: number;
  readonly name: string;
  /** Starts a child goroutine, killed (and awaited) before this one ends. */
  go<R>(fn: GoFunction<R>, options?: GoOptions): Goroutine<R>;
}

/** A goroutine body: an async function, or a generator function that yields promises. */
export type GoFunction<R> = (ctx: GoContext) => Promise<R> | Generator<unknown, R, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Options of `go()`. */
export interface GoOptions {
  /** Debug name for diagnostics (default `goroutine-<id>`). */
  name?: string;
  /** Aborting it kills the goroutine with the abort reason (a parent context's cancellation). */
  signal?: AbortSignal;
}

/** Handle of a running goroutine. */
export interface Goroutine<R> {
  readonly id: number;
  readonly name: string;
  readonly state: GoroutineState;
  /** Resolves with the result; rejects with the error, or with the `GoroutineExit` of a kill. */
  readonly done: Promise<R>;
  /**
   * Stops the goroutine where it is suspended and runs its `finally` blocks (children first).
   * Resolves once it has finished. Idempotent: later calls return the same completion.
   */
  kill(reason?: unknown): Promise<void>;
}

/**
 * Starts a goroutine. `fn` runs at once until its first suspension; `go` returns its handle.
 * An async `fn` is interrupted by a kill at every gorx operation given `ctx.signal`; a generator
 * `fn` (yielding promises, resumed with their results) is stopped at its current `yield`
 * whatever it waits on. Either way its `finally` blocks run before `kill()` resolves.
 *
 * @example
 * ```ts
 * import { chan, go } from 'gorx';
 *
 * const jobs = chan<number>();
 * const worker = go(async (ctx) => {
 *   try {
 *     for (;;) console.log('job', await jobs.recv(ctx));
 *   } finally {
 *     console.log('worker cleaned up');
 *   }
 * }, { name: 'worker' });
 * await jobs.send(1);
 * await worker.kill(); // logs 'worker cleaned up' before resolving
 *
 * const gen = go(function* () {
 *   const v: number = (yield jobs.recv()) as number; // stopped right here by a kill
 *   return v;
 * });
 * await gen.kill();
 * ```
 */
export function go<R>(fn: GoFunction<R>, options?: GoOptions): Goroutine<R> {
  return spawn(fn, options, null);
}
