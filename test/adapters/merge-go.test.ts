// mergeGo (API.md section 7): a goroutine pool over the values; unsubscribing kills them all.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Subject, range, take } from 'rxjs';
import { type GoroutineExit, goroutines, sleep } from 'gorx';
import { mergeGo } from 'gorx/rxjs';
import { expectNothingLeft, flush } from '../helpers/leaks.js';
import { cold, record } from './marbles.js';

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  expectNothingLeft();
  jest.useRealTimers();
});

const delayed = async (ms: number, ctx: { signal: AbortSignal }) => {
  await sleep(ms, { signal: ctx.signal });
  return ms;
};

describe('mergeGo', () => {
  it('marbles: results are emitted in completion order; completion waits for every goroutine', async () => {
    const r = record(cold('(abc|)', { a: 3, b: 1, c: 2 }).pipe(mergeGo(delayed)));
    await r.expect(5, '-bc(a|)', { a: 3, b: 1, c: 2 });
  });

  it('marbles: concurrency 1 runs one goroutine at a time, buffering the rest in order', async () => {
    const r = record(
      cold('(abc|)', { a: 3, b: 1, c: 2 }).pipe(mergeGo(delayed, { concurrency: 1 })),
    );
    await r.expect(10, '---ab-(c|)', { a: 3, b: 1, c: 2 });
  });

  it('never runs more than `concurrency` goroutines at once', async () => {
    let now = 0;
    let peak = 0;
    const seen: number[] = [];
    range(0, 20)
      .pipe(
        mergeGo(
          async (n, ctx) => {
            peak = Math.max(peak, ++now);
            try {
              await sleep(1 + (n % 3), { signal: ctx.signal });
              return n;
            } finally {
              now--;
            }
          },
          { concurrency: 3 },
        ),
      )
      .subscribe((n) => seen.push(n));
    await jest.advanceTimersByTimeAsync(30);
    expect(peak).toBe(3);
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  });

  it('unsubscribing kills every running goroutine and drops the buffered values', async () => {
    const started: number[] = [];
    const exits: unknown[] = [];
    const sub = range(0, 5)
      .pipe(
        mergeGo(
          async (n, ctx) => {
            started.push(n);
            await sleep(100, { signal: ctx.signal }).catch((e: unknown) => {
              exits.push((e as GoroutineExit).reason);
              throw e;
            });
          },
          { concurrency: 2 },
        ),
      )
      .subscribe();
    expect(goroutines()).toHaveLength(2);
    sub.unsubscribe();
    await flush();
    expect(started).toEqual([0, 1]);
    expect(exits).toEqual(['unsubscribed', 'unsubscribed']);
  });

  it('an error in one goroutine errors the output and kills the others', async () => {
    const boom = new Error('boom');
    const r = record(
      cold('(ab)', { a: 1, b: 50 }).pipe(
        mergeGo(async (ms: number, ctx) => {
          await sleep(ms, { signal: ctx.signal });
          if (ms === 1) throw boom;
          return ms;
        }),
      ),
    );
    await r.expect(60, '-#', undefined, boom);
  });

  it('a source error errors the output and kills the running goroutines', async () => {
    const r = record(cold('a-#', { a: 50 }, 'bad source').pipe(mergeGo(delayed)));
    await r.expect(60, '--#', undefined, 'bad source');
  });

  it('take(2) completes after two results and kills the rest', async () => {
    const r = record(cold('(abc)', { a: 1, b: 2, c: 30 }).pipe(mergeGo(delayed), take(2)));
    await r.expect(40, '-a(b|)', { a: 1, b: 2 });
  });

  it('generator goroutines are stopped at their yield by an unsubscribe', async () => {
    const log: string[] = [];
    const src = new Subject<number>();
    const sub = src
      .pipe(
        mergeGo(function* (n: number) {
          try {
            yield sleep(100);
            return n;
          } finally {
            log.push(`finally ${n}`);
          }
        }),
      )
      .subscribe();
    src.next(1);
    src.next(2);
    sub.unsubscribe();
    await flush();
    expect(log).toEqual(['finally 1', 'finally 2']);
    jest.clearAllTimers(); // the sleeps a generator cannot cancel
  });

  it('validates concurrency', () => {
    for (const c of [0, -1, 1.5, NaN]) {
      expect(() => mergeGo(delayed, { concurrency: c })).toThrow(RangeError);
    }
  });
});
