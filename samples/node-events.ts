// An EventEmitter to a channel (docs/node-sources.md): events.on() turns an emitter into an async
// iterable, fromAsyncIterable turns that into a channel. Aborting the signal removes the listener.
// An emitter cannot be slowed down: events.on() buffers what the receivers have not taken yet,
// unless the emitter can pause (a stream: give events.on a highWaterMark).
import { EventEmitter, on } from 'node:events';
import { go } from 'gorx';
import { fromAsyncIterable } from 'gorx/async-iterable';

const prices = new EventEmitter();
const ac = new AbortController();
// events.on yields the listener's arguments as an array: [symbol, price].
const ticks = fromAsyncIterable(on(prices, 'tick', { signal: ac.signal }), {
  capacity: 4,
  signal: ac.signal,
});

const feed = go(async () => {
  for (const [symbol, price] of [
    ['ACME', 10],
    ['ACME', 11],
    ['INIT', 7],
  ] as const) {
    prices.emit('tick', symbol, price);
    await new Promise((resolve) => setImmediate(resolve));
  }
});

for (let i = 0; i < 3; i++) {
  const [symbol, price] = (await ticks.recv()) as [string, number];
  console.log(`${symbol} ${price}`);
}
await feed.done;
console.log(`listeners before abort: ${prices.listenerCount('tick')}`);
ac.abort();
await new Promise((resolve) => setImmediate(resolve));
console.log(`listeners after abort: ${prices.listenerCount('tick')}`);
