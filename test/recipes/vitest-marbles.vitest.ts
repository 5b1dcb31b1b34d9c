// Recipe (docs/testing.md): a marble test of mergeGo in Vitest; fake timers may stay on meanwhile.
import { sleep } from 'gorx';
import { mergeGo, runMarbles } from 'gorx/rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

beforeEach(() => {
  vi.useFakeTimers(); // not needed by runMarbles, and not in its way
});
afterEach(() => {
  vi.useRealTimers();
});

it('mergeGo: two lookups at a time, results in completion order', async () => {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const costMs: Record<string, number> = { a: 4, b: 1, c: 2 };
  await runMarbles(scheduler, ({ cold, expectObservable }) => {
    const lookups = cold('abc|').pipe(
      mergeGo(
        async (key: string, ctx) => {
          await sleep(costMs[key]!, ctx);
          return key.toUpperCase();
        },
        { concurrency: 2 },
      ),
    );
    // b ends at 2 and lets c start (it waited); a and c both end at 4.
    expectObservable(lookups).toBe('--B-(AC|)', { A: 'A', B: 'B', C: 'C' });
  });
  expect(vi.getTimerCount()).toBe(0); // gorx time never touched the fake timers
});
