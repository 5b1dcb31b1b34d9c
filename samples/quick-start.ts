// The README's quick start, kept runnable: a goroutine producing on a channel, `for await` over
// it, a worker pool with results, and `select` with a timeout.
import { after, chan, go, recv, select, type RecvChan, type SendChan } from 'gorx';

// A goroutine sends three jobs on an unbuffered channel, then closes it.
const jobs = chan<string>();
go(async () => {
  for (const job of ['build', 'test', 'deploy']) await jobs.send(job);
  jobs.close();
});

// `for await` receives until the channel is closed and drained.
for await (const job of jobs) console.log('job', job);

// Direction types say who may send and who may receive (and close).
async function square(input: RecvChan<number>, output: SendChan<number>): Promise<void> {
  for await (const n of input) await output.send(n * n);
  output.close();
}
const numbers = chan<number>(3); // buffered: up to 3 sends complete without a receiver
const squares = chan<number>();
go(() => square(numbers, squares));
for (const n of [1, 2, 3]) await numbers.send(n);
numbers.close();
for await (const sq of squares) console.log('square', sq);

// `select` performs whichever case is ready first; `after(ms)` makes a timeout case.
const replies = chan<string>();
const r = await select([recv(replies), recv(after(20))]);
console.log(r.index === 0 ? `reply: ${r.value}` : 'no reply within 20 ms');
