// Thread module of the threads benchmarks (compiled to dist-aux/bench/threads/jobs.js).
import type { MessagePort } from 'node:worker_threads';
import { sleep, type Chan } from 'gorx';
import type { ThreadContext } from 'gorx/threads';

export async function empty(): Promise<number> {
  return 0;
}

/** Sends 0..n-1 into a bridged channel, then closes it. */
export async function produce(_ctx: ThreadContext, out: Chan<number>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await out.send(i);
  out.close();
}

/** Posts 0..n-1 on a raw MessagePort, one message per value or in arrays of `batch`. */
export async function produceRaw(
  _ctx: ThreadContext,
  port: MessagePort,
  n: number,
  batch: number,
): Promise<void> {
  if (batch <= 1) for (let i = 0; i < n; i++) port.postMessage(i);
  else {
    for (let i = 0; i < n; i += batch) {
      const a: number[] = [];
      for (let j = i; j < Math.min(n, i + batch); j++) a.push(j);
      port.postMessage(a);
    }
  }
  port.postMessage(null);
  port.close();
}

/** Unbuffered ping-pong over bridged channels. */
export async function pong(
  _ctx: ThreadContext,
  ping: Chan<number>,
  back: Chan<number>,
): Promise<void> {
  for await (const v of ping) await back.send(v);
}

/** Ping-pong over a raw MessagePort. */
export async function pongRaw(_ctx: ThreadContext, port: MessagePort): Promise<void> {
  await new Promise<void>((resolve) => {
    port.on('message', (v: number | null) => {
      if (v === null) {
        port.close();
        resolve();
      } else port.postMessage(v);
    });
  });
}

export async function waitForKill(ctx: ThreadContext, started: Chan<number>): Promise<void> {
  await started.send(1);
  await sleep(1e9, { signal: ctx.signal });
}

export async function spin(_ctx: ThreadContext, started: Chan<number>): Promise<void> {
  await started.send(1);
  for (;;) {
    // only a terminate ends this
  }
}
