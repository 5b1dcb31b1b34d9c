// Closing a channel tells its receivers that no more values will come.
// Port of Go by Example "Closing Channels" (https://gobyexample.com/closing-channels).
import { chan, go, recv, select } from 'gorx';

const jobs = chan<number>(5);
const done = chan<boolean>();

go(async () => {
  for (;;) {
    // Go's `j, more := <-jobs`: a one-case select reports `ok: false` once `jobs` is closed and
    // drained (a plain `recv()` would reject with ChannelClosedError instead).
    const r = await select([recv(jobs)]);
    if (r.ok) {
      console.log('received job', r.value);
    } else {
      console.log('received all jobs');
      await done.send(true);
      return;
    }
  }
});

for (let j = 1; j <= 3; j++) {
  await jobs.send(j);
  console.log('sent job', j);
}
jobs.close();
console.log('sent all jobs');

await done.recv();

// Receiving from a closed, drained channel never blocks: tryRecv reports no value, and `closed`.
const more = jobs.tryRecv();
console.log('received more jobs:', more.ok);
console.log('jobs closed and drained:', !more.ok && more.closed);
