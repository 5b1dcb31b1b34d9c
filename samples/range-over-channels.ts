// `for await` receives every value from a channel until it is closed and drained.
// Port of Go by Example "Range over Channels" (https://gobyexample.com/range-over-channels).
import { chan, go, range } from 'gorx';

const queue = chan<string>(2);
await queue.send('one');
await queue.send('two');
// A closed channel still delivers its buffered values; the loop ends after the last one.
queue.close();

for await (const elem of queue) {
  console.log(elem);
}

// `break` leaves the loop early and withdraws the pending receive, so no value is lost.
const numbers = chan<number>(Infinity);
for (let i = 1; i <= 5; i++) await numbers.send(i);
for await (const n of numbers) {
  console.log('took', n);
  if (n === 2) break;
}
console.log('still queued:', numbers.length);

// Inside a goroutine, `range(ch, ctx)` is the loop a kill can interrupt while it waits (a plain
// `for await` cannot take a signal). Passing `ctx` ties the receive to the goroutine.
const jobs = chan<string>();
const worker = go(async (ctx) => {
  try {
    for await (const job of range(jobs, ctx)) console.log('worker did', job);
  } finally {
    console.log('worker stopped');
  }
});
await jobs.send('build');
await worker.kill();
console.log('worker state:', worker.state);
