// Recipe (docs/testing.md): Vitest fake timers drive gorx time with Vitest's documented API.
import { TimeoutError, go, sleep, ticker, timeout } from 'gorx';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

it('a ticker, a sleep and a timeout follow the fake clock', async () => {
  const start = Date.now();
  const t = ticker(100);
  const seen: number[] = [];
  const g = go(async (ctx) => {
    for (let i = 0; i < 3; i++) seen.push((await t.c.recv(ctx)) - start);
    t.stop();
  });
  await vi.advanceTimersByTimeAsync(300); // runs timers in order, promises in between
  await g.done;
  expect(seen).toEqual([100, 200, 300]);

  const slow = timeout(50, (signal) => sleep(1_000, { signal }));
  const check = expect(slow).rejects.toBeInstanceOf(TimeoutError);
  await vi.advanceTimersByTimeAsync(50);
  await check;
  expect(vi.getTimerCount()).toBe(0); // nothing left armed
});
