// Slow asynchronous work on channel values from RxJS, without losing a value and with
// backpressure: fromChannelGo receives the next job only when a worker slot is free, so the
// producer waits on `send` instead of running ahead, and take(n) leaves the rest in the channel.
// Compare with fromChannel + concatMap, which takes every value at once and drops what it
// buffered when take(n) unsubscribes.
import { chan, go, sleep } from 'gorx';
import { fromChannel, fromChannelGo } from 'gorx/rxjs';
import { concatMap, delay, lastValueFrom, of, take, toArray } from 'rxjs';

const jobs = chan<number>(2, { name: 'jobs' });
let sent = 0;
const producer = go(
  async (ctx) => {
    for (let i = 1; i <= 20; i++) {
      await jobs.send(i, ctx);
      sent = i;
    }
    jobs.close();
  },
  { name: 'producer' },
);

// 1. fromChannelGo: two workers, each job takes 10 ms; stop after 4 results.
console.log('-- fromChannelGo, concurrency 2, take(4)');
const results = await lastValueFrom(
  fromChannelGo(
    jobs,
    async (n, ctx) => {
      try {
        await sleep(10, ctx);
        return `job ${n} done (producer has sent ${sent})`;
      } finally {
        // A run still going when take(4) unsubscribes is killed: its job is this code's to keep.
        if (ctx.signal.aborted) console.log(`job ${n} stopped by the unsubscribe`);
      }
    },
    { concurrency: 2 },
  ).pipe(take(4), toArray()),
);
for (const r of results) console.log(r);
console.log(`still in the channel: ${jobs.length}, next is ${await jobs.recv()}`);

// 2. The same with fromChannel + concatMap: the operator takes what the channel holds at once
//    and take(2) drops the values it had buffered.
console.log('-- fromChannel + concatMap, take(2)');
const got = await lastValueFrom(
  fromChannel(jobs).pipe(
    concatMap((n) => of(n).pipe(delay(10))),
    take(2),
    toArray(),
  ),
);
const left: number[] = [];
for (let r = jobs.tryRecv(); r.ok; r = jobs.tryRecv()) left.push(r.value);
const lost: number[] = [];
for (let n = got.at(-1)! + 1; n <= sent; n++) if (!left.includes(n)) lost.push(n);
console.log(`got ${got.join(', ')}; lost in concatMap's buffer: ${lost.join(', ')}`);
await producer.kill();
