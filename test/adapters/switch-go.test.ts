// switchGo (API.md section 7): kill-on-supersede, cleanup before the next run, errors, completion.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Subject, take, takeUntil, timer } from 'rxjs';
import { GoroutineExit, SupersededError, chan, goroutines, sleep } from 'gorx';
import { fromChannel, switchGo } from 'gorx/rxjs';
import { expectNothingLeft, flush } from '../helpers/leaks.js';
import { cold, record } from './marbles.js';

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  expectNothingLeft();
  jest.useRealTimers();
});

/** A goroutine body that sleeps `ms` and returns the value upper-cased, logging its lifecycle. */
function work(log: string[], ms = 5) {
  return async (v: string, ctx: { signal: AbortSignal }) => {
    log.push(`start ${v}`);
    try {
      await sleep(ms, { signal: ctx.signal });
      return v.toUpperCase();
    } catch (e) {
      log.push(`${v} exit: ${(e as Error).constructor.name}`);
      throw e;
    } finally {
      log.push(`finally ${v}`);
    }
  };
}

describe('switchGo', () => {
  it('marbles: a newer value supersedes the running goroutine; completion waits for the last', async () => {
    const log: string[] = [];
    const r = record(cold('-a-b------c|').pipe(switchGo(work(log))));
    await r.expect(20, '--------B------(C|)', { B: 'B', C: 'C' });
    expect(log).toEqual([
      'start a',
      'a exit: SupersededError',
      'finally a',
      'start b',
      'finally b',
      'start c',
      'finally c',
    ]);
  });

  it('the superseded goroutine finishes its asynchronous finally before the next starts', async () => {
    const log: string[] = [];
    const src = new Subject<string>();
    const sub = src
      .pipe(
        switchGo(function* (v: string, ctx) {
          try {
            yield sleep(100, { signal: ctx.signal });
            return v;
          } finally {
            log.push(`cleanup ${v} begins`);
            yield sleep(10); // cleanup that takes time
            log.push(`cleanup ${v} ends`);
          }
        }),
      )
      .subscribe((v) => log.push(`emit ${v}`));
    src.next('a');
    await flush();
    src.next('b');
    await flush();
    expect(goroutines()).toHaveLength(1); // b has not started: a is still cleaning up
    await jest.advanceTimersByTimeAsync(10);
    expect(log).toEqual(['cleanup a begins', 'cleanup a ends']);
    await jest.advanceTimersByTimeAsync(110);
    expect(log.slice(2)).toEqual(['cleanup b begins', 'cleanup b ends', 'emit b']);
    sub.unsubscribe();
  });

  it('values arriving while a run cleans up replace each other: only the latest starts', async () => {
    const log: string[] = [];
    const src = new Subject<string>();
    const seen: string[] = [];
    src.pipe(switchGo(work(log))).subscribe((v) => seen.push(v));
    for (const v of ['a', 'b', 'c', 'd']) src.next(v);
    src.complete();
    await jest.advanceTimersByTimeAsync(10);
    expect(seen).toEqual(['D']);
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start a', 'start d']);
  });

  it('a synchronous firehose of 10,000 values starts only the first and the last', async () => {
    const log: string[] = [];
    const src = new Subject<string>();
    const seen: string[] = [];
    src.pipe(switchGo(work(log), { name: 'firehose' })).subscribe((v) => seen.push(v));
    for (let i = 0; i < 10_000; i++) src.next(String(i));
    src.complete();
    await jest.advanceTimersByTimeAsync(10);
    expect(seen).toEqual(['9999']);
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start 0', 'start 9999']);
  });

  it('a result already returned is emitted even if a newer value arrives before it is delivered', async () => {
    const src = new Subject<string>();
    const seen: string[] = [];
    src
      .pipe(
        switchGo(function* (v: string) {
          yield null; // a plain value resumes at once: the goroutine returns synchronously
          return v;
        }),
      )
      .subscribe((v) => seen.push(v));
    src.next('a'); // returns synchronously; its emission is a microtask away
    src.next('b');
    await flush();
    expect(seen).toEqual(['a', 'b']);
  });

  it('a subscriber that feeds the source from inside next drives the next run (re-entrancy)', async () => {
    const src = new Subject<number>();
    const seen: number[] = [];
    src
      .pipe(
        switchGo(async (n: number, ctx) => {
          await sleep(1, { signal: ctx.signal });
          return n;
        }),
      )
      .subscribe((n) => {
        seen.push(n);
        if (n < 3) src.next(n + 1);
        else src.complete();
      });
    src.next(1);
    await jest.advanceTimersByTimeAsync(5);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('an error in a goroutine errors the output', async () => {
    const boom = new Error('boom');
    const r = record(
      cold('-a').pipe(
        switchGo(async () => {
          throw boom;
        }),
      ),
    );
    await r.expect(5, '-#', undefined, boom);
  });

  it('an error thrown by the finally of a superseded run errors the output', async () => {
    const bad = new Error('cleanup failed');
    const src = new Subject<string>();
    let error: unknown;
    src
      .pipe(
        switchGo(async (v, ctx) => {
          try {
            await sleep(100, { signal: ctx.signal });
          } finally {
            if (v === 'a') throw bad; // eslint-disable-line no-unsafe-finally
          }
          return v;
        }),
      )
      .subscribe({ error: (e) => (error = e) });
    src.next('a');
    src.next('b');
    await jest.advanceTimersByTimeAsync(0);
    expect(error).toBe(bad);
  });

  it('a source error errors the output and kills the running goroutine', async () => {
    const log: string[] = [];
    const r = record(cold('a--#', undefined, 'src failed').pipe(switchGo(work(log))));
    await r.expect(10, '---#', undefined, 'src failed');
    expect(log).toEqual(['start a', 'a exit: GoroutineExit', 'finally a']);
  });

  it('unsubscribing kills the running goroutine with reason "unsubscribed"', async () => {
    const src = new Subject<string>();
    let reason: unknown;
    const sub = src
      .pipe(
        switchGo(async (_v: string, ctx) => {
          try {
            await sleep(100, { signal: ctx.signal });
          } catch (e) {
            reason = (e as GoroutineExit).reason;
            throw e;
          }
        }),
      )
      .subscribe();
    src.next('a');
    sub.unsubscribe();
    await flush();
    expect(reason).toBe('unsubscribed');
  });

  it('take(1) completes after the first result and leaves no goroutine', async () => {
    const log: string[] = [];
    const r = record(cold('a-b-c').pipe(switchGo(work(log, 1)), take(1)));
    await r.expect(10, '-(A|)', { A: 'A' });
  });

  it('takeUntil kills the running goroutine when the notifier fires', async () => {
    const log: string[] = [];
    const r = record(cold('a').pipe(switchGo(work(log, 50)), takeUntil(timer(10))));
    await r.expect(60, '----------|');
    expect(log).toEqual(['start a', 'a exit: GoroutineExit', 'finally a']);
  });

  it('over fromChannel: a buffered burst runs the first and the last job, as switchMap would', async () => {
    const jobs = chan<string>(4);
    for (const j of ['a', 'b', 'c']) jobs.trySend(j);
    jobs.close();
    const log: string[] = [];
    const r = record(fromChannel(jobs).pipe(switchGo(work(log))));
    await r.expect(10, '-----(C|)', { C: 'C' });
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start a', 'start c']);
  });

  it('the superseding kill carries a SupersededError', async () => {
    const src = new Subject<number>();
    const errors: unknown[] = [];
    const sub = src
      .pipe(
        switchGo(async (_n: number, ctx) => {
          await sleep(100, { signal: ctx.signal }).catch((e: unknown) => {
            errors.push(e);
            throw e;
          });
        }),
      )
      .subscribe();
    src.next(1);
    src.next(2);
    await flush();
    expect(errors[0]).toBeInstanceOf(SupersededError);
    sub.unsubscribe();
    await flush();
  });
});
