// A ticker delivers a value at a regular interval until it is stopped.
// Port of Go by Example "Tickers" (https://gobyexample.com/tickers), durations scaled to ms.
// The original prints tick times; here we print tick numbers so the output is stable.
import { chan, go, recv, select, sleep, ticker } from 'gorx';

// `for await` over the ticker's channel: take exactly three ticks, then stop it.
const t = ticker(10);
let n = 0;
for await (const _at of t.c) {
  console.log('Tick', ++n);
  if (n === 3) break;
}
t.stop();
// A stopped ticker sends nothing more (its channel is not closed, as in Go).
await sleep(30);
console.log('ticks after stop:', t.c.length);

// Go's shape: a goroutine serves ticks in a select loop until told to stop on `done`.
const t2 = ticker(10);
const done = chan<boolean>();
const worker = go(async () => {
  let ticks = 0;
  for (;;) {
    const r = await select([recv(done), recv(t2.c)]);
    if (r.index === 0) return ticks;
    ticks++; // a real worker would do its periodic job here
  }
});

await sleep(55);
t2.stop();
await done.send(true);
// How many ticks fit in 55 ms depends on the machine's load: only say that there were some.
console.log('Ticker stopped;', (await worker.done) > 0 ? 'the worker ticked' : 'no ticks');
