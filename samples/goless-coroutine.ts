// A coroutine made of a goroutine and a channel: each receive resumes the counter for one value.
// Port of goless's examples/coroutine.py (https://github.com/rgalanakis/goless).
// The counter is a generator goroutine, so kill() stops it at its current `yield` whatever it
// waits on, and its `finally` block runs before kill() resolves.
import { chan, go, type RecvChan } from 'gorx';

function integers(): { resume: RecvChan<number>; stop: () => Promise<void> } {
  const yielder = chan<number>();
  const counter = go(function* () {
    let count = 0;
    try {
      for (;;) {
        yield yielder.send(count); // blocks until someone asks for the next integer
        count++;
      }
    } finally {
      console.log(`counter stopped (it was offering ${count})`);
    }
  });
  return { resume: yielder, stop: () => counter.kill() };
}

const { resume, stop } = integers();
const generateInteger = (): Promise<number> => resume.recv();

console.log(await generateInteger());
console.log(await generateInteger());
console.log(await generateInteger());

// goless leaves the counter blocked forever; here it is stopped. Its pending send is withdrawn:
// the 3 it was offering is never delivered to anyone.
await stop();
console.log('values left in the channel:', resume.length);
