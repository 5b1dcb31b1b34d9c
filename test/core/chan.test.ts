// Contract tests for channels (API.md section 1) beyond the Go and goless ports.
import { afterEach, describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { inspect } from 'node:util';
import { ChannelClosedError, chan, isChan, recv, select, send } from 'gorx';
import { parkedCount } from '../../src/internal/park.js';
import { expectNothingLeft } from '../helpers/leaks.js';
import { expectIdle, impl } from './support.js';
import { proceeds, track } from '../helpers/promise-state.js';
import { settle } from '../helpers/turns.js';

afterEach(() => expectNothingLeft());

describe('chan() arguments', () => {
  it.each([-1, NaN, 1.5, '1', -Infinity, null, {}])(
    'capacity %p is a RangeError at once',
    (capacity) => {
      expect(() => chan(capacity as number)).toThrow(RangeError);
    },
  );

  it.each([0, 1, 1000, Infinity, undefined])('capacity %p is accepted', (capacity) => {
    const ch = chan(capacity);
    expect(ch.capacity).toBe(capacity ?? 0);
    expect(isChan(ch)).toBe(true);
  });

  it('a non-string name is a TypeError', () => {
    expect(() => chan(0, { name: 42 as unknown as string })).toThrow(TypeError);
  });

  it('capacity, length, closed and name report the state of the channel', () => {
    const ch = chan<number>(3, { name: 'jobs' });
    expect([ch.capacity, ch.length, ch.closed, ch.name]).toEqual([3, 0, false, 'jobs']);
    ch.trySend(1);
    ch.trySend(2);
    expect(ch.length).toBe(2);
    ch.close();
    expect([ch.length, ch.closed]).toEqual([2, true]);
    expect(chan().name).toBeUndefined();
  });
});

describe('undefined and null are ordinary values', () => {
  it.each([0, 1, Infinity])(
    'capacity %p carries undefined and null through every operation',
    async (capacity) => {
      const ch = chan<undefined | null>(capacity);
      const r1 = ch.recv();
      await ch.send(undefined);
      expect(await r1).toBeUndefined();
      const r2 = select([recv(ch)]);
      await select([send(ch, null)]);
      expect(await r2).toEqual({ index: 0, value: null, ok: true });
      const s = ch.send(undefined);
      await settle();
      expect(ch.tryRecv()).toEqual({ ok: true, value: undefined });
      await s;
      const it = ch[Symbol.asyncIterator]();
      const n = it.next();
      ch.trySend(null);
      expect(await n).toEqual({ value: null, done: false });
      ch.close();
      expect(await it.next()).toEqual({ value: undefined, done: true });
      expectIdle(ch);
    },
  );
});

describe('send with an AbortSignal', () => {
  it.each([0, 1])('capacity %p: a withdrawn send never gives its value', async (capacity) => {
    const ch = chan<string>(capacity);
    for (let i = 0; i < capacity; i++) ch.trySend('filler');
    const ac = new AbortController();
    const reason = new Error('cancelled');
    const p = ch.send('withdrawn', { signal: ac.signal });
    expect(await proceeds(p)).toBe(false);
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
    for (let i = 0; i < capacity; i++) expect(ch.tryRecv()).toEqual({ ok: true, value: 'filler' });
    expect(ch.tryRecv()).toEqual({ ok: false, closed: false });
    expectIdle(ch);
  });

  it('an already-aborted signal rejects with its reason and sends nothing, even when a send could proceed', async () => {
    const ch = chan<number>(1);
    const ac = new AbortController();
    ac.abort('stop');
    await expect(ch.send(1, { signal: ac.signal })).rejects.toBe('stop');
    expect(ch.length).toBe(0);
    const receiver = ch.recv();
    await expect(ch.send(2, { signal: ac.signal })).rejects.toBe('stop');
    ch.trySend(3);
    expect(await receiver).toBe(3);
  });

  it('an abort after the hand-off does not undo it', async () => {
    const ch = chan<number>();
    const ac = new AbortController();
    const p = ch.send(7, { signal: ac.signal });
    expect(ch.tryRecv()).toEqual({ ok: true, value: 7 });
    ac.abort();
    await expect(p).resolves.toBeUndefined();
  });

  it('a withdrawn sender in the middle of the queue keeps FIFO for the others', async () => {
    const ch = chan<number>();
    const ac = new AbortController();
    const a = ch.send(1);
    const b = ch.send(2, { signal: ac.signal });
    const c = ch.send(3);
    ac.abort();
    await expect(b).rejects.toBeDefined();
    expect([await ch.recv(), await ch.recv()]).toEqual([1, 3]);
    await Promise.all([a, c]);
    expectIdle(ch);
  });
});

describe('recv with an AbortSignal', () => {
  it.each([0, 1, Infinity])(
    'capacity %p: a withdrawn receive never takes a value',
    async (capacity) => {
      const ch = chan<number>(capacity);
      const ac = new AbortController();
      const reason = new Error('cancelled');
      const p = ch.recv({ signal: ac.signal });
      expect(await proceeds(p)).toBe(false);
      ac.abort(reason);
      await expect(p).rejects.toBe(reason);
      // No receiver waits any more: an unbuffered trySend fails, a buffered one keeps the value.
      expect(ch.trySend(5)).toBe(capacity > 0);
      if (capacity > 0) expect(await ch.recv()).toBe(5);
      expectIdle(ch);
    },
  );

  it('an already-aborted signal rejects with its reason and leaves a ready value in place', async () => {
    const ch = chan<number>(1);
    ch.trySend(1);
    const ac = new AbortController();
    ac.abort('stop');
    await expect(ch.recv({ signal: ac.signal })).rejects.toBe('stop');
    expect(ch.tryRecv()).toEqual({ ok: true, value: 1 });
  });

  it('an abort after the hand-off does not lose the value', async () => {
    const ch = chan<number>();
    const ac = new AbortController();
    const p = ch.recv({ signal: ac.signal });
    expect(ch.trySend(9)).toBe(true);
    ac.abort();
    await expect(p).resolves.toBe(9);
  });

  it('one abort listener per signal, however many receives park on it (no EventTarget call per operation)', async () => {
    const ch = chan<number>();
    const ac = new AbortController();
    let added = 0;
    let removed = 0;
    const signal = ac.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      add(...args);
    }) as typeof add;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      removed++;
      remove(...args);
    }) as typeof remove;
    for (let i = 0; i < 100; i++) {
      const p = ch.recv({ signal });
      ch.trySend(i);
      await p;
    }
    expect(added).toBe(1);
    expect(removed).toBe(0);
    // The shared listener still withdraws whatever is parked when the signal aborts.
    const parked = [ch.recv({ signal }), ch.recv({ signal })];
    const reason = new Error('stop');
    ac.abort(reason);
    for (const p of parked) await expect(p).rejects.toBe(reason);
    expect(ch.trySend(1)).toBe(false);
    expect(added).toBe(1);
  });
});

describe('the abort state gorx keeps for a signal (issue 14 item 1: no `aborted` getter per operation)', () => {
  /** A buffered channel holding one value, and a signal that gorx has seen twice (so it is watched). */
  function watchedSignal(): { ch: ReturnType<typeof chan<number>>; ac: AbortController } {
    const ch = chan<number>(1);
    const ac = new AbortController();
    for (let i = 0; i < 2; i++) {
      ch.trySend(i);
      void ch.recv({ signal: ac.signal });
    }
    ch.trySend(7);
    return { ch, ac };
  }

  it('an operation started right after abort() rejects and takes nothing, on a watched signal', async () => {
    const { ch, ac } = watchedSignal();
    ac.abort('stop');
    await expect(ch.recv({ signal: ac.signal })).rejects.toBe('stop');
    await expect(ch.send(1, { signal: ac.signal })).rejects.toBe('stop');
    await expect(select([recv(ch)], { signal: ac.signal })).rejects.toBe('stop');
    expect(ch.tryRecv()).toEqual({ ok: true, value: 7 });
  });

  it('an abort listener added before gorx saw the signal sees it aborted in its operations', async () => {
    const ch = chan<number>(1);
    const ac = new AbortController();
    const results: Promise<number>[] = [];
    // Runs before gorx's own listener: the signal is aborted, gorx's field not yet updated.
    ac.signal.addEventListener('abort', () => results.push(ch.recv({ signal: ac.signal })));
    for (let i = 0; i < 3; i++) {
      ch.trySend(i);
      await expect(ch.recv({ signal: ac.signal })).resolves.toBe(i);
    }
    ch.trySend(7);
    ac.abort('stop');
    expect(results).toHaveLength(1);
    await expect(results[0]).rejects.toBe('stop');
    expect(ch.tryRecv()).toEqual({ ok: true, value: 7 });
  });

  it('an abort listener added after gorx watches the signal sees it aborted in its operations', async () => {
    const { ch, ac } = watchedSignal();
    const results: Promise<number>[] = [];
    ac.signal.addEventListener('abort', () => results.push(ch.recv({ signal: ac.signal })));
    ac.abort('stop');
    expect(results).toHaveLength(1);
    await expect(results[0]).rejects.toBe('stop');
    expect(ch.tryRecv()).toEqual({ ok: true, value: 7 });
  });

  it('a signal of AbortSignal.any, watched, aborts with its source: at once and for parked operations', async () => {
    const ch = chan<number>(1);
    const source = new AbortController();
    const signal = AbortSignal.any([source.signal]);
    for (let i = 0; i < 3; i++) {
      ch.trySend(i);
      await expect(ch.recv({ signal })).resolves.toBe(i);
    }
    const parked = ch.recv({ signal });
    ch.trySend(5);
    await expect(parked).resolves.toBe(5);
    const parkedAgain = track(ch.recv({ signal }));
    source.abort('gone');
    await settle();
    expect(parkedAgain.result).toEqual({ state: 'rejected', reason: 'gone' });
    ch.trySend(7);
    await expect(ch.recv({ signal })).rejects.toBe('gone');
    expect(ch.tryRecv()).toEqual({ ok: true, value: 7 });
  });

  it('a duck-typed AbortSignal (a polyfill, another realm) works, read through its getter', async () => {
    const target = new EventTarget();
    let aborted = false;
    const signal = {
      get aborted() {
        return aborted;
      },
      reason: 'stop' as unknown,
      addEventListener: target.addEventListener.bind(target),
      removeEventListener: target.removeEventListener.bind(target),
    } as unknown as AbortSignal;
    const ch = chan<number>(1);
    for (let i = 0; i < 3; i++) {
      ch.trySend(i);
      await expect(ch.recv({ signal })).resolves.toBe(i);
    }
    const parked = track(ch.recv({ signal }));
    aborted = true;
    target.dispatchEvent(new Event('abort'));
    await settle();
    expect(parked.result).toEqual({ state: 'rejected', reason: 'stop' });
    ch.trySend(7);
    await expect(ch.recv({ signal })).rejects.toBe('stop');
    expect(ch.tryRecv()).toEqual({ ok: true, value: 7 });
  });

  it('a signal of AbortSignal.any is listened to only while an operation is parked on it (Node keeps such a signal alive while it has a listener)', async () => {
    const ch = chan<number>(1);
    const source = new AbortController();
    const signal = AbortSignal.any([source.signal]);
    for (let i = 0; i < 5; i++) {
      ch.trySend(i);
      await expect(ch.recv({ signal })).resolves.toBe(i);
    }
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    const parked = [ch.recv({ signal }), ch.recv({ signal })];
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    ch.trySend(1);
    ch.trySend(2);
    await expect(Promise.all(parked)).resolves.toEqual([1, 2]);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    // And it still aborts what parks on it later.
    const last = track(ch.recv({ signal }));
    source.abort('gone');
    await settle();
    expect(last.result).toEqual({ state: 'rejected', reason: 'gone' });
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('an operation started by a source listener sees a signal of AbortSignal.any aborted (it is read through its getter)', async () => {
    const ch = chan<number>(1);
    const source = new AbortController();
    const signal = AbortSignal.any([source.signal]);
    const parked = track(ch.recv({ signal }));
    const fromListener: ReturnType<typeof track>[] = [];
    // Registered on the source before AbortSignal.any's own propagation only on older Nodes; on
    // Node 23+ the composite is aborted before the source's listeners run. Either way, when the
    // composite says aborted, an operation on it must not proceed.
    source.signal.addEventListener('abort', () => {
      if (signal.aborted) fromListener.push(track(ch.send(9, { signal })));
    });
    source.abort('gone');
    await settle();
    expect(parked.result).toEqual({ state: 'rejected', reason: 'gone' });
    for (const p of fromListener) expect(p.result).toEqual({ state: 'rejected', reason: 'gone' });
    expect(ch.tryRecv()).toEqual({ ok: false, closed: false });
  });

  it("an 'abort' event dispatched by hand on a signal that has not aborted is not an abort", async () => {
    const { ch, ac } = watchedSignal();
    ac.signal.dispatchEvent(new Event('abort'));
    await expect(ch.recv({ signal: ac.signal })).resolves.toBe(7);
    const parked = track(ch.recv({ signal: ac.signal }));
    ac.abort('stop');
    await settle();
    expect(parked.result).toEqual({ state: 'rejected', reason: 'stop' });
  });

  it('a signal that cannot take a property (frozen) works like any other', async () => {
    const ac = new AbortController();
    Object.preventExtensions(ac.signal);
    const ch = chan<number>(1);
    for (let i = 0; i < 3; i++) {
      await ch.send(i, { signal: ac.signal });
      await expect(ch.recv({ signal: ac.signal })).resolves.toBe(i);
    }
    const parked = [track(ch.recv({ signal: ac.signal })), track(ch.recv({ signal: ac.signal }))];
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    ac.abort('stop');
    await settle();
    for (const p of parked) expect(p.result).toEqual({ state: 'rejected', reason: 'stop' });
    await expect(ch.send(1, { signal: ac.signal })).rejects.toBe('stop');
  });

  it('a signal given to a single operation gets no listener; from its second operation, one', async () => {
    const ch = chan<number>(1);
    const ac = new AbortController();
    ch.trySend(1);
    await ch.recv({ signal: ac.signal });
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    for (let i = 0; i < 10; i++) {
      ch.trySend(i);
      await ch.recv({ signal: ac.signal });
    }
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
  });
});

describe('close', () => {
  it('receivers drain the buffer, then reject ChannelClosedError', async () => {
    const ch = chan<number>(2);
    ch.trySend(1);
    ch.trySend(2);
    ch.close();
    expect(await ch.recv()).toBe(1);
    expect(ch.tryRecv()).toEqual({ ok: true, value: 2 });
    expect(ch.tryRecv()).toEqual({ ok: false, closed: true });
    const e = await ch.recv().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ChannelClosedError);
    expect((e as ChannelClosedError).code).toBe('ERR_CHANNEL_CLOSED');
  });

  it('close(error) makes drained receives reject with that error', async () => {
    const ch = chan<number>(1);
    ch.trySend(1);
    const boom = new TypeError('upstream');
    ch.close(boom);
    expect(await ch.recv()).toBe(1);
    await expect(ch.recv()).rejects.toBe(boom);
  });

  it('blocked senders reject ChannelClosedError and their values are never received', async () => {
    const ch = chan<number>(1);
    ch.trySend(0);
    const blocked = [ch.send(1), ch.send(2)];
    ch.close();
    for (const p of blocked) await expect(p).rejects.toBeInstanceOf(ChannelClosedError);
    expect(await ch.recv()).toBe(0);
    await expect(ch.recv()).rejects.toBeInstanceOf(ChannelClosedError);
  });

  it('trySend on a closed channel throws and closing twice throws', () => {
    const ch = chan<number>(1);
    ch.close();
    expect(() => ch.trySend(1)).toThrow(ChannelClosedError);
    expect(() => ch.close()).toThrow(ChannelClosedError);
  });

  it('a receiver woken by close that sends on the channel again sees it closed', () => {
    const ch = chan<number>();
    let ok: boolean | undefined;
    let error: unknown;
    ch.recvCallback((_v, okFlag) => {
      ok = okFlag;
      try {
        ch.trySend(1);
      } catch (e) {
        error = e;
      }
    });
    ch.close();
    expect(ok).toBe(false);
    expect(error).toBeInstanceOf(ChannelClosedError);
  });
});

describe('for await', () => {
  it('receives every value and ends when the channel is closed and drained', async () => {
    const ch = chan<number>();
    const producer = (async () => {
      for (let i = 0; i < 5; i++) await ch.send(i);
      ch.close();
    })();
    const got: number[] = [];
    for await (const v of ch) got.push(v);
    expect(got).toEqual([0, 1, 2, 3, 4]);
    await producer;
  });

  it('throws the close error after draining', async () => {
    const ch = chan<number>(2);
    ch.trySend(1);
    const boom = new Error('boom');
    const got: number[] = [];
    const loop = (async () => {
      for await (const v of ch) got.push(v);
    })();
    await settle();
    ch.close(boom);
    await expect(loop).rejects.toBe(boom);
    expect(got).toEqual([1]);
  });

  it('break leaves the values it did not take in the channel', async () => {
    const ch = chan<number>(Infinity);
    for (let i = 0; i < 5; i++) ch.trySend(i);
    for await (const v of ch) if (v === 1) break;
    expect(ch.length).toBe(3);
    const rest: number[] = [];
    ch.close();
    for await (const v of ch) rest.push(v);
    expect(rest).toEqual([2, 3, 4]);
  });

  it('return() withdraws a pending receive: no value is lost', async () => {
    const ch = chan<number>();
    const it = ch[Symbol.asyncIterator]();
    const pending = it.next();
    expect(parkedCount()).toBe(1);
    await expect(it.return!()).resolves.toEqual({ value: undefined, done: true });
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    expect(ch.trySend(1)).toBe(false); // nobody is receiving any more
    const later = ch.recv();
    expect(ch.trySend(2)).toBe(true);
    expect(await later).toBe(2);
    expect(await it.next()).toEqual({ value: undefined, done: true });
    expectIdle(ch);
  });

  it('two loops over one channel share its values without duplicates', async () => {
    const ch = chan<number>();
    const a: number[] = [];
    const b: number[] = [];
    const la = (async () => {
      for await (const v of ch) a.push(v);
    })();
    const lb = (async () => {
      for await (const v of ch) b.push(v);
    })();
    for (let i = 0; i < 100; i++) await ch.send(i);
    ch.close();
    await Promise.all([la, lb]);
    expect([...a, ...b].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('trySend and tryRecv', () => {
  it('tryRecv reports closed only once the channel is closed and drained', () => {
    const ch = chan<number>(1);
    expect(ch.tryRecv()).toEqual({ ok: false, closed: false });
    ch.trySend(1);
    ch.close();
    expect(ch.tryRecv()).toEqual({ ok: true, value: 1 });
    expect(ch.tryRecv()).toEqual({ ok: false, closed: true });
  });

  it('a tryRecv on a full buffered channel moves the first blocked sender into the buffer', async () => {
    const ch = chan<number>(1);
    ch.trySend(1);
    const s = track(ch.send(2));
    expect(ch.tryRecv()).toEqual({ ok: true, value: 1 });
    await settle();
    expect(s.result.state).toBe('fulfilled');
    expect(ch.length).toBe(1);
    expect(ch.tryRecv()).toEqual({ ok: true, value: 2 });
  });

  it('every successful tryRecv returns a result of its own', () => {
    const ch = chan<number>(2);
    ch.trySend(1);
    ch.trySend(2);
    const first = ch.tryRecv();
    const second = ch.tryRecv();
    expect(second).not.toBe(first);
    expect(first).toEqual({ ok: true, value: 1 });
    expect(second).toEqual({ ok: true, value: 2 });
  });

  it('tryRecv takes from a waiting sender of an unbuffered channel, without take watches', async () => {
    const ch = chan<number>();
    let watched = 0;
    const unwatch = impl(ch).addTakeWatch(() => watched++);
    const s = track(ch.send(5));
    expect(ch.tryRecv()).toEqual({ ok: true, value: 5 });
    expect(ch.tryRecv()).toEqual({ ok: false, closed: false });
    await settle();
    expect(s.result.state).toBe('fulfilled');
    expect(watched).toBe(0);
    unwatch();
    expectIdle(ch);
  });

  it('tryRecv from the buffer runs the take watches once the refill from a waiting sender is done', async () => {
    const ch = chan<number>(1);
    const lengths: number[] = [];
    const unwatch = impl(ch).addTakeWatch(() => lengths.push(ch.length));
    ch.trySend(1);
    const s = track(ch.send(2));
    expect(ch.tryRecv()).toEqual({ ok: true, value: 1 });
    expect(lengths).toEqual([1]);
    expect(ch.tryRecv()).toEqual({ ok: true, value: 2 });
    expect(lengths).toEqual([1, 0]);
    await settle();
    expect(s.result.state).toBe('fulfilled');
    unwatch();
    expectIdle(ch);
  });
});

describe('util.inspect', () => {
  it('shows the name, capacity, length, closed flag and waiters', async () => {
    const ch = chan<number>(2, { name: 'jobs' });
    ch.trySend(1);
    expect(inspect(ch)).toBe(
      'Chan "jobs" { capacity: 2, length: 1, closed: false, waitingReceivers: 0, waitingSenders: 0 }',
    );
    ch.trySend(2);
    const ac = new AbortController();
    const blocked = ch.send(3, { signal: ac.signal });
    expect(inspect(ch)).toContain('waitingSenders: 1');
    ac.abort();
    await expect(blocked).rejects.toBeDefined();
    const u = chan<number>(Infinity);
    expect(inspect(u)).toMatch(/^Chan #\d+ \{ capacity: unbounded, length: 0, closed: false/);
    const r = chan<number>();
    const ac2 = new AbortController();
    const waiting = r.recv({ signal: ac2.signal });
    expect(inspect(r)).toContain('waitingReceivers: 1');
    ac2.abort();
    await expect(waiting).rejects.toBeDefined();
    r.close();
    expect(inspect(r)).toContain('closed: true');
  });
});
