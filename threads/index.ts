/**
 * gorx/threads: goroutines on worker threads, channels bridged across threads, and a kill that
 * stops hung synchronous code.
 * @module
 */
export { goThread, type KillMode, type ThreadGoroutine, type ThreadOptions } from './go-thread.js';
export { PoolClosedError, ThreadPool, type ThreadPoolOptions } from './thread-pool.js';
export { ThreadExitError } from './errors.js';
export type { ThreadContext, ThreadFunction } from './context.js';
export { select, trySelect } from './select.js';
export type { BridgedSendOptions } from './internal/thread-bridge.js';
