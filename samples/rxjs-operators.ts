// RxJS operators backed by goroutines, and channels as Observables (and back).
import { chan, sleep, SupersededError } from 'gorx';
import { ChannelOverflowError, fromChannel, mergeGo, switchGo, toChannel } from 'gorx/rxjs';
import { Subject, from, interval, lastValueFrom, range, take, toArray } from 'rxjs';

// 1. switchGo: search as you type. A newer query kills the running search; its `finally`
//    (releasing the connection) has finished before the next search starts.
console.log('-- switchGo');
const queries = new Subject<string>();
const answers = lastValueFrom(
  queries.pipe(
    switchGo(async (q, ctx) => {
      console.log(`search "${q}" started`);
      try {
        await sleep(50, { signal: ctx.signal });
        return `${q.length} hits for "${q}"`;
      } catch (e) {
        if (e instanceof SupersededError) console.log(`search "${q}" superseded`);
        throw e;
      } finally {
        console.log(`search "${q}" released its connection`);
      }
    }),
    toArray(),
  ),
);
queries.next('g');
await sleep(10);
queries.next('go');
await sleep(10);
queries.next('gor');
await sleep(100);
queries.next('gorx');
queries.complete();
console.log(await answers);

// 2. mergeGo: a pool of two goroutines; results come out as they finish.
console.log('-- mergeGo');
const finished = await lastValueFrom(
  from([80, 10, 20]).pipe(
    mergeGo(
      async (ms, ctx) => {
        await sleep(ms, { signal: ctx.signal });
        return `${ms} ms job`;
      },
      { concurrency: 2 },
    ),
    toArray(),
  ),
);
console.log(finished);

// 3. fromChannel: values are taken one at a time, so take(2) leaves the rest in the channel.
console.log('-- fromChannel');
const jobs = chan<string>(5);
for (const j of ['a', 'b', 'c', 'd', 'e']) jobs.trySend(j);
console.log(await lastValueFrom(fromChannel(jobs).pipe(take(2), toArray())));
console.log(`still queued: ${jobs.length}`);

// 4. toChannel: an Observable consumed with `for await`, subscribed on the first receive.
console.log('-- toChannel');
for await (const tick of toChannel(interval(10).pipe(take(3)))) console.log(`tick ${tick}`);

// The default overflow is 'error': a source that outruns its receivers fails loudly.
let received = 0;
try {
  for await (const _ of toChannel(range(1, 5000), { capacity: 100 })) received++;
} catch (e) {
  if (e instanceof ChannelOverflowError) console.log(`${received} received, then ${e.code}`);
}
