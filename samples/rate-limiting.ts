// Rate limiting with a ticker, and a bursty limiter built from a buffered channel of tokens.
// Port of Go by Example "Rate Limiting" (https://gobyexample.com/rate-limiting), durations in ms.
// The original prints times; here each request says whether it had to wait for a token.
import { chan, go, ticker } from 'gorx';

// Steady limiter: serve at most one request per 20 ms tick.
const requests = chan<number>(5);
for (let i = 1; i <= 5; i++) await requests.send(i);
requests.close();

const limiter = ticker(20);
for await (const req of requests) {
  await limiter.c.recv();
  console.log('request', req);
}
limiter.stop();

// Bursty limiter: up to 3 tokens may be saved up, refilled one per 20 ms tick.
const burstyLimiter = chan<number>(3);
for (let i = 0; i < 3; i++) await burstyLimiter.send(Date.now());

const refill = go(async (ctx) => {
  const tick = ticker(20);
  try {
    // Passing `ctx.signal` lets kill() interrupt the blocked receive or send.
    const { signal } = ctx;
    for (;;) {
      const t = await tick.c.recv({ signal });
      await burstyLimiter.send(t, { signal });
    }
  } finally {
    tick.stop();
  }
});

const burstyRequests = chan<number>(5);
for (let i = 1; i <= 5; i++) await burstyRequests.send(i);
burstyRequests.close();

for await (const req of burstyRequests) {
  // A saved token lets the request through at once; otherwise wait for the next tick.
  const token = burstyLimiter.tryRecv();
  if (!token.ok) await burstyLimiter.recv();
  console.log('request', req, token.ok ? '(burst)' : '(waited for a tick)');
}

// The refill loop never ends by itself: kill it (its finally stops the ticker).
await refill.kill();
