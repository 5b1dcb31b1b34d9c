// toChannel (API.md section 7): lazy subscription, overflow modes, close <-> unsubscribe.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Observable, Subject, interval, of, range, take, throwError, timer, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ChannelClosedError, GorxError, go, range as rangeOf, recv, select } from 'gorx';
import { ChannelOverflowError, fromChannel, toChannel } from 'gorx/rxjs';
import { expectNothingLeft, flush } from '../helpers/leaks.js';

afterEach(() => expectNothingLeft());

/** A source that counts its subscriptions and unsubscriptions. */
function counted<T>(subject: Subject<T>) {
  const stats = { subscribed: 0, unsubscribed: 0 };
  const source = new Observable<T>((s) => {
    stats.subscribed++;
    const sub = subject.subscribe(s);
    return () => {
      stats.unsubscribed++;
      sub.unsubscribe();
    };
  });
  return { source, stats };
}

async function drain<T>(ch: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of ch) out.push(v);
  return out;
}

describe('toChannel: lazy subscription', () => {
  it('does not subscribe until the first receive', async () => {
    const { source, stats } = counted(new Subject<number>());
    const ch = toChannel(source);
    expect(stats.subscribed).toBe(0);
    expect(ch.length).toBe(0);
    expect(ch.tryRecv()).toEqual({ ok: false, closed: false });
    expect(stats.subscribed).toBe(1);
    ch.close();
    expect(stats.unsubscribed).toBe(1);
  });

  it.each([
    ['recv', (ch: ReturnType<typeof toChannel<number>>) => ch.recv()],
    [
      'recvCallback',
      (ch: ReturnType<typeof toChannel<number>>) => new Promise((r) => ch.recvCallback(r)),
    ],
    ['for await', (ch: ReturnType<typeof toChannel<number>>) => ch[Symbol.asyncIterator]().next()],
  ])(
    '%s posts the receive before subscribing, so a synchronous first value reaches it',
    async (_, receive) => {
      const ch = toChannel(of(1), { capacity: 0 });
      const got = receive(ch);
      await expect(got).resolves.toEqual(expect.anything());
      expect(ch.closed).toBe(true);
    },
  );

  it('a synchronous source fills the buffer on the first receive and closes it', async () => {
    const ch = toChannel(of(1, 2, 3));
    expect(await drain(ch)).toEqual([1, 2, 3]);
  });

  it('closing before the first receive never subscribes', () => {
    const { source, stats } = counted(new Subject<number>());
    const ch = toChannel(source);
    ch.close();
    expect(ch.tryRecv()).toEqual({ ok: false, closed: true });
    expect(stats.subscribed).toBe(0);
  });
});

describe('toChannel: completion, errors, close', () => {
  it('completion closes the channel after the buffered values', async () => {
    const s = new Subject<string>();
    const ch = toChannel(s);
    const all = drain(ch);
    s.next('a');
    s.next('b');
    s.complete();
    expect(await all).toEqual(['a', 'b']);
  });

  it('an error closes the channel with that error, after the buffered values', async () => {
    const boom = new Error('boom');
    const ch = toChannel(throwError(() => boom));
    await expect(ch.recv()).rejects.toBe(boom);
  });

  it('a non-Error error is wrapped with it as the cause', async () => {
    const ch = toChannel(throwError(() => 'plain'));
    const e = (await ch.recv().catch((x: unknown) => x)) as Error;
    expect([e instanceof Error, e.message, e.cause]).toEqual([true, 'plain', 'plain']);
  });

  it('closing the channel unsubscribes from the source', async () => {
    const { source, stats } = counted(new Subject<number>());
    const ch = toChannel(source);
    const pending = ch.recv();
    ch.close();
    await expect(pending).rejects.toBeInstanceOf(ChannelClosedError);
    expect(stats).toEqual({ subscribed: 1, unsubscribed: 1 });
    expect(() => ch.close()).toThrow(ChannelClosedError);
  });

  it('closing with an error hands that error to receivers', async () => {
    const ch = toChannel(new Subject<number>());
    const pending = ch.recv();
    const why = new Error('why');
    ch.close(why);
    await expect(pending).rejects.toBe(why);
  });

  it('the send side still works: values sent by hand mix with the source', async () => {
    const s = new Subject<number>();
    const ch = toChannel(s, { capacity: 4 });
    expect(ch.tryRecv().ok).toBe(false);
    await ch.send(1);
    s.next(2);
    expect(ch.trySend(3)).toBe(true);
    s.complete();
    expect(await drain(ch)).toEqual([1, 2, 3]);
  });

  it('breaking out of for await unsubscribes the source; values already buffered stay receivable', async () => {
    const subject = new Subject<number>();
    const { source, stats } = counted(subject);
    const ch = toChannel(source, { overflow: 'unbounded' });
    const seen: number[] = [];
    const loop = (async () => {
      for await (const v of ch) {
        seen.push(v);
        if (v === 1) break;
      }
    })();
    subject.next(1);
    subject.next(2); // buffered before the loop body runs
    await loop;
    expect(stats).toEqual({ subscribed: 1, unsubscribed: 1 });
    subject.next(3); // nobody listens any more: nothing keeps buffering
    expect(seen).toEqual([1]);
    expect(ch.closed).toBe(true);
    expect(ch.tryRecv()).toEqual({ ok: true, value: 2 });
    expect(ch.tryRecv()).toEqual({ ok: false, closed: true });
  });

  it('a throw out of the for await body unsubscribes the source too', async () => {
    const { source, stats } = counted(new Subject<number>());
    const ch = toChannel(source);
    const boom = new Error('boom');
    const loop = (async () => {
      for await (const v of ch) throw Object.assign(boom, { v });
    })();
    ch.trySend(7);
    await expect(loop).rejects.toBe(boom);
    expect(stats).toEqual({ subscribed: 1, unsubscribed: 1 });
  });

  it('leaving a range(ch) loop keeps the subscription: a later loop resumes without losing a value', async () => {
    const subject = new Subject<number>();
    const { source, stats } = counted(subject);
    const ch = toChannel(source);
    const first: number[] = [];
    const loop = (async () => {
      for await (const v of rangeOf(ch)) {
        first.push(v);
        if (v === 1) break;
      }
    })();
    subject.next(1);
    subject.next(2);
    await loop;
    subject.next(3);
    expect(stats).toEqual({ subscribed: 1, unsubscribed: 0 });
    const rest: number[] = [];
    const resumed = (async () => {
      for await (const v of ch) rest.push(v);
    })();
    subject.next(4);
    subject.complete();
    await resumed;
    expect([first, rest]).toEqual([[1], [2, 3, 4]]);
    expect(stats).toEqual({ subscribed: 1, unsubscribed: 1 });
  });

  it('validates its arguments', () => {
    expect(() => toChannel({} as never)).toThrow(TypeError);
    expect(() => toChannel(of(1), { overflow: 'nope' as never })).toThrow(TypeError);
    expect(() => toChannel(of(1), { capacity: 0, overflow: 'dropOldest' })).toThrow(RangeError);
    expect(() => toChannel(of(1), { capacity: -1 })).toThrow(RangeError);
  });

  it('reports capacity, name and closed like a channel', () => {
    const ch = toChannel(of(1), { capacity: 3, name: 'prices' });
    expect([ch.capacity, ch.name, ch.closed]).toEqual([3, 'prices', false]);
    expect(toChannel(of(1), { overflow: 'unbounded' }).capacity).toBe(Infinity);
    expect(toChannel(of(1)).capacity).toBe(1024);
  });

  it('is a core channel: a select receive case subscribes it and takes the first value', async () => {
    const ch = toChannel(of(1, 2), { capacity: 0 });
    const r = await select([recv(ch)]);
    expect(r).toEqual({ index: 0, value: 1, ok: true });
    // capacity 0 and no receiver for 2: the default overflow closes the channel with the error.
    await expect(ch.recv()).rejects.toBeInstanceOf(GorxError);
  });

  it('does not subscribe until a receive is attempted, and a select on it counts as one', async () => {
    let subscribed = 0;
    const source = new Observable<number>((s) => {
      subscribed++;
      s.next(7);
      s.complete();
    });
    const ch = toChannel(source, { capacity: 4 });
    expect(subscribed).toBe(0);
    const r = await select([recv(ch)]);
    expect(subscribed).toBe(1);
    expect(r).toEqual({ index: 0, value: 7, ok: true });
    expect((await select([recv(ch)])).ok).toBe(false);
  });

  it('closing it unsubscribes the source at once', async () => {
    let unsubscribed = false;
    const source = new Observable<number>(() => () => {
      unsubscribed = true;
    });
    const ch = toChannel(source);
    expect(ch.tryRecv()).toEqual({ ok: false, closed: false });
    ch.close();
    expect(unsubscribed).toBe(true);
  });
});

describe('toChannel: overflow', () => {
  it("'error' (the default) closes with ChannelOverflowError and stops a synchronous firehose", async () => {
    let emitted = 0;
    const ch = toChannel(range(0, 1_000_000).pipe(map((v) => (emitted++, v))), { capacity: 2 });
    const got: number[] = [];
    const e = await (async () => {
      try {
        for await (const v of ch) got.push(v);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(ChannelOverflowError);
    expect(e).toBeInstanceOf(GorxError);
    expect((e as ChannelOverflowError).code).toBe('ERR_CHANNEL_OVERFLOW');
    expect(got).toEqual([0, 1, 2]); // one to the waiting receiver, two buffered
    expect(emitted).toBe(4); // the firehose stopped at the value that overflowed
  });

  it('closing the channel from inside a receive callback stops a synchronous firehose at once', () => {
    let emitted = 0;
    const ch = toChannel(range(0, 1_000_000).pipe(map((v) => (emitted++, v))), {
      capacity: 0,
      overflow: 'dropNewest',
    });
    const got: number[] = [];
    const onValue = (v: number | undefined, ok: boolean): void => {
      if (!ok) return;
      got.push(v!);
      if (got.length === 3) ch.close();
      else ch.recvCallback(onValue);
    };
    ch.recvCallback(onValue);
    expect(got).toEqual([0, 1, 2]);
    expect(emitted).toBe(3);
  });

  it("'dropNewest' keeps the oldest values and drops what does not fit", async () => {
    const ch = toChannel(range(0, 10), { capacity: 3, overflow: 'dropNewest' });
    expect(ch.tryRecv()).toEqual({ ok: true, value: 0 });
    expect(await drain(ch)).toEqual([1, 2]);
  });

  it("'dropNewest' with capacity 0 delivers only to a receiver already waiting (nextValueFrom)", async () => {
    const s = new Subject<number>();
    const ch = toChannel(s, { capacity: 0, overflow: 'dropNewest' });
    const first = ch.recv();
    s.next(1);
    s.next(2); // nobody waits: dropped
    expect(await first).toBe(1);
    const second = ch.recv();
    s.next(3);
    expect(await second).toBe(3);
    ch.close();
  });

  it("'dropOldest' keeps the newest values (capacity 1: latestValueFrom)", async () => {
    const s = new Subject<number>();
    const ch = toChannel(s, { capacity: 1, overflow: 'dropOldest' });
    expect(ch.tryRecv().ok).toBe(false);
    for (let i = 0; i < 5; i++) s.next(i);
    expect(ch.tryRecv()).toEqual({ ok: true, value: 4 });
    s.complete();
    expect(await drain(ch)).toEqual([]);
  });

  it("'unbounded' keeps everything (eachValueFrom)", async () => {
    const ch = toChannel(range(0, 5000), { overflow: 'unbounded' });
    expect((await drain(ch)).length).toBe(5000);
  });
});

describe('toChannel: time', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('a timed source is received as it emits, and completion ends the loop', async () => {
    const ch = toChannel(interval(10).pipe(take(3)), { capacity: 0 });
    const seen: [number, number][] = [];
    const t0 = Date.now();
    const loop = (async () => {
      for await (const v of ch) seen.push([v, Date.now() - t0]);
    })();
    await jest.advanceTimersByTimeAsync(30);
    await loop;
    expect(seen).toEqual([
      [0, 10],
      [1, 20],
      [2, 30],
    ]);
  });

  it('a receiver in a goroutine killed mid-wait leaves the source to the next receive', async () => {
    const ch = toChannel(timer(10, 10).pipe(take(2)), { capacity: 0, overflow: 'dropNewest' });
    const g = go(async (ctx) => ch.recv({ signal: ctx.signal }));
    await g.kill();
    await jest.advanceTimersByTimeAsync(10); // 0 emitted, nobody waiting: dropped
    const next = ch.recv();
    await jest.advanceTimersByTimeAsync(10);
    expect(await next).toBe(1);
    await flush();
    expect(ch.closed).toBe(true);
  });

  it('marbles: a cold timed source through toChannel and fromChannel keeps its timing', () => {
    new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ cold, expectObservable }) => {
      const ch = toChannel(cold('-a-b--c|'), { capacity: 0, overflow: 'error' });
      expectObservable(fromChannel(ch)).toBe('-a-b--c|');
    });
  });

  it('marbles: dropOldest with capacity 1 behind a late subscriber keeps only the latest', () => {
    new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ cold, expectObservable }) => {
      const ch = toChannel(cold('abc---d|'), { capacity: 1, overflow: 'dropOldest' });
      ch.tryRecv(); // subscribes at frame 0; a, b, c race into a buffer of 1
      expectObservable(fromChannel(ch), '--^').toBe('--c---d|');
    });
  });
});
