// Thread module of samples/threads-*.ts: each export runs on a worker thread as a goroutine.
import { sleep, type Chan } from 'gorx';
import type { ThreadContext } from 'gorx/threads';

/** CPU work: sums the primes below `n`, reporting progress in quarters. */
export async function sumOfPrimes(
  ctx: ThreadContext,
  n: number,
  progress: Chan<number>,
): Promise<number> {
  let sum = 0;
  let nextReport = n / 4;
  for (let i = 2; i < n; i++) {
    let prime = true;
    for (let d = 2; d * d <= i; d++) {
      if (i % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) sum += i;
    ctx.heartbeat();
    if (i >= nextReport) {
      await progress.send(Math.round((100 * nextReport) / n));
      nextReport += n / 4;
    }
  }
  await progress.send(100);
  progress.close();
  return sum;
}

/** Synchronous code that never yields: only a terminate can stop it. */
export async function hang(_ctx: ThreadContext, started: Chan<string>): Promise<void> {
  await started.send('hanging in a synchronous loop');
  for (;;) {
    // a regex gone quadratic, a JSON.parse of 200 MB...
  }
}

/** Cooperative: waits on its signal, so the first step of a kill stops it and finally runs. */
export async function polite(ctx: ThreadContext, log: Chan<string>): Promise<void> {
  try {
    await log.send('polite: working');
    await sleep(60_000, { signal: ctx.signal });
  } finally {
    await log.send('polite: cleaned up in finally');
  }
}

export async function square(_ctx: ThreadContext, n: number): Promise<number> {
  return n * n;
}

export async function fail(_ctx: ThreadContext): Promise<never> {
  const e = new RangeError('width must be positive', { cause: new Error('width = -1') });
  Object.assign(e, { code: 'E_WIDTH' });
  throw e;
}
