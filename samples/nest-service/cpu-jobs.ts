// Thread module of the sample service: CPU work that runs on a worker thread (ctx.thread), so
// the service's event loop keeps answering HTTP while it crunches, or while it hangs.
import type { ThreadContext } from 'gorx/threads';

/** Sums a slow series; beats every 100,000 steps (a shared-memory increment, no message). */
export async function crunch(ctx: ThreadContext, steps: number): Promise<number> {
  let acc = 0;
  for (let i = 1; i <= steps; i++) {
    acc = (acc + Math.sqrt(i) * Math.sin(i)) % 1_000_003;
    if (i % 100_000 === 0) ctx.heartbeat({ step: i });
  }
  return Math.round(acc);
}

/** A synchronous loop that never yields nor beats: only a terminate stops it. */
export async function hang(): Promise<never> {
  for (;;) {
    // a regex gone quadratic, a JSON.parse of 200 MB...
  }
}
