// fromChannel (API.md section 7): the RxJS cancellation checklist plus losslessness.
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  EMPTY,
  Subject,
  concatMap,
  map,
  mergeMap,
  race,
  share,
  switchMap,
  take,
  takeUntil,
  type Subscription,
} from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ChannelClosedError, chan } from 'gorx';
import { fromChannel } from 'gorx/rxjs';
import { expectNothingLeft, flush } from '../helpers/leaks.js';

afterEach(() => expectNothingLeft());

function filled(n: number, capacity = n) {
  const ch = chan<number>(capacity);
  for (let i = 0; i < n; i++) ch.trySend(i);
  return ch;
}

describe('fromChannel: values and completion', () => {
  it('emits every buffered value synchronously on subscribe, in FIFO order', () => {
    const ch = filled(5);
    const seen: number[] = [];
    const sub = fromChannel(ch).subscribe((v) => seen.push(v));
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(ch.length).toBe(0);
    sub.unsubscribe();
  });

  it('emits synchronously at the moment of hand-off from a sender', () => {
    const ch = chan<string>();
    const seen: string[] = [];
    const sub = fromChannel(ch).subscribe((v) => seen.push(v));
    expect(ch.trySend('a')).toBe(true); // a waiting receiver: the subscriber
    expect(seen).toEqual(['a']);
    sub.unsubscribe();
  });

  it('completes when the channel is closed and drained', () => {
    const ch = filled(2);
    ch.close();
    const events: string[] = [];
    fromChannel(ch).subscribe({
      next: (v) => events.push(`n${v}`),
      complete: () => events.push('c'),
    });
    expect(events).toEqual(['n0', 'n1', 'c']);
  });

  it('completes at once when the channel is closed while it waits', () => {
    const ch = chan<number>();
    let completed = false;
    fromChannel(ch).subscribe({ complete: () => (completed = true) });
    ch.close();
    expect(completed).toBe(true);
  });

  it('errors with the close error after draining', () => {
    const ch = filled(1, 2);
    const boom = new Error('boom');
    ch.close(boom);
    const events: unknown[] = [];
    fromChannel(ch).subscribe({ next: (v) => events.push(v), error: (e) => events.push(e) });
    expect(events).toEqual([0, boom]);
  });

  it('rejects something that is not a channel with a TypeError', () => {
    expect(() => fromChannel({} as never)).toThrow(TypeError);
  });

  it('drains a buffer of 100,000 values without growing the stack', () => {
    const ch = filled(100_000);
    let n = 0;
    const sub = fromChannel(ch).subscribe(() => n++);
    expect(n).toBe(100_000);
    sub.unsubscribe();
  });
});

describe('fromChannel: cancellation', () => {
  it('take(1) on a channel holding 10 values leaves 9', () => {
    const ch = filled(10);
    const seen: number[] = [];
    fromChannel(ch)
      .pipe(take(1))
      .subscribe((v) => seen.push(v));
    expect(seen).toEqual([0]);
    expect(ch.length).toBe(9);
    expect(ch.tryRecv()).toEqual({ ok: true, value: 1 });
  });

  it('an early unsubscribe withdraws the pending receive: a later send finds no receiver', () => {
    const ch = chan<number>();
    const seen: number[] = [];
    const sub = fromChannel(ch).subscribe((v) => seen.push(v));
    sub.unsubscribe();
    expect(ch.trySend(1)).toBe(false);
    expect(seen).toEqual([]);
  });

  it('unsubscribing from inside next posts no further receive', () => {
    const ch = chan<number>();
    const seen: number[] = [];
    const sub: Subscription = fromChannel(ch).subscribe((v) => {
      seen.push(v);
      if (v === 2) sub.unsubscribe();
    });
    for (let i = 1; i <= 2; i++) expect(ch.trySend(i)).toBe(true);
    expect(ch.trySend(3)).toBe(false);
    expect(seen).toEqual([1, 2]);
  });

  it('takeUntil stops the synchronous drain the moment the notifier fires', () => {
    const ch = filled(10);
    const stop = new Subject<void>();
    const seen: number[] = [];
    fromChannel(ch)
      .pipe(takeUntil(stop))
      .subscribe((v) => {
        seen.push(v);
        if (v === 3) stop.next();
      });
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(ch.length).toBe(6);
  });

  it('a value sent from inside next is received right after it, in FIFO order', async () => {
    const ch = chan<number>(1);
    const seen: number[] = [];
    const sub = fromChannel(ch).subscribe((v) => {
      seen.push(v);
      if (v < 5) ch.trySend(v + 10); // re-entrant send from inside next
    });
    ch.trySend(1);
    expect(seen).toEqual([1, 11]);
    sub.unsubscribe();
    await flush();
  });

  it('two subscribers compete: each value goes to exactly one of them', () => {
    const ch = chan<number>();
    const a: number[] = [];
    const b: number[] = [];
    const sa = fromChannel(ch).subscribe((v) => a.push(v));
    const sb = fromChannel(ch).subscribe((v) => b.push(v));
    for (let i = 0; i < 6; i++) ch.trySend(i);
    expect([...a, ...b].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(a.length).toBe(3); // FIFO among waiting receivers alternates them
    sa.unsubscribe();
    sb.unsubscribe();
  });

  it('race: the losing channel keeps its value', () => {
    const a = chan<string>(1);
    const b = chan<string>(1);
    const seen: string[] = [];
    race(fromChannel(a), fromChannel(b))
      .pipe(take(1))
      .subscribe((v) => seen.push(v));
    b.trySend('b');
    a.trySend('a');
    expect(seen).toEqual(['b']);
    expect(a.tryRecv()).toEqual({ ok: true, value: 'a' });
  });

  it('switchMap: an inner channel receive cut by a new outer value takes nothing', () => {
    const outer = new Subject<number>();
    const inner = chan<string>(4);
    const seen: string[] = [];
    const sub = outer
      .pipe(
        switchMap((n) =>
          fromChannel(inner).pipe(
            take(1),
            map((v) => `${n}:${v}`),
          ),
        ),
      )
      .subscribe((v) => seen.push(v));
    outer.next(1);
    outer.next(2); // withdraws 1's receive
    inner.trySend('x');
    inner.trySend('y');
    expect(seen).toEqual(['2:x']);
    expect(inner.tryRecv()).toEqual({ ok: true, value: 'y' });
    sub.unsubscribe();
  });

  it('share: one receive feeds every subscriber, and the last unsubscribe withdraws it', () => {
    const ch = chan<number>();
    const shared = fromChannel(ch).pipe(share());
    const a: number[] = [];
    const b: number[] = [];
    const sa = shared.subscribe((v) => a.push(v));
    const sb = shared.subscribe((v) => b.push(v));
    ch.trySend(7);
    expect([a, b]).toEqual([[7], [7]]);
    sa.unsubscribe();
    sb.unsubscribe();
    expect(ch.trySend(8)).toBe(false);
  });

  it('concatMap over one channel with take(1) receives one value per outer value', () => {
    const ch = filled(3);
    const seen: number[] = [];
    const outer = new Subject<number>();
    outer.pipe(concatMap(() => fromChannel(ch).pipe(take(1)))).subscribe((v) => seen.push(v));
    outer.next(0);
    outer.next(0);
    expect(seen).toEqual([0, 1]);
    expect(ch.length).toBe(1);
    outer.complete();
  });

  it('an error thrown by an operator downstream errors the chain and withdraws the receive', () => {
    const ch = chan<number>();
    let error: unknown;
    fromChannel(ch)
      .pipe(
        mergeMap((v) => {
          if (v === 2) throw new Error('bad value');
          return EMPTY;
        }),
      )
      .subscribe({ error: (e) => (error = e) });
    ch.trySend(1);
    ch.trySend(2);
    expect((error as Error).message).toBe('bad value');
    expect(ch.trySend(3)).toBe(false);
  });

  it('a receive on a channel closed during the drain ends with completion, not an error', () => {
    const ch = filled(3);
    const events: unknown[] = [];
    fromChannel(ch).subscribe({
      next: (v) => {
        events.push(v);
        if (v === 0) ch.close();
      },
      complete: () => events.push('c'),
      error: (e) => events.push(e instanceof ChannelClosedError ? 'closed' : e),
    });
    expect(events).toEqual([0, 1, 2, 'c']);
  });
});

describe('fromChannel: virtual time (TestScheduler)', () => {
  const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

  it('values sent at virtual times are emitted at those times, and take(2) completes on the 2nd', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const ch = chan<string>(Infinity);
      hot('--a--b--c--|').subscribe({ next: (v) => ch.trySend(v), complete: () => ch.close() });
      expectObservable(fromChannel(ch).pipe(take(2))).toBe('--a--(b|)');
    });
  });

  it('takeUntil at a virtual time leaves the later values in the channel', () => {
    const ch = chan<string>(Infinity);
    scheduler().run(({ hot, expectObservable }) => {
      hot('-a-b-c-d-|').subscribe((v) => ch.trySend(v));
      expectObservable(fromChannel(ch).pipe(takeUntil(hot('----x')))).toBe('-a-b|');
    });
    expect([ch.tryRecv(), ch.tryRecv(), ch.length]).toEqual([
      { ok: true, value: 'c' },
      { ok: true, value: 'd' },
      0,
    ]);
  });
});
