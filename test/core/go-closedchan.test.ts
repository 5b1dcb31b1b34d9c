// Port of Go's test/closedchan.go: every way of receiving from and sending to a closed channel,
// unbuffered and buffered (drained first), through plain operations, a one-case select and a
// select with an extra never-ready case. Go's zero value is gorx's `undefined`; Go's panics are
// ChannelClosedError (thrown by the synchronous operations, a rejection from the blocking ones).
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  ChannelClosedError,
  chan,
  recv,
  select,
  send,
  trySelect,
  type Chan,
  type SelectCase,
} from 'gorx';
import { expectNothingLeft } from '../helpers/leaks.js';
import { expectIdle } from './support.js';
import { proceeds, track } from '../helpers/promise-state.js';

afterEach(() => expectNothingLeft());

/** The operations of closedchan.go's `Chan` interface; `recv2` is Go's `x, ok := <-c`. */
interface Ops {
  impl: string;
  send(x: number): Promise<void>;
  nbsend(x: number): boolean;
  recv(): Promise<number | undefined>;
  nbrecv(): [number | undefined, boolean];
  recv2(): Promise<[number | undefined, boolean]>;
  nbrecv2(): [number | undefined, boolean, boolean];
}

/** Go's `v, ok := <-c` from gorx's plain recv, which rejects instead of giving a zero value. */
async function recvOk(c: Chan<number>): Promise<[number | undefined, boolean]> {
  try {
    return [await c.recv(), true];
  } catch (e) {
    expect(e).toBeInstanceOf(ChannelClosedError);
    return [undefined, false];
  }
}

function direct(c: Chan<number>): Ops {
  return {
    impl: 'plain operations',
    send: (x) => c.send(x),
    nbsend: (x) => c.trySend(x),
    recv: async () => (await recvOk(c))[0],
    nbrecv: () => {
      const r = c.tryRecv();
      return r.ok ? [r.value, true] : [undefined, r.closed];
    },
    recv2: () => recvOk(c),
    nbrecv2: () => {
      const r = c.tryRecv();
      return r.ok ? [r.value, true, true] : [undefined, false, r.closed];
    },
  };
}

/** Operations through select; `extra` cases (never ready) are put in front of the real one. */
function viaSelect(c: Chan<number>, extra: SelectCase[], impl: string): Ops {
  const at = extra.length;
  return {
    impl,
    send: async (x) => {
      const r = await select([...extra, send(c, x)]);
      expect(r.index).toBe(at);
    },
    nbsend: (x) => trySelect([...extra, send(c, x)]) !== undefined,
    recv: async () => (await select([...extra, recv(c)])).value as number | undefined,
    nbrecv: () => {
      const r = trySelect([...extra, recv(c)]);
      return r === undefined ? [undefined, false] : [r.value as number | undefined, true];
    },
    recv2: async () => {
      const r = await select([...extra, recv(c)]);
      expect(r.index).toBe(at);
      return [r.value as number | undefined, r.ok];
    },
    nbrecv2: () => {
      const r = trySelect([...extra, recv(c)]);
      return r === undefined
        ? [undefined, false, false]
        : [r.value as number | undefined, r.ok, true];
    },
  };
}

const dummy = chan<boolean>(0, { name: 'dummy' });
const makers: [string, (c: Chan<number>) => Ops][] = [
  ['plain operations', direct],
  ['a one-case select', (c) => viaSelect(c, [], 'select')],
  ['a select with a never-ready case', (c) => viaSelect(c, [recv(dummy)], 'larger select')],
];

function closedSync(): Chan<number> {
  const c = chan<number>();
  c.close();
  return c;
}

function closedAsync(): Chan<number> {
  const c = chan<number>(2);
  c.trySend(1);
  c.close();
  return c;
}

/** closedchan.go's test1: a closed, drained channel. */
async function test1(c: Ops): Promise<void> {
  for (let i = 0; i < 3; i++) {
    expect(await c.recv()).toBeUndefined();
    expect(await c.recv2()).toEqual([undefined, false]);
    // A closed channel is always ready: the non-blocking forms select it.
    expect(c.nbrecv()).toEqual([undefined, true]);
    expect(c.nbrecv2()).toEqual([undefined, false, true]);
  }
  expect(() => c.nbsend(1)).toThrow(ChannelClosedError);
  // The value of a failed send is discarded.
  expect(await c.recv()).toBeUndefined();
  await expect(c.send(2)).rejects.toBeInstanceOf(ChannelClosedError);
  expect(await c.recv()).toBeUndefined();
}

const drainFirst: [string, (c: Ops) => Promise<void>][] = [
  ['recv', async (c) => expect(await c.recv()).toBe(1)],
  ['recv2', async (c) => expect(await c.recv2()).toEqual([1, true])],
  ['nbrecv', async (c) => expect(c.nbrecv()).toEqual([1, true])],
  ['nbrecv2', async (c) => expect(c.nbrecv2()).toEqual([1, true, true])],
];

describe('closedchan', () => {
  it.each(makers)(
    'a closed unbuffered channel gives zero values, ok=false, and rejects sends (%s)',
    async (_name, mk) => {
      const c = closedSync();
      await test1(mk(c));
      expectIdle(c, dummy);
    },
  );

  describe.each(drainFirst)(
    'a closed buffered channel first yields its value (%s)',
    (_f, first) => {
      it.each(makers)('then behaves as closed and drained (%s)', async (_name, mk) => {
        const c = closedAsync();
        const ops = mk(c);
        await first(ops);
        await test1(ops);
        expectIdle(c, dummy);
      });
    },
  );

  it('a plain receive from a closed, drained channel rejects ChannelClosedError', async () => {
    await expect(closedSync().recv()).rejects.toBeInstanceOf(ChannelClosedError);
    const c = closedAsync();
    await expect(c.recv()).resolves.toBe(1);
    await expect(c.recv()).rejects.toBeInstanceOf(ChannelClosedError);
  });

  it('closing a closed channel throws ChannelClosedError', () => {
    const c = chan<number>();
    c.close();
    expect(() => c.close()).toThrow(ChannelClosedError);
    const b = closedAsync();
    expect(() => b.close(new Error('again'))).toThrow(ChannelClosedError);
  });
});

// Go's closedchan.go leaves "close with blocked senders/receivers" as a TODO; gorx defines it.
describe('closedchan: closing while operations are blocked', () => {
  it('wakes every blocked receiver, plain or select, with "closed" and never a value', async () => {
    const c = chan<number>(0, { name: 'c' });
    const plain = track(c.recv());
    const sel = track(select([recv(c), recv(dummy)]));
    const ok = track(recvOk(c));
    expect(await proceeds(plain.promise)).toBe(false);
    c.close();
    await expect(plain.promise).rejects.toBeInstanceOf(ChannelClosedError);
    await expect(sel.promise).resolves.toEqual({ index: 0, value: undefined, ok: false });
    await expect(ok.promise).resolves.toEqual([undefined, false]);
    expectIdle(c, dummy);
  });

  it('rejects every blocked sender, plain or select, and drops their values', async () => {
    for (const capacity of [0, 1]) {
      const c = chan<number>(capacity);
      if (capacity > 0) c.trySend(0);
      const plain = track(c.send(1));
      const sel = track(select([send(c, 2), recv(dummy)]));
      expect(await proceeds(plain.promise)).toBe(false);
      c.close();
      await expect(plain.promise).rejects.toBeInstanceOf(ChannelClosedError);
      await expect(sel.promise).rejects.toBeInstanceOf(ChannelClosedError);
      // Only what was buffered before the close is delivered.
      if (capacity > 0) expect(c.tryRecv()).toEqual({ ok: true, value: 0 });
      expect(c.tryRecv()).toEqual({ ok: false, closed: true });
      expectIdle(c, dummy);
    }
  });

  it('close(error): blocked and later plain receives reject with that error, select reports ok=false', async () => {
    const c = chan<number>(1);
    const blocked = track(c.recv());
    const boom = new Error('producer failed');
    await proceeds(blocked.promise);
    c.close(boom);
    await expect(blocked.promise).rejects.toBe(boom);
    await expect(c.recv()).rejects.toBe(boom);
    expect(await select([recv(c)])).toEqual({ index: 0, value: undefined, ok: false });
    expect(c.tryRecv()).toEqual({ ok: false, closed: true });
    await expect(c.send(1)).rejects.toBeInstanceOf(ChannelClosedError);
  });

  it('close(error) still lets the buffered values be received first', async () => {
    const c = chan<number>(3);
    c.trySend(1);
    c.trySend(2);
    const boom = new Error('boom');
    c.close(boom);
    expect(c.closed).toBe(true);
    expect(await c.recv()).toBe(1);
    expect(await select([recv(c)])).toEqual({ index: 0, value: 2, ok: true });
    await expect(c.recv()).rejects.toBe(boom);
  });
});
