// select$ (API.md section 7): select as a one-shot Observable; unsubscribing withdraws every case.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Subject, firstValueFrom, map, race, repeat, take, takeUntil, timer, toArray } from 'rxjs';
import { ChannelClosedError, chan, recv, send } from 'gorx';
import { select$ } from 'gorx/rxjs';
import { expectNothingLeft, flush } from '../helpers/leaks.js';

afterEach(() => expectNothingLeft());

describe('select$', () => {
  it('emits the ready case synchronously on subscribe and completes', () => {
    const a = chan<number>(1);
    a.trySend(5);
    const events: unknown[] = [];
    select$([recv(a), recv(null)]).subscribe({
      next: (r) => events.push(r),
      complete: () => events.push('c'),
    });
    expect(events).toEqual([{ index: 0, value: 5, ok: true }, 'c']);
  });

  it('emits at the moment a partner commits a parked case', () => {
    const a = chan<string>();
    const out = chan<number>();
    const events: unknown[] = [];
    select$([recv(a), send(out, 1)]).subscribe((r) => events.push(r));
    expect(out.tryRecv()).toEqual({ ok: true, value: 1 });
    expect(events).toEqual([{ index: 1, value: undefined, ok: true }]);
    expect(a.trySend('late')).toBe(false); // the losing case was withdrawn at commit
  });

  it('reports a closed, drained channel as ok: false', () => {
    const a = chan<number>();
    a.close();
    const events: unknown[] = [];
    select$([recv(a)]).subscribe((r) => events.push(r));
    expect(events).toEqual([{ index: 0, value: undefined, ok: false }]);
  });

  it('errors when a send case finds its channel closed', () => {
    const out = chan<number>();
    out.close();
    let error: unknown;
    select$([send(out, 1)]).subscribe({ error: (e) => (error = e) });
    expect(error).toBeInstanceOf(ChannelClosedError);
  });

  it('errors on a malformed case instead of throwing from subscribe', () => {
    let error: unknown;
    select$([{} as never]).subscribe({ error: (e) => (error = e) });
    expect(error).toBeInstanceOf(TypeError);
  });

  it('an early unsubscribe withdraws every case: nothing is taken or given', () => {
    const a = chan<number>();
    const out = chan<number>();
    const sub = select$([recv(a), send(out, 1)]).subscribe();
    sub.unsubscribe();
    expect(a.trySend(1)).toBe(false);
    expect(out.tryRecv()).toEqual({ ok: false, closed: false });
  });

  it('race: the losing select$ never takes a value', () => {
    const a = chan<string>();
    const b = chan<string>(1);
    const seen: unknown[] = [];
    race(
      select$([recv(a)]).pipe(map((r) => `a:${String(r.value)}`)),
      select$([recv(b)]).pipe(map((r) => `b:${String(r.value)}`)),
    ).subscribe((v) => seen.push(v));
    b.trySend('1');
    expect(seen).toEqual(['b:1']);
    expect(a.trySend('x')).toBe(false);
  });

  it('takeUntil cuts a parked select$ and withdraws it', () => {
    const a = chan<number>();
    const stop = new Subject<void>();
    let completed = false;
    select$([recv(a)])
      .pipe(takeUntil(stop))
      .subscribe({ complete: () => (completed = true) });
    stop.next();
    expect(completed).toBe(true);
    expect(a.trySend(1)).toBe(false);
  });

  it('repeat: a select per subscription receives each value exactly once', async () => {
    const a = chan<number>(3);
    for (const v of [1, 2, 3]) a.trySend(v);
    const got = await firstValueFrom(
      select$([recv(a)]).pipe(
        map((r) => r.value),
        repeat(),
        take(3),
        toArray(),
      ),
    );
    expect(got).toEqual([1, 2, 3]);
    expect(a.length).toBe(0);
  });

  it('a re-entrant send from inside next reaches a fresh select$, not the finished one', () => {
    const a = chan<number>();
    const seen: number[] = [];
    select$([recv(a)]).subscribe((r) => {
      seen.push(r.value!);
      expect(a.trySend(2)).toBe(false); // the finished select no longer waits
    });
    a.trySend(1);
    expect(seen).toEqual([1]);
  });

  it('a promise case fires when it settles', async () => {
    const seen: unknown[] = [];
    select$([recv(Promise.resolve('p')), recv(chan<number>())]).subscribe((r) => seen.push(r));
    await flush();
    expect(seen).toEqual([{ index: 0, value: 'p', ok: true }]);
  });
});

describe('select$: time', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('race with timer: the timeout wins and the channel keeps its later value', async () => {
    const a = chan<number>(1);
    const seen: unknown[] = [];
    race(select$([recv(a)]), timer(100).pipe(map(() => 'timeout'))).subscribe((v) => seen.push(v));
    await jest.advanceTimersByTimeAsync(100);
    a.trySend(1);
    expect(seen).toEqual(['timeout']);
    expect(a.tryRecv()).toEqual({ ok: true, value: 1 });
  });
});
