// A timer fires once in the future; a timer that has not fired yet can be stopped.
// Port of Go by Example "Timers" (https://gobyexample.com/timers), durations scaled to ms.
import { after, go, sleep } from 'gorx';

// `after(ms)` is Go's `time.After` / `NewTimer(d).C`: a channel that receives once.
const timer1 = after(20);
await timer1.recv();
console.log('Timer 1 fired');

// A stoppable timer: a goroutine sleeping on its own signal. Aborting the controller (given as the
// goroutine's `signal`) kills it before the sleep ends, so "Timer 2 fired" is never printed.
const stop2 = new AbortController();
const timer2 = go(
  async (ctx) => {
    await sleep(10, { signal: ctx.signal });
    console.log('Timer 2 fired');
  },
  { signal: stop2.signal },
);
stop2.abort();
console.log('Timer 2 stopped');

// Give timer 2 more than enough time to fire, to show that it really was stopped.
await sleep(20);
console.log('timer 2 goroutine:', timer2.state);
