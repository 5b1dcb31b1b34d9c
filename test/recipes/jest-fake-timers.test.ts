// Recipe (docs/testing.md): Jest fake timers drive gorx time with Jest's documented API.
import { afterEach, beforeEach, expect, it, jest } from '@jest/globals';
import { TimeoutError, go, sleep, ticker, timeout } from 'gorx';

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

it('a ticker, a sleep and a timeout follow the fake clock', async () => {
  const start = Date.now();
  const t = ticker(100);
  const seen: number[] = [];
  const g = go(async (ctx) => {
    for (let i = 0; i < 3; i++) seen.push((await t.c.recv(ctx)) - start);
    t.stop();
  });
  await jest.advanceTimersByTimeAsync(300); // runs timers in order, promises in between
  await g.done;
  expect(seen).toEqual([100, 200, 300]);

  const slow = timeout(50, (signal) => sleep(1_000, { signal }));
  const check = expect(slow).rejects.toBeInstanceOf(TimeoutError);
  await jest.advanceTimersByTimeAsync(50);
  await check;
  expect(jest.getTimerCount()).toBe(0); // nothing left armed
});
