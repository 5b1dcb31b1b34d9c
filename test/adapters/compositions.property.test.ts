// Property: random RxJS compositions (race, take, switchMap, takeUntil, share, select$) over
// channels with concurrent senders, unsubscribed at random times, never lose or duplicate a
// value: every value whose send completed was received exactly once or is still in a channel.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import {
  type Observable,
  type Subscription,
  interval,
  map,
  race,
  repeat,
  share,
  switchMap,
  take,
  takeUntil,
  timer,
} from 'rxjs';
import { type Chan, type Goroutine, chan, go, recv, sleep } from 'gorx';
import { fromChannel, select$ } from 'gorx/rxjs';
import { expectNothingLeft, flush } from '../helpers/leaks.js';
import { propertyRuns } from '../helpers/property-runs.js';

const RUNS = propertyRuns(150);

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  expectNothingLeft();
  jest.useRealTimers();
});

type Consumer =
  | { kind: 'take'; ch: 0 | 1; n: number; stopAt: number }
  | { kind: 'race'; n: number; stopAt: number }
  | { kind: 'takeUntil'; ch: 0 | 1; until: number; stopAt: number }
  | { kind: 'switchMap'; every: number; n: number; stopAt: number }
  | { kind: 'share'; ch: 0 | 1; stopAt: number }
  | { kind: 'select'; stopAt: number };

const time = fc.integer({ min: 0, max: 40 });
const which = fc.constantFrom<0 | 1>(0, 1);
const consumer: fc.Arbitrary<Consumer> = fc.oneof(
  fc.record({
    kind: fc.constant('take' as const),
    ch: which,
    n: fc.integer({ min: 1, max: 5 }),
    stopAt: time,
  }),
  fc.record({
    kind: fc.constant('race' as const),
    n: fc.integer({ min: 1, max: 4 }),
    stopAt: time,
  }),
  fc.record({ kind: fc.constant('takeUntil' as const), ch: which, until: time, stopAt: time }),
  fc.record({
    kind: fc.constant('switchMap' as const),
    every: fc.integer({ min: 1, max: 7 }),
    n: fc.integer({ min: 1, max: 3 }),
    stopAt: time,
  }),
  fc.record({ kind: fc.constant('share' as const), ch: which, stopAt: time }),
  fc.record({ kind: fc.constant('select' as const), stopAt: time }),
);

function build(c: Consumer, chs: [Chan<number>, Chan<number>]): Observable<number>[] {
  switch (c.kind) {
    case 'take':
      return [fromChannel(chs[c.ch]).pipe(take(c.n))];
    case 'race':
      return [race(fromChannel(chs[0]), fromChannel(chs[1])).pipe(take(c.n))];
    case 'takeUntil':
      return [fromChannel(chs[c.ch]).pipe(takeUntil(timer(c.until)))];
    case 'switchMap':
      return [interval(c.every).pipe(switchMap(() => fromChannel(chs[0]).pipe(take(c.n))))];
    case 'share': {
      // Both subscribers see each value: count it once, on the first of them.
      const shared = fromChannel(chs[c.ch]).pipe(share());
      return [shared, shared.pipe(map(() => NaN))];
    }
    case 'select':
      return [
        select$([recv(chs[0]), recv(chs[1])]).pipe(
          map((r) => r.value!),
          repeat(),
        ),
      ];
  }
}

describe('compositions over channels (property)', () => {
  it(
    'every completed send is received exactly once or is still buffered',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            capacities: fc.tuple(fc.constantFrom(0, 1, 3), fc.constantFrom(0, 2)),
            senders: fc.array(
              fc.record({
                ch: which,
                count: fc.integer({ min: 1, max: 8 }),
                gap: fc.integer({ min: 0, max: 4 }),
              }),
              { minLength: 1, maxLength: 4 },
            ),
            consumers: fc.array(consumer, { minLength: 1, maxLength: 5 }),
          }),
          async ({ capacities, senders, consumers }) => {
            const chs: [Chan<number>, Chan<number>] = [chan(capacities[0]), chan(capacities[1])];
            const sent: number[] = [];
            const received: number[] = [];
            let next = 0;
            const gs: Goroutine<void>[] = senders.map((s) =>
              go(async (ctx) => {
                for (let i = 0; i < s.count; i++) {
                  const v = next++;
                  await chs[s.ch].send(v, { signal: ctx.signal });
                  sent.push(v);
                  if (s.gap > 0) await sleep(s.gap, { signal: ctx.signal });
                }
              }),
            );
            const subs: Subscription[] = [];
            const stops: ReturnType<typeof setTimeout>[] = [];
            for (const c of consumers) {
              for (const o of build(c, chs)) {
                const sub = o.subscribe((v) => {
                  if (!Number.isNaN(v)) received.push(v);
                });
                subs.push(sub);
                stops.push(setTimeout(() => sub.unsubscribe(), c.stopAt));
              }
            }
            await jest.advanceTimersByTimeAsync(50);
            for (const s of subs) s.unsubscribe();
            await Promise.all(gs.map((g) => g.kill()));
            for (const t of stops) clearTimeout(t);
            await flush();

            const remaining: number[] = [];
            for (const ch of chs) {
              for (let r = ch.tryRecv(); r.ok; r = ch.tryRecv()) remaining.push(r.value);
            }
            const byValue = (a: number, b: number) => a - b;
            expect([...received, ...remaining].sort(byValue)).toEqual([...sent].sort(byValue));
          },
        ),
        { numRuns: RUNS },
      );
    },
    5_000 + RUNS * 20,
  );
});
