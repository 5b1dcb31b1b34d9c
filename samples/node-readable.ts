// Node streams and channels, both ways, with backpressure (docs/node-sources.md).
// Source: a Readable becomes a channel with fromAsyncIterable: the stream is read only as fast
// as the channel's receivers take values; aborting the signal destroys the stream.
// Sink: a channel is an async iterable, so stream.pipeline writes it into a Writable; a slow
// Writable makes the channel's senders wait.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { chan, go } from 'gorx';
import { fromAsyncIterable } from 'gorx/async-iterable';

// A source that counts what it produced (a file or a socket in real code).
let produced = 0;
const source = new Readable({
  objectMode: true,
  highWaterMark: 1,
  read() {
    produced++;
    this.push(produced <= 1_000 ? `line ${produced}` : null);
  },
});

const ac = new AbortController();
const lines = fromAsyncIterable<string>(source, { capacity: 2, signal: ac.signal });
const taken: string[] = [];
for await (const line of lines) {
  taken.push(line);
  if (taken.length === 3) break;
}
console.log(`took ${taken.join(', ')}`);
// The stream stays a few values ahead (its own buffer + the channel's 2), not 1000.
console.log(`read ahead at most 8: ${produced - taken.length <= 8}`);
ac.abort(); // releases the stream
await new Promise((resolve) => source.once('close', resolve));
console.log(`source destroyed: ${source.destroyed}`);

// Sink: a producer goroutine sends into a channel; pipeline drains it into a slow Writable.
const out = chan<string>(0, { name: 'out' });
const written: string[] = [];
let maxWaiting = 0;
const sink = new Writable({
  objectMode: true,
  highWaterMark: 1,
  write(chunk: string, _encoding, done) {
    written.push(chunk);
    setImmediate(done); // a slow destination
  },
});
const producer = go(async (ctx) => {
  for (let i = 1; i <= 5; i++) {
    maxWaiting = Math.max(maxWaiting, i - 1 - written.length);
    await out.send(`item ${i}`, ctx);
  }
  out.close();
});
await pipeline(out, sink);
await producer.done;
console.log(`wrote ${written.join(', ')}`);
console.log(`producer ran at most 3 ahead of the sink: ${maxWaiting <= 3}`);
