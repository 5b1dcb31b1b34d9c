/**
 * `WorkerContext.thread`: a thread goroutine bound to a worker run. It is a child of the run's
 * goroutine (the run's kill reaches it first, and the run ends only after it ended, terminated
 * if need be), and its `ctx.heartbeat()` calls are the worker's heartbeats: the thread counts
 * them in shared memory, and a poller forwards a change of the count as one beat of the worker
 * (details are forwarded as they arrive).
 */
import type { GoContext } from 'gorx';
import { goThread, type ThreadGoroutine, type ThreadOptions } from 'gorx/threads';

/** What a worker run's context gives a thread: a parent goroutine and the run's heartbeat. */
export interface ThreadParent extends GoContext {
  heartbeat(details?: unknown): void;
}

/** How often the thread's heartbeat count is read (a shared-memory load). */
const POLL_MS = 50;

export function startWorkerThread<R>(
  ctx: ThreadParent,
  module: string | URL,
  exportName: string,
  args: readonly unknown[],
  options: Omit<ThreadOptions, 'parent' | 'pool'> & { pool?: ThreadOptions['pool'] },
): ThreadGoroutine<R> {
  const tg = goThread<R>(module, exportName, args, { ...options, parent: ctx });
  let seen = 0;
  tg.onHeartbeatDetails = (details) => {
    seen = tg.heartbeats;
    ctx.heartbeat(details);
  };
  const poll = setInterval(() => {
    const n = tg.heartbeats;
    if (n !== seen) {
      seen = n;
      ctx.heartbeat();
    }
  }, POLL_MS);
  poll.unref();
  const stop = (): void => clearInterval(poll);
  tg.done.then(stop, stop);
  return tg;
}
