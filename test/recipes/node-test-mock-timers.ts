// Recipe (docs/testing.md): node:test mock timers drive gorx time with node:test's documented API.
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { TimeoutError, go, sleep, ticker, timeout } from 'gorx';

/** Lets the promises that the last timers resolved run (setImmediate is not mocked here). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('a ticker, a sleep and a timeout follow the mock clock', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 0 });
  try {
    const t = ticker(100);
    const seen: number[] = [];
    const g = go(async (ctx) => {
      for (let i = 0; i < 3; i++) seen.push(await t.c.recv(ctx));
      t.stop();
    });
    // tick() fires timers synchronously, with no promise turn in between: advance one period at
    // a time and let the goroutine run after each (a ticker holds one tick, as in Go).
    for (let i = 0; i < 3; i++) {
      mock.timers.tick(100);
      await settle();
    }
    await g.done;
    assert.deepEqual(seen, [100, 200, 300]);

    const slow = timeout(50, (signal) => sleep(1_000, { signal }));
    mock.timers.tick(50);
    await assert.rejects(slow, TimeoutError);
  } finally {
    mock.timers.reset();
  }
});
