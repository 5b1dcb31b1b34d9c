// Go's select inside RxJS pipelines with select$: one select per subscription, and a select
// that loses (to a timeout, to takeUntil, to a faster case) never takes or gives a value.
import { after, chan, recv, send } from 'gorx';
import { select$ } from 'gorx/rxjs';
import { firstValueFrom, lastValueFrom, map, race, repeat, takeWhile, timer, toArray } from 'rxjs';

const jobs = chan<string>(10, { name: 'jobs' });
const quit = chan<void>();

// 1. select as race: a receive against an RxJS timer. The timer wins; the select is withdrawn.
const first = await firstValueFrom(
  race(
    select$([recv(jobs)]).pipe(map((r) => `job ${r.value}`)),
    timer(20).pipe(map(() => 'no job within 20 ms')),
  ),
);
console.log(first);
jobs.trySend('resize-1');
console.log(`queued after the race: ${jobs.length}`); // the losing select took nothing

// 2. A worker loop as a pipeline: each repeat() is a fresh select over jobs and quit.
for (const j of ['resize-2', 'resize-3']) jobs.trySend(j);
const worked = lastValueFrom(
  select$([recv(jobs), recv(quit)]).pipe(
    repeat(),
    takeWhile((r) => r.index === 0), // quit closed: leave the loop
    map((r) => r.value),
    toArray(),
  ),
);
setTimeout(() => quit.close(), 10);
console.log('worker handled', await worked);

// 3. A send case with a deadline: offer a result, give up after 15 ms if nobody takes it.
const results = chan<string>();
const offer = (value: string) =>
  firstValueFrom(
    select$([send(results, value), recv(after(15))]).pipe(
      map((r) => (r.index === 0 ? `${value} delivered` : `${value} not taken`)),
    ),
  );
console.log(await offer('report-1'));
const taker = results.recv();
console.log(await offer('report-2'), '/ taker got', await taker);
