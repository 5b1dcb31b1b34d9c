// Bounding how long to wait: a select with an `after` case, and the `timeout` helper.
// Port of Go by Example "Timeouts" (https://gobyexample.com/timeouts), durations scaled to ms.
import { after, chan, go, recv, select, sleep, timeout, TimeoutError } from 'gorx';

// The result arrives after 40 ms. Buffered, so the late send still completes when nobody is
// listening any more (with an unbuffered channel the goroutine would block forever).
const c1 = chan<string>(1);
go(async () => {
  await sleep(40);
  await c1.send('result 1');
});

const r1 = await select([recv(c1), recv(after(20))]);
console.log(r1.index === 0 ? r1.value : 'timeout 1');

// With a longer deadline (60 ms) the 20 ms result wins.
const c2 = chan<string>(1);
go(async () => {
  await sleep(20);
  await c2.send('result 2');
});

const r2 = await select([recv(c2), recv(after(60))]);
console.log(r2.index === 0 ? r2.value : 'timeout 2');

// The same deadline with `timeout`: on expiry the signal is aborted, which withdraws the receive
// (no value is taken after we gave up), and the call rejects with a TimeoutError.
const c3 = chan<string>(1);
try {
  console.log(await timeout(20, (signal) => c3.recv({ signal })));
} catch (e) {
  if (!(e instanceof TimeoutError)) throw e;
  console.log(`timeout 3 (after ${e.ms} ms)`);
}
