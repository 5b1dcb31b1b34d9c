/**
 * `ThreadPool`: goroutines on a fixed set of reused worker threads.
 * @module
 */
import type { ResourceLimits } from 'node:worker_threads';
import { GorxError } from 'gorx';
import { defaultThreadCount } from './internal/cpu-quota.js';
import { ThreadHandle } from './internal/thread-handle.js';
import { ThreadGoroutineHandle, ThreadRun, type ThreadSource } from './internal/thread-run.js';
import { validateRun } from './internal/validate.js';
import type { ThreadGoroutine, ThreadOptions } from './go-thread.js';

/**
 * Options of `new ThreadPool()`.
 *
 * @example
 * ```ts
 * import { ThreadPool, type ThreadPoolOptions } from 'gorx/threads';
 *
 * const options: ThreadPoolOptions = { size: 2, idleTimeoutMs: 10_000, resourceLimits: { maxOldGenerationSizeMb: 256 } };
 * const pool = new ThreadPool(options);
 * ```
 */
export interface ThreadPoolOptions {
  /** Number of threads (default: the CPUs this process may use, container CPU quota included). */
  size?: number | undefined;
  /** An idle thread ends after this long without work (default 30000; `Infinity`: never). */
  idleTimeoutMs?: number | undefined;
  /** Limits of every thread of the pool. */
  resourceLimits?: ResourceLimits | undefined;
  /** Name of the pool's threads. */
  name?: string | undefined;
}

interface Waiter {
  resolve(h: ThreadHandle): void;
  reject(e: unknown): void;
  signal: AbortSignal;
  onAbort(): void;
}

/**
 * A pool of worker threads for goroutines. `pool.go(...)` is `goThread(...)` on a pooled thread:
 * goroutines beyond `size` wait in FIFO order; a thread that died or was terminated by a kill is
 * replaced; idle threads do not keep the process alive. `close()` kills every goroutine (queued
 * or running) and ends the threads.
 *
 * @example
 * ```ts
 * import { ThreadPool } from 'gorx/threads';
 *
 * const pool = new ThreadPool({ size: 2 });
 * const jobs = [1, 2, 3].map((n) => pool.go<number>(new URL('./jobs.js', import.meta.url), 'square', [n]));
 * console.log(await Promise.all(jobs.map((j) => j.done))); // [1, 4, 9]
 * await pool.close();
 * ```
 */
export class ThreadPool {
  /** Number of threads the pool runs at most. */
  readonly size: number;
  readonly idleTimeoutMs: number;
  private readonly resourceLimits: ResourceLimits | undefined;
  private readonly threadName: string;
  private readonly threads = new Set<ThreadHandle>();
  private readonly idle: ThreadHandle[] = [];
  private readonly idleTimers = new Map<ThreadHandle, ReturnType<typeof setTimeout>>();
  private readonly waiting: Waiter[] = [];
  private readonly runs = new Set<ThreadGoroutine<unknown>>();
  private closing: Promise<void> | null = null;
  private readonly source: ThreadSource = {
    acquire: (signal) => this.acquire(signal),
    release: (h, reusable) => this.release(h, reusable),
  };

  constructor(options: ThreadPoolOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('ThreadPool: options must be an object');
    }
    const size = options.size ?? defaultThreadCount();
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`ThreadPool: size must be a positive integer, got ${String(size)}`);
    }
    const idle = options.idleTimeoutMs ?? 30_000;
    if (typeof idle !== 'number' || Number.isNaN(idle) || idle < 0) {
      throw new RangeError('ThreadPool: idleTimeoutMs must be a number >= 0 (or Infinity)');
    }
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw new TypeError('ThreadPool: name must be a string');
    }
    this.size = size;
    this.idleTimeoutMs = idle;
    this.resourceLimits = options.resourceLimits;
    this.threadName = options.name ?? 'gorx-pool';
  }

  /** Threads started and not ended (busy or idle). */
  get threadCount(): number {
    return this.threads.size;
  }

  /** Goroutines waiting for a thread. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * `goThread` on a pooled thread. Throws `PoolClosedError` once `close()` was called.
   *
   * @example
   * ```ts
   * import { ThreadPool } from 'gorx/threads';
   *
   * const pool = new ThreadPool({ size: 1 });
   * const g = pool.go<number>(new URL('./jobs.js', import.meta.url), 'square', [7], { killGraceMs: 200 });
   * console.log(await g.done); // 49
   * await pool.close();
   * ```
   */
  go<R = unknown>(
    module: string | URL,
    exportName: string,
    args: readonly unknown[] = [],
    options: ThreadOptions = {},
  ): ThreadGoroutine<R> {
    const spec = validateRun('ThreadPool.go', module, exportName, args, options);
    if (options.resourceLimits !== undefined) {
      throw new TypeError('ThreadPool.go: resourceLimits belong to the pool (ThreadPoolOptions)');
    }
    if (this.closing !== null) throw new PoolClosedError();
    const g = new ThreadGoroutineHandle(new ThreadRun<R>(spec, this.source)) as ThreadGoroutine<R>;
    this.runs.add(g as ThreadGoroutine<unknown>);
    const forget = (): void => void this.runs.delete(g as ThreadGoroutine<unknown>);
    g.done.then(forget, forget);
    return g;
  }

  private acquire(signal: AbortSignal): Promise<ThreadHandle> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.closing !== null) return Promise.reject(new PoolClosedError());
    const h = this.idle.pop();
    if (h !== undefined) {
      this.wake(h);
      return Promise.resolve(h);
    }
    if (this.threads.size < this.size) return Promise.resolve(this.spawn());
    return new Promise<ThreadHandle>((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiting.indexOf(w);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', w.onAbort, { once: true });
      this.waiting.push(w);
    });
  }

  private spawn(): ThreadHandle {
    const h = new ThreadHandle(this.resourceLimits, this.threadName);
    this.threads.add(h);
    // A thread that dies while idle (an uncaught error in a stray timer) leaves the pool.
    void h.exited.then(() => {
      this.threads.delete(h);
      const i = this.idle.indexOf(h);
      if (i >= 0) this.idle.splice(i, 1);
      this.clearIdleTimer(h);
      this.serveWaiters();
    });
    return h;
  }

  private async release(h: ThreadHandle, reusable: boolean): Promise<void> {
    if (!reusable || h.dead || h.terminating) {
      // Replaced on demand: the next waiter gets a new thread once this one has exited.
      await h.terminate();
      return;
    }
    const w = this.nextWaiter();
    if (w !== undefined) {
      w.resolve(h);
      return;
    }
    if (this.closing !== null) {
      await h.terminate();
      return;
    }
    h.unref();
    this.idle.push(h);
    if (this.idleTimeoutMs !== Infinity) {
      const t = setTimeout(() => {
        this.idleTimers.delete(h);
        const i = this.idle.indexOf(h);
        if (i >= 0) {
          this.idle.splice(i, 1);
          void h.terminate();
        }
      }, this.idleTimeoutMs);
      t.unref();
      this.idleTimers.set(h, t);
    }
  }

  private wake(h: ThreadHandle): void {
    this.clearIdleTimer(h);
    h.ref();
  }

  private clearIdleTimer(h: ThreadHandle): void {
    const t = this.idleTimers.get(h);
    if (t !== undefined) {
      clearTimeout(t);
      this.idleTimers.delete(h);
    }
  }

  private nextWaiter(): Waiter | undefined {
    const w = this.waiting.shift();
    if (w !== undefined) w.signal.removeEventListener('abort', w.onAbort);
    return w;
  }

  private serveWaiters(): void {
    while (this.waiting.length > 0 && this.closing === null) {
      const h = this.idle.pop();
      if (h !== undefined) {
        this.wake(h);
        this.nextWaiter()!.resolve(h);
      } else if (this.threads.size < this.size) {
        this.nextWaiter()!.resolve(this.spawn());
      } else return;
    }
  }

  /**
   * Kills every goroutine of the pool (queued ones never start; running ones get the two-step
   * kill) and ends every thread. Resolves when all threads have exited. Idempotent.
   *
   * @example
   * ```ts
   * import { ThreadPool } from 'gorx/threads';
   *
   * const pool = new ThreadPool();
   * process.once('SIGTERM', () => void pool.close());
   * ```
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const kills = [...this.runs].map((g) => g.kill(new PoolClosedError()));
    await Promise.all(kills);
    for (const h of this.idle.splice(0)) {
      this.clearIdleTimer(h);
      void h.terminate();
    }
    await Promise.all([...this.threads].map((h) => h.terminate()));
  }
}

/**
 * `ThreadPool.go` after `close()`, and the kill reason of the goroutines a `close()` ended.
 *
 * @example
 * ```ts
 * import { PoolClosedError, ThreadPool } from 'gorx/threads';
 *
 * const pool = new ThreadPool({ size: 1 });
 * await pool.close();
 * try {
 *   pool.go(new URL('./jobs.js', import.meta.url), 'square', [2]);
 * } catch (e) {
 *   console.log(e instanceof PoolClosedError); // true
 * }
 * ```
 */
export class PoolClosedError extends GorxError {
  constructor() {
    super('ERR_POOL_CLOSED', 'thread pool is closed');
  }
}
