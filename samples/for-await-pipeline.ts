// A `for await` pipeline: an async generator becomes a channel (pulled with backpressure),
// goroutines connected by channels transform it, and `for await` consumes the result.
// Stopping early aborts the source, whose `finally` runs: nothing is left behind.
import { chan, go, goroutines, type RecvChan } from 'gorx';
import { fromAsyncIterable } from 'gorx/async-iterable';

// Stands in for a file or a socket read line by line.
async function* readLines(): AsyncGenerator<string> {
  try {
    for (const line of ['GET /a 200', 'GET /b 500', 'POST /c 201', 'GET /d 503', 'GET /e 200']) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      console.log(`  read: ${line}`);
      yield line;
    }
  } finally {
    console.log('  source closed');
  }
}

// A pipeline stage: a goroutine that receives until its input closes, then closes its output.
// `signal` stops it even while it waits to hand a value to a consumer that has gone away.
function parse(
  lines: RecvChan<string>,
  signal?: AbortSignal,
): RecvChan<{ path: string; status: number }> {
  const out = chan<{ path: string; status: number }>();
  go(
    async (ctx) => {
      try {
        for await (const line of lines) {
          const [, path, status] = line.split(' ');
          await out.send({ path: path!, status: Number(status) }, { signal: ctx.signal });
        }
        out.close();
      } catch (e) {
        out.close(e as Error);
      }
    },
    { name: 'parse', signal },
  );
  return out;
}

console.log('all requests:');
for await (const req of parse(fromAsyncIterable(readLines()))) {
  console.log(`${req.path} -> ${req.status}`);
}

console.log('until the first server error:');
const ac = new AbortController();
for await (const req of parse(fromAsyncIterable(readLines(), { signal: ac.signal }), ac.signal)) {
  if (req.status >= 500) {
    console.log(`first error at ${req.path}`);
    break;
  }
}
// `break` withdrew our receive; aborting stops the source and every stage. The line read ahead
// of the consumer (capacity 0: one value held by the pump's blocked send) is dropped.
ac.abort();
await new Promise((resolve) => setTimeout(resolve, 5));
console.log(`goroutines left: ${goroutines().length}`);
