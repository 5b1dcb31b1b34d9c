// fromAsyncIterable (API.md section 6): lazy pull, end/error close the channel, abort returns.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { chan, goroutines, recv, select, sleep } from 'gorx';
import { fromAsyncIterable } from 'gorx/async-iterable';
import { expectNothingLeft, flush } from '../helpers/leaks.js';

afterEach(() => expectNothingLeft());

/** An async iterable that logs every pull and its release. */
function source(n: number, log: string[], fail?: Error) {
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for (let i = 0; i < n; i++) {
          log.push(`pull ${i}`);
          yield i;
        }
        if (fail) throw fail;
      } finally {
        log.push('released');
      }
    },
  };
}

async function drain<T>(ch: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of ch) out.push(v);
  return out;
}

describe('fromAsyncIterable', () => {
  it('delivers every value in order and closes when the source ends', async () => {
    const log: string[] = [];
    expect(await drain(fromAsyncIterable(source(3, log)))).toEqual([0, 1, 2]);
    expect(log.at(-1)).toBe('released');
  });

  it('accepts a plain iterable', async () => {
    expect(await drain(fromAsyncIterable(new Set(['a', 'b'])))).toEqual(['a', 'b']);
  });

  it('pulls nothing before the first receive', async () => {
    const log: string[] = [];
    const ac = new AbortController();
    const ch = fromAsyncIterable(source(10, log), { capacity: 3, signal: ac.signal });
    await flush();
    expect(log).toEqual([]);
    expect(ch.length).toBe(0);
    ac.abort();
    await flush();
    expect(ch.closed).toBe(true);
  });

  it('capacity 0 pulls at most one value ahead of the receivers (held by the blocked send)', async () => {
    const log: string[] = [];
    const ac = new AbortController();
    const ch = fromAsyncIterable(source(10, log), { signal: ac.signal });
    await flush();
    expect(log).toEqual([]);
    expect(await ch.recv()).toBe(0);
    await flush();
    expect(log).toEqual(['pull 0', 'pull 1']);
    ac.abort();
    await flush();
  });

  it('capacity n pulls at most n + 1 values ahead', async () => {
    const log: string[] = [];
    const ac = new AbortController();
    const ch = fromAsyncIterable(source(10, log), { capacity: 3, signal: ac.signal });
    expect(ch.tryRecv()).toEqual({ ok: false, closed: false }); // the first receive starts it
    await flush();
    expect(log.filter((l) => l.startsWith('pull'))).toHaveLength(4);
    expect(ch.length).toBe(3);
    ac.abort();
    await flush();
  });

  it("closes the channel with the source's error after the values before it", async () => {
    const fail = new Error('disk on fire');
    const ch = fromAsyncIterable(source(2, [], fail), { capacity: 5 });
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const v of ch) got.push(v);
      })(),
    ).rejects.toBe(fail);
    expect(got).toEqual([0, 1]);
  });

  it('an iterable whose iterator cannot be made closes the channel with that error', async () => {
    const bad = {
      [Symbol.asyncIterator]: () => {
        throw new Error('no iterator');
      },
    };
    await expect(fromAsyncIterable(bad as AsyncIterable<number>).recv()).rejects.toThrow(
      'no iterator',
    );
  });

  it('rejects a non-iterable with a TypeError', () => {
    expect(() => fromAsyncIterable(42 as never)).toThrow(TypeError);
  });

  it("abort calls the source's return(), drops the held value and closes with the reason", async () => {
    const log: string[] = [];
    const ac = new AbortController();
    const ch = fromAsyncIterable(source(10, log), { signal: ac.signal });
    expect(await ch.recv()).toBe(0);
    await flush();
    const why = new Error('stop');
    ac.abort(why);
    await flush();
    expect(log).toEqual(['pull 0', 'pull 1', 'released']);
    await expect(ch.recv()).rejects.toBe(why);
    expect(goroutines()).toEqual([]);
  });

  it('abort ends the pump even while the source never answers next()', async () => {
    let returned = false;
    const stuck: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<number>>(() => {}),
        return: async () => {
          returned = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const ac = new AbortController();
    const ch = fromAsyncIterable(stuck, { signal: ac.signal });
    ac.abort();
    await flush();
    expect(returned).toBe(true);
    expect(ch.closed).toBe(true);
  });

  it('an already aborted signal closes the channel without touching the source', async () => {
    const log: string[] = [];
    const ac = new AbortController();
    ac.abort();
    const ch = fromAsyncIterable(source(3, log), { signal: ac.signal });
    await expect(ch.recv()).rejects.toBe(ac.signal.reason);
    expect(log).toEqual([]);
  });

  it('break in for await, then abort: the source is released and nothing is left', async () => {
    const log: string[] = [];
    const ac = new AbortController();
    for await (const v of fromAsyncIterable(source(10, log), { signal: ac.signal })) {
      if (v === 1) break;
    }
    ac.abort();
    await flush();
    expect(log.at(-1)).toBe('released');
  });

  it('works as a select case: a losing select takes nothing from it', async () => {
    const log: string[] = [];
    const ac = new AbortController();
    const ch = fromAsyncIterable(source(3, log), { signal: ac.signal });
    const other = chan<string>(1);
    other.trySend('other');
    await flush(); // the pump now holds 0 in a blocked send: both cases are ready
    const r = await select([recv(other), recv(ch)]);
    if (r.index === 0) expect(await ch.recv()).toBe(0);
    else expect([r.value, other.tryRecv()]).toEqual([0, { ok: true, value: 'other' }]);
    ac.abort();
    await flush();
  });

  it('names its pump goroutine after the channel', () => {
    const ac = new AbortController();
    fromAsyncIterable(source(3, []), { signal: ac.signal, name: 'lines' }).tryRecv();
    expect(goroutines().map((g) => g.name)).toEqual(['fromAsyncIterable(lines)']);
    ac.abort();
  });
});

describe('fromAsyncIterable: time', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('a slow receiver paces a timed source: it is never asked for more than one value ahead', async () => {
    const log: string[] = [];
    async function* ticks() {
      for (let i = 0; i < 3; i++) {
        await sleep(10);
        log.push(`produced ${i}`);
        yield i;
      }
    }
    const ch = fromAsyncIterable(ticks());
    const got: number[] = [];
    const consumer = (async () => {
      for await (const v of ch) {
        got.push(v);
        await sleep(100);
      }
    })();
    await jest.advanceTimersByTimeAsync(50);
    expect(log).toEqual(['produced 0', 'produced 1']);
    await jest.advanceTimersByTimeAsync(400);
    await consumer;
    expect(got).toEqual([0, 1, 2]);
  });
});
