// fromChannelGo: asynchronous processing of channel values, lossless and backpressured. The RxJS
// cancellation checklist (early unsubscribe, synchronous firehose that stops, re-entrancy, close
// while waiting), then a property test over random producers, concurrencies and take(n).
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { concatMap, delay, take } from 'rxjs';
import { ChannelClosedError, GoroutineExit, chan, go, sleep, type GoContext } from 'gorx';
import { fromChannel, fromChannelGo } from 'gorx/rxjs';
import { expectNothingLeft, flush } from '../helpers/leaks.js';
import { propertyRuns } from '../helpers/property-runs.js';

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  expectNothingLeft();
  jest.useRealTimers();
});

function filled(n: number, capacity = n) {
  const ch = chan<number>(capacity);
  for (let i = 0; i < n; i++) ch.trySend(i);
  return ch;
}

const slow =
  (ms: number) =>
  async (n: number, ctx: GoContext): Promise<number> => {
    await sleep(ms, ctx);
    return n;
  };

describe('fromChannelGo: backpressure', () => {
  it('receives the next value only when a slot is free: the rest stay in the channel', async () => {
    const ch = filled(10);
    const seen: number[] = [];
    const sub = fromChannelGo(ch, slow(10), { concurrency: 3 }).subscribe((v) => seen.push(v));
    expect(ch.length).toBe(7);
    await jest.advanceTimersByTimeAsync(10);
    expect(seen).toEqual([0, 1, 2]);
    expect(ch.length).toBe(4);
    sub.unsubscribe();
    await flush();
    expect(ch.length).toBe(4);
    ch.close();
  });

  it('a slow consumer holds a producer on chan(1) to capacity + one blocked send, not 1000 values ahead', async () => {
    const ch = chan<number>(1);
    let sent = 0;
    const producer = go(async (ctx) => {
      for (let i = 0; i < 1000; i++) {
        await ch.send(i, ctx);
        sent++;
      }
    });
    const seen: number[] = [];
    const sub = fromChannelGo(ch, slow(100)).subscribe((v) => seen.push(v));
    for (let k = 1; k <= 5; k++) {
      await jest.advanceTimersByTimeAsync(100);
      // One value in fn, one buffered: every completed send is accounted for.
      expect(sent).toBe(seen.length + 2);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    sub.unsubscribe();
    await producer.kill();
    ch.close();
  });

  it('concatMap after fromChannel gives neither: it takes every value at once (the case fromChannelGo exists for)', async () => {
    const ch = filled(20);
    const seen: number[] = [];
    fromChannel(ch)
      .pipe(
        concatMap((v) => [v]),
        delay(1),
        take(3),
      )
      .subscribe((v) => seen.push(v));
    expect(ch.length).toBe(0); // every value left the channel ...
    await jest.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([0, 1, 2]); // ... and 17 were dropped by take(3)
  });
});

describe('fromChannelGo: no value lost', () => {
  it('take(n) receives exactly n values: the rest stay in the channel, in order', async () => {
    const ch = filled(20);
    const seen: number[] = [];
    fromChannelGo(ch, slow(1))
      .pipe(take(3))
      .subscribe((v) => seen.push(v));
    await jest.advanceTimersByTimeAsync(10);
    expect(seen).toEqual([0, 1, 2]);
    expect(ch.length).toBe(17);
    expect(ch.tryRecv()).toEqual({ ok: true, value: 3 });
  });

  it('early unsubscribe withdraws the pending receive synchronously: a later send finds no receiver', () => {
    const ch = chan<number>();
    const sub = fromChannelGo(ch, slow(1)).subscribe();
    sub.unsubscribe();
    expect(ch.trySend(1)).toBe(false);
  });

  it('unsubscribing kills the running goroutines: their values were handed to fn, which sees the kill', async () => {
    const ch = filled(3);
    const killed: number[] = [];
    const sub = fromChannelGo(
      ch,
      async (n, ctx) => {
        try {
          await sleep(100, ctx);
          return n;
        } catch (e) {
          if (e instanceof GoroutineExit) killed.push(n);
          throw e;
        }
      },
      { concurrency: 2 },
    ).subscribe();
    await flush();
    sub.unsubscribe();
    await flush();
    expect(killed).toEqual([0, 1]);
    expect(ch.length).toBe(1);
  });
});

describe('fromChannelGo: synchronous firehose, re-entrancy, close', () => {
  it('a full buffer is taken one slot at a time without recursion, and stops at concurrency', () => {
    const ch = filled(100_000);
    const sub = fromChannelGo(ch, slow(1), { concurrency: 50_000 }).subscribe();
    expect(ch.length).toBe(50_000);
    sub.unsubscribe();
    ch.close();
  });

  it('a value sent from inside fn (re-entrancy) is received after the current one, in FIFO order', async () => {
    const ch = chan<number>(10);
    ch.trySend(1);
    const seen: number[] = [];
    const sub = fromChannelGo(ch, async (n) => {
      if (n < 3) ch.trySend(n + 1);
      return n;
    }).subscribe((v) => seen.push(v));
    await flush();
    expect(seen).toEqual([1, 2, 3]);
    sub.unsubscribe();
  });

  it('unsubscribing from inside next posts no further receive', async () => {
    const ch = filled(5);
    const seen: number[] = [];
    const sub = fromChannelGo(ch, async (n) => n).subscribe((v) => {
      seen.push(v);
      sub.unsubscribe();
    });
    await flush();
    expect(seen).toEqual([0]);
    expect(ch.length).toBe(4);
  });

  it('close while waiting completes at once; close after values completes when the last goroutine returns', async () => {
    const idle = chan<number>();
    const events: string[] = [];
    fromChannelGo(idle, slow(1)).subscribe({ complete: () => events.push('idle complete') });
    idle.close();
    expect(events).toEqual(['idle complete']);

    const busy = filled(2);
    busy.close();
    fromChannelGo(busy, slow(5), { concurrency: 2 }).subscribe({
      next: (v) => events.push(`n${v}`),
      complete: () => events.push('busy complete'),
    });
    expect(events).toEqual(['idle complete']);
    await jest.advanceTimersByTimeAsync(5);
    expect(events).toEqual(['idle complete', 'n0', 'n1', 'busy complete']);
  });

  it('a close error is seen by the next receive: at once with a free slot (killing the running goroutines), after the running one with none', async () => {
    const boom = new Error('boom');
    const events: string[] = [];
    const work = async (n: number, ctx: GoContext): Promise<number> => {
      try {
        await sleep(10, ctx);
        return n;
      } finally {
        if (ctx.signal.aborted) events.push(`killed ${n}`);
      }
    };
    const free = filled(1, 2); // concurrency 2: one run, one receive still waiting
    fromChannelGo(free, work, { concurrency: 2 }).subscribe({
      next: (v) => events.push(`free n${v}`),
      error: (e) => events.push(`free error ${(e as Error).message}`),
    });
    free.close(boom);
    await flush();
    expect(events).toEqual(['free error boom', 'killed 0']);

    events.length = 0;
    const full = filled(1, 2); // concurrency 1: the close waits until the slot is free
    fromChannelGo(full, work).subscribe({
      next: (v) => events.push(`full n${v}`),
      error: (e) => events.push(`full error ${(e as Error).message}`),
    });
    full.close(boom);
    await jest.advanceTimersByTimeAsync(10);
    expect(events).toEqual(['full n0', 'full error boom']);
  });

  it("a goroutine's error errors the output and the other goroutines are killed", async () => {
    const ch = filled(2);
    const boom = new Error('boom');
    const errors: unknown[] = [];
    let otherKilled = false;
    fromChannelGo(
      ch,
      async (n, ctx) => {
        if (n === 0) throw boom;
        try {
          await sleep(10, ctx);
        } finally {
          otherKilled = ctx.signal.aborted;
        }
        return n;
      },
      { concurrency: 2 },
    ).subscribe({ error: (e) => errors.push(e) });
    await flush();
    expect(errors).toEqual([boom]);
    expect(otherKilled).toBe(true);
  });

  it('refuses bad arguments with typed errors that name what they got, before subscribing', () => {
    const ch = chan<number>();
    expect(() => fromChannelGo({} as never, slow(1))).toThrow(
      /ch must be a channel, got an object/,
    );
    expect(() => fromChannelGo(ch, 'f' as never)).toThrow(/fn must be a function, got the string/);
    for (const concurrency of [0, 1.5, Infinity, '2' as never]) {
      expect(() => fromChannelGo(ch, slow(1), { concurrency })).toThrow(RangeError);
    }
    expect(ch.trySend(1)).toBe(false); // nothing was left waiting on it
  });

  it('a channel closed with ChannelClosedError semantics: values, then completion', async () => {
    const ch = filled(3);
    ch.close();
    const out: number[] = [];
    let completed = false;
    fromChannelGo(ch, async (n) => n).subscribe({
      next: (v) => out.push(v),
      complete: () => (completed = true),
    });
    await flush();
    expect([out, completed]).toEqual([[0, 1, 2], true]);
    await expect(ch.recv()).rejects.toBeInstanceOf(ChannelClosedError);
  });
});

describe('fromChannelGo: property', () => {
  it('every value whose send completed is emitted, handed to a killed run, or still in the channel, exactly once; never more than `concurrency` runs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          capacity: fc.constantFrom(0, 1, 3),
          values: fc.integer({ min: 0, max: 15 }),
          concurrency: fc.integer({ min: 1, max: 4 }),
          takeN: fc.integer({ min: 1, max: 16 }),
          delays: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 16, maxLength: 16 }),
          stopAt: fc.integer({ min: 0, max: 40 }),
        }),
        async ({ capacity, values, concurrency, takeN, delays, stopAt }) => {
          const ch = chan<number>(capacity);
          const completed: number[] = [];
          const producer = go(async (ctx) => {
            for (let i = 0; i < values; i++) {
              await ch.send(i, ctx);
              completed.push(i);
            }
          });
          const emitted: number[] = [];
          const handedToKilled: number[] = [];
          let now = 0;
          let peak = 0;
          const sub = fromChannelGo(
            ch,
            async (n, ctx) => {
              peak = Math.max(peak, ++now);
              try {
                await sleep(delays[n]!, ctx);
                return n;
              } catch (e) {
                if (e instanceof GoroutineExit) handedToKilled.push(n);
                throw e;
              } finally {
                now--;
              }
            },
            { concurrency },
          )
            .pipe(take(takeN))
            .subscribe((v) => emitted.push(v));
          await jest.advanceTimersByTimeAsync(stopAt);
          sub.unsubscribe();
          await producer.kill();
          await flush();
          const left: number[] = [];
          for (let r = ch.tryRecv(); r.ok; r = ch.tryRecv()) left.push(r.value);
          ch.close();
          const all = [...emitted, ...handedToKilled, ...left].sort((a, b) => a - b);
          expect(all).toEqual([...completed].sort((a, b) => a - b));
          expect(peak).toBeLessThanOrEqual(concurrency);
          if (concurrency === 1) {
            // One run at a time: values are emitted in FIFO order and take(n) kills nothing
            // unless the stop came first.
            expect(emitted).toEqual([...emitted].sort((a, b) => a - b));
            if (emitted.length === takeN) expect(handedToKilled).toEqual([]);
          }
        },
      ),
      { numRuns: propertyRuns(100) },
    );
  }, 600_000);
});
