// runMarbles: marble tests of goroutine operators and gorx time on the TestScheduler's clock.
import { setImmediate as realSetImmediate } from 'node:timers';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Observable, catchError, delay, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  TimeoutError,
  after,
  chan,
  go,
  recv,
  select,
  sleep,
  ticker,
  timeout,
  type GoContext,
} from 'gorx';
import { mergeGo, runMarbles, switchGo } from 'gorx/rxjs';
import { expectNothingLeft } from '../helpers/leaks.js';

let scheduler: TestScheduler;
beforeEach(() => {
  // Jest's fake timers stay on to show that runMarbles neither needs nor is stalled by them.
  jest.useFakeTimers();
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});
afterEach(() => {
  expect(scheduler.actions).toEqual([]); // virtual time ran out
  expectNothingLeft(); // no goroutine, parked operation or (fake) timer left
  jest.useRealTimers();
});

/** An Observable of what a goroutine sends on `out`: the goroutine is killed on unsubscribe. */
function goObservable<T>(body: (out: (v: T) => void, ctx: GoContext) => Promise<void>) {
  return new Observable<T>((s) => {
    const g = go(async (ctx) => {
      await body((v) => s.next(v), ctx);
      s.complete();
    });
    g.done.catch((e: unknown) => s.error(e));
    return () => void g.kill();
  });
}

describe('switchGo under runMarbles', () => {
  it('a generator body sleeping in virtual time: a newer value kills it, the last result completes', async () => {
    await runMarbles(scheduler, ({ cold, expectObservable }) => {
      const results = cold('a-b-----c|').pipe(
        switchGo(function* (q: string, ctx) {
          yield sleep(3, ctx);
          return q.toUpperCase();
        }),
      );
      expectObservable(results).toBe('-----B-----(C|)', { B: 'B', C: 'C' });
    });
  });

  it("a superseded run's finally runs at the frame of the newer value, before the next run starts", async () => {
    const log: string[] = [];
    await runMarbles(scheduler, ({ cold, expectObservable }) => {
      const results = cold('a--b|').pipe(
        switchGo(async (v: string, ctx) => {
          log.push(`${scheduler.now()}: start ${v}`);
          try {
            await sleep(5, ctx);
            return v;
          } finally {
            log.push(`${scheduler.now()}: finally ${v}`);
          }
        }),
      );
      expectObservable(results).toBe('--------(b|)');
    });
    expect(log).toEqual(['0: start a', '3: finally a', '3: start b', '8: finally b']);
  });

  it('a finally that sleeps delays the next run by its own virtual time', async () => {
    await runMarbles(scheduler, ({ cold, expectObservable }) => {
      const results = cold('a-b|').pipe(
        switchGo(function* (v: string) {
          try {
            yield sleep(10);
            return v;
          } finally {
            yield sleep(4); // cleanup that takes time
          }
        }),
      );
      // a's cleanup ends at 2 + 4; b sleeps 6..16, then its own cleanup 16..20.
      expectObservable(results).toBe('--------------------(b|)');
    });
  });

  it('unsubscribing (an unsubscription marble) kills the running goroutine at that frame', async () => {
    const log: string[] = [];
    await runMarbles(scheduler, ({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a------b--');
      const results = source.pipe(
        switchGo(function* (v: string) {
          try {
            yield sleep(2);
            return v;
          } finally {
            log.push(`${scheduler.now()}: finally ${v}`);
          }
        }),
      );
      expectObservable(results, '^----!').toBe('---a--');
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
    expect(log).toEqual(['3: finally a']); // b never started: unsubscribed at 5
  });

  it('synchronous bodies (no await, no yield) emit at the frame of their value', async () => {
    await runMarbles(scheduler, ({ cold, expectObservable }) => {
      expectObservable(cold('-a-b|').pipe(switchGo(async (v: string) => v + v))).toBe('-x-y|', {
        x: 'aa',
        y: 'bb',
      });
      expectObservable(
        cold('-a-b|').pipe(
          // eslint-disable-next-line require-yield
          switchGo(function* (v: string) {
            return v.toUpperCase();
          }),
        ),
      ).toBe('-A-B|', { A: 'A', B: 'B' });
    });
  });

  it('RxJS time operators and gorx time share the virtual clock', async () => {
    await runMarbles(scheduler, ({ cold, expectObservable }) => {
      const results = cold('a|').pipe(
        delay(2),
        switchGo(async (v: string, ctx) => {
          await sleep(3, ctx);
          return v;
        }),
      );
      expectObservable(results).toBe('-----(a|)');
    });
  });

  it('an error thrown by the body errors the output at its frame', async () => {
    await runMarbles(scheduler, ({ cold, expectObservable }) => {
      const results = cold('a|').pipe(
        switchGo(async (v: string, ctx) => {
          await sleep(2, ctx);
          throw new Error(`bad ${v}`);
        }),
      );
      expectObservable(results).toBe('--#', undefined, new Error('bad a'));
    });
  });
});

describe('switchGo bodies with a ticker', () => {
  it('a superseded body stops its ticker in finally at the frame of the newer value', async () => {
    const log: string[] = [];
    await runMarbles(scheduler, ({ cold, expectObservable, time }) => {
      const period = time('--|'); // 2 frames
      const results = cold('a--b|').pipe(
        switchGo(function* (v: string, ctx) {
          const t = ticker(period);
          try {
            let n = 0;
            for (let i = 0; i < 2; i++) n += ((yield t.c.recv(ctx)) as number) > 0 ? 1 : 0;
            return `${v}${n}`;
          } finally {
            t.stop();
            log.push(`${scheduler.now()}: stopped ${v}`);
          }
        }),
      );
      // a ticks at 2, then b (at 3) kills it; b ticks at 5 and 7.
      expectObservable(results).toBe('-------(y|)', { y: 'b2' });
    });
    expect(log).toEqual(['3: stopped a', '7: stopped b']);
  });

  it('a body killed while ticking (unsubscribed) stops its ticker at that frame', async () => {
    const log: string[] = [];
    await runMarbles(scheduler, ({ cold, expectObservable }) => {
      const results = cold('a').pipe(
        switchGo(function* (v: string, ctx) {
          const t = ticker(1);
          try {
            for (;;) yield t.c.recv(ctx);
          } finally {
            t.stop();
            log.push(`${scheduler.now()}: stopped ${v}`);
          }
        }),
      );
      expectObservable(results, '^------!').toBe('-------');
    });
    expect(log).toEqual(['7: stopped a']);
  });
});

describe('mergeGo under runMarbles', () => {
  it('runs at most `concurrency` goroutines; results arrive in completion order', async () => {
    const durations: Record<string, number> = { a: 4, b: 1, c: 2 };
    await runMarbles(scheduler, ({ cold, expectObservable }) => {
      const results = cold('abc|').pipe(
        mergeGo(
          function* (v: string, ctx) {
            yield sleep(durations[v]!, ctx);
            return v;
          },
          { concurrency: 2 },
        ),
      );
      // a: 0..4; b: 1..2; c waits for b, then 2..4 (a was started first, so it is emitted first).
      expectObservable(results).toBe('--b-(ac|)');
    });
  });

  it('synchronous bodies emit at the frame of their value', async () => {
    await runMarbles(scheduler, ({ cold, expectObservable }) => {
      const results = cold('-a-b-c|').pipe(mergeGo(async (v: string) => v.toUpperCase()));
      expectObservable(results).toBe('-A-B-C|', { A: 'A', B: 'B', C: 'C' });
    });
  });

  it('unsubscribing kills every running goroutine at that frame', async () => {
    const ended: string[] = [];
    await runMarbles(scheduler, ({ cold, expectObservable }) => {
      const results = cold('ab|').pipe(
        mergeGo(function* (v: string) {
          try {
            yield sleep(10);
            return v;
          } finally {
            ended.push(`${scheduler.now()}: ${v}`);
          }
        }),
      );
      expectObservable(results, '---!').toBe('---');
    });
    expect(ended).toEqual(['3: a', '3: b']);
  });
});

describe('gorx time under runMarbles', () => {
  it('ticker ticks on frames and sends the virtual time', async () => {
    await runMarbles(scheduler, ({ expectObservable }) => {
      const ticks = goObservable<number>(async (out, ctx) => {
        const t = ticker(2);
        try {
          for (let i = 0; i < 3; i++) out(await t.c.recv(ctx));
        } finally {
          t.stop();
        }
      });
      expectObservable(ticks).toBe('--a-b-(c|)', { a: 2, b: 4, c: 6 });
    });
  });

  it('after wins a select at its frame unless a value comes first', async () => {
    await runMarbles(scheduler, ({ cold, expectObservable }) => {
      const race = (input: Observable<string>) =>
        goObservable<string>(async (out, ctx) => {
          const ch = chan<string>(1);
          const sub = input.subscribe((v) => ch.trySend(v));
          try {
            const r = await select([recv(ch), recv(after(3))], ctx);
            out(r.index === 0 ? `got ${String(r.value)}` : `timeout at ${String(r.value)}`);
          } finally {
            sub.unsubscribe();
          }
        });
      expectObservable(race(cold('-a'))).toBe('-(x|)', { x: 'got a' });
      expectObservable(race(cold('-----a'))).toBe('---(t|)', { t: 'timeout at 3' });
    });
  });

  it('timeout aborts the work at its deadline', async () => {
    await runMarbles(scheduler, ({ expectObservable }) => {
      const slow = goObservable<string>(async (out) => {
        out(await timeout(4, (signal) => sleep(10, { signal }).then(() => 'done')));
      }).pipe(catchError((e: unknown) => of(e instanceof TimeoutError ? 'timed out' : 'other')));
      const fast = goObservable<string>(async (out) => {
        out(await timeout(4, (signal) => sleep(1, { signal }).then(() => 'done')));
      });
      expectObservable(slow).toBe('----(t|)', { t: 'timed out' });
      expectObservable(fast).toBe('-(d|)', { d: 'done' });
    });
  });

  it('an async body awaiting non-gorx promises that need no timer keeps to its frame', async () => {
    await runMarbles(scheduler, ({ cold, expectObservable }) => {
      const results = cold('a|').pipe(
        switchGo(async (v: string, ctx) => {
          await new Promise((resolve) => realSetImmediate(resolve)); // a real macrotask turn
          await Promise.resolve();
          await sleep(1, ctx);
          await new Promise((resolve) => realSetImmediate(resolve));
          return v;
        }),
      );
      expectObservable(results).toBe('-(a|)');
    });
  });

  it('a body awaiting a timer that is not gorx time is not waited for (here a Jest fake setTimeout)', async () => {
    const output: string[] = [];
    await runMarbles(scheduler, ({ cold }) => {
      cold('a|')
        .pipe(
          switchGo(async (v: string) => {
            await new Promise((resolve) => setTimeout(resolve, 1));
            return v;
          }),
        )
        .subscribe((v) => output.push(`${scheduler.now()}: ${v}`));
    });
    expect(output).toEqual([]); // virtual time ran out without it
    await jest.advanceTimersByTimeAsync(1);
    expect(output).toEqual(['1: a']); // the run has ended: the frame is where virtual time stopped
  });

  it('work deferred by the starvation guard (over 4096 operations in a turn) settles within its frame', async () => {
    await runMarbles(scheduler, ({ cold, expectObservable }) => {
      const results = cold('-a|').pipe(
        switchGo(async (v: string, ctx) => {
          const ch = chan<number>(1);
          const producer = go(async (pctx) => {
            for (let i = 0; i < 10_000; i++) await ch.send(i, pctx);
          });
          let sum = 0;
          for (let i = 0; i < 10_000; i++) sum += await ch.recv(ctx);
          await producer.done;
          return `${v} ${sum}`;
        }),
      );
      expectObservable(results).toBe('-s|', { s: 'a 49995000' });
    });
  });
});
