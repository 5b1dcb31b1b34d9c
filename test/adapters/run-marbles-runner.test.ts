// runMarbles as a test runner: failures, flush, what it changes and restores, misuse.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { VirtualTimeScheduler } from 'rxjs';
import { timeoutProvider } from 'rxjs/internal/scheduler/timeoutProvider';
import { dateTimestampProvider } from 'rxjs/internal/scheduler/dateTimestampProvider';
import { type Goroutine, go, sleep } from 'gorx';
import { runMarbles, switchGo } from 'gorx/rxjs';
import { expectNothingLeft } from '../helpers/leaks.js';

let scheduler: TestScheduler;
beforeEach(() => {
  jest.useFakeTimers();
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});
afterEach(() => {
  expectNothingLeft();
  jest.useRealTimers();
});

/** Asserts that nothing runMarbles installs is still installed. */
function expectRestored(): void {
  expect(timeoutProvider.delegate).toBeUndefined();
  expect(dateTimestampProvider.delegate).toBeUndefined();
  expect(TestScheduler.frameTimeFactor).toBe(10);
  expect(scheduler.maxFrames).toBe(750);
  // gorx time is back on the global (here Jest's fake) timers.
  const before = jest.getTimerCount();
  const p = sleep(1);
  expect(jest.getTimerCount()).toBe(before + 1);
  jest.advanceTimersByTime(1);
  return void p;
}

describe('runMarbles reports and restores', () => {
  it("a wrong expectation rejects with the scheduler's assertion error", async () => {
    const run = runMarbles(scheduler, ({ cold, expectObservable }) => {
      const results = cold('a|').pipe(
        switchGo(async (v: string, ctx) => {
          await sleep(2, ctx);
          return v;
        }),
      );
      expectObservable(results).toBe('-(a|)'); // it is at frame 2
    });
    await expect(run).rejects.toThrow(/"frame": 2/);
    await expect(run).rejects.toHaveProperty('matcherResult'); // Jest's own assertion error
    expectRestored();
  });

  it('a callback that throws rejects with its error, drops what is scheduled and restores everything', async () => {
    let g: Goroutine<void> | null = null;
    const run = runMarbles(scheduler, ({ cold }) => {
      g = go(function* () {
        yield sleep(5); // armed on the virtual clock: never fires now
      });
      cold('--a').subscribe();
      expect(timeoutProvider.delegate).toBeDefined();
      throw new Error('broken test');
    });
    await expect(run).rejects.toThrow('broken test');
    expect(scheduler.actions).toEqual([]);
    expectRestored();
    await g!.kill(); // as documented: end what waits on virtual time yourself
  });

  it('a flush() the callback did not await, then a throw: the flush ends quietly before anything is restored', async () => {
    let runModeAfterStep: boolean | null = null;
    let flushed: Promise<void> | null = null;
    const run = runMarbles(scheduler, async ({ cold, expectObservable, flush }) => {
      expectObservable(cold('--a|')).toBe('--a|');
      flushed = flush().then(() => {
        runModeAfterStep = (scheduler as unknown as { runMode: boolean }).runMode;
      });
      await Promise.resolve();
      throw new Error('broken test');
    });
    await expect(run).rejects.toThrow('broken test');
    // The unawaited flush finished inside the run (still in run mode), checking nothing.
    expect(runModeAfterStep).toBe(true);
    await expect(flushed).resolves.toBeUndefined();
    expectRestored();
  });

  it('RxJS and gorx timers are virtual inside the run and back on the global timers after it', async () => {
    const seen: number[] = [];
    await runMarbles(scheduler, () => {
      timer(7).subscribe(() => seen.push(scheduler.now()));
      expect(jest.getTimerCount()).toBe(0);
    });
    expect(seen).toEqual([7]);
    const sub = timer(7).subscribe();
    expect(jest.getTimerCount()).toBe(1);
    sub.unsubscribe();
    expectRestored(); // gorx time too
  });

  it('resolves with what the (async) callback returned', async () => {
    await expect(runMarbles(scheduler, async () => 42)).resolves.toBe(42);
  });
});

describe('runMarbles flush', () => {
  it('await flush() runs virtual time to the end and checks the expectations made so far', async () => {
    const log: string[] = [];
    await runMarbles(scheduler, async ({ cold, expectObservable, flush }) => {
      const results = cold('ab|').pipe(
        switchGo(function* (v: string) {
          try {
            yield sleep(3);
            return v;
          } finally {
            log.push(`${scheduler.now()}: ${v}`);
          }
        }),
      );
      expectObservable(results).toBe('----(b|)');
      await flush();
      expect(log).toEqual(['1: a', '4: b']);
      // Time goes on from where it stopped (frame 4); as in TestScheduler.run, expectations made
      // after a flush count frames from 0, not from the flush.
      expectObservable(cold('c|').pipe(switchGo(async (v: string) => v))).toBe('----c|');
    });
  });

  it('a wrong expectation fails at the flush that checks it', async () => {
    const reached: string[] = [];
    const run = runMarbles(scheduler, async ({ cold, expectObservable, flush }) => {
      expectObservable(cold('a|')).toBe('b|');
      await flush();
      reached.push('after flush');
    });
    await expect(run).rejects.toThrow(/"value": "a"/);
    expect(reached).toEqual([]);
    expectRestored();
  });
});

describe('runMarbles and TestScheduler subclasses', () => {
  it("a subclass of TestScheduler works: run mode is set on TestScheduler's own frameTimeFactor", async () => {
    class MyScheduler extends TestScheduler {}
    const mine = new MyScheduler((actual, expected) => expect(actual).toEqual(expected));
    await runMarbles(mine, ({ cold, expectObservable }) => {
      expect(TestScheduler.frameTimeFactor).toBe(1);
      const results = cold('a|').pipe(
        switchGo(async (v: string, ctx) => {
          await sleep(2, ctx);
          return v;
        }),
      );
      expectObservable(results).toBe('--(a|)');
    });
    expect(TestScheduler.frameTimeFactor).toBe(10);
    expect(Object.hasOwn(MyScheduler, 'frameTimeFactor')).toBe(false);
  });
});

describe('runMarbles misuse', () => {
  it('a second run while one is in progress rejects; the first is not disturbed', async () => {
    const other = new TestScheduler(() => {});
    let second: Promise<unknown> | null = null;
    await runMarbles(scheduler, ({ cold, expectObservable }) => {
      second = runMarbles(other, () => {}).catch((e: unknown) => e);
      expectObservable(cold('a|')).toBe('a|');
    });
    expect(await second).toEqual(
      expect.objectContaining({ message: expect.stringMatching(/already in progress/) }),
    );
    expectRestored();
  });

  it('inside TestScheduler.run it rejects', async () => {
    let inner: Promise<unknown> | null = null;
    scheduler.run(() => {
      inner = runMarbles(scheduler, () => {}).catch((e: unknown) => e);
    });
    expect(await inner).toEqual(
      expect.objectContaining({ message: expect.stringMatching(/already in progress/) }),
    );
  });

  it.each([
    ['null', null, /got null/],
    ['a VirtualTimeScheduler', new VirtualTimeScheduler(), /got object/],
  ])('a scheduler that is not a TestScheduler (%s) is a TypeError', async (_, bad, message) => {
    const run = runMarbles(bad as unknown as TestScheduler, () => {});
    await expect(run).rejects.toThrow(TypeError);
    await expect(run).rejects.toThrow(message);
    expectRestored();
  });

  it('a callback that is not a function is a TypeError', async () => {
    await expect(runMarbles(scheduler, 'go' as unknown as () => void)).rejects.toThrow(
      'runMarbles: callback must be a function, got string',
    );
    expectRestored();
  });
});
