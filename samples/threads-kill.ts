// Goroutines on worker threads (gorx/threads): CPU work that reports progress over a channel,
// a kill that stops hung synchronous code, errors that keep their class, and a pool.
import { chan } from 'gorx';
import { goThread, ThreadPool } from 'gorx/threads';

const jobs = new URL('./threads/jobs.js', import.meta.url);

// 1. CPU-heavy work on a thread; the channel in the arguments arrives bridged.
const progress = chan<number>(4);
const job = goThread<number>(jobs, 'sumOfPrimes', [200_000, progress]);
for await (const p of progress) console.log(`progress ${p}%`);
console.log('sum of primes below 200000:', await job.done);
console.log('heartbeats seen through shared memory:', job.heartbeats > 0);

// 2. A cooperative kill: the thread's ctx.signal aborts and its finally runs.
const log = chan<string>(Infinity);
const polite = goThread(jobs, 'polite', [log]);
console.log(await log.recv());
await polite.kill();
console.log(await log.recv());
console.log('killMode:', polite.killMode);

// 3. Hung synchronous code: the cooperative step cannot reach it, so after killGraceMs the thread
//    is terminated (its finally blocks cannot run). The main event loop was never blocked.
const started = chan<string>(1);
const hung = goThread(jobs, 'hang', [started], { killGraceMs: 200 });
console.log(await started.recv());
await hung.kill();
console.log('killMode:', hung.killMode, '- state:', hung.state);

// 4. Errors cross with their class, code and cause.
const e = (await goThread(jobs, 'fail').done.catch((err: unknown) => err)) as RangeError & {
  code: string;
};
console.log(e instanceof RangeError, e.message, e.code, (e.cause as Error).message);

// 5. A pool: goroutines beyond its size wait in FIFO order.
const pool = new ThreadPool({ size: 2 });
const squares = await Promise.all(
  [1, 2, 3, 4, 5].map((n) => pool.go<number>(jobs, 'square', [n]).done),
);
console.log('squares:', squares.join(' '));
await pool.close();
