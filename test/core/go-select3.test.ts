// Port of Go's test/chan/select3.go: which channel operations and selects always proceed and
// which never do. Go's time-based "did it block for 0.1 s" check becomes "is it still pending once
// every microtask and one real macrotask turn have run", which is exact on a single event loop.
import { afterEach, describe, expect, it } from '@jest/globals';
import { ChannelClosedError, chan, recv, select, send, trySelect, type Chan } from 'gorx';
import { parkedCount } from '../../src/internal/park.js';
import { expectNothingLeft } from '../helpers/leaks.js';
import { expectIdle } from './support.js';
import { proceeds, track } from '../helpers/promise-state.js';

afterEach(() => expectNothingLeft());

const nil = null as Chan<number> | null;

function closedUnbuffered(): Chan<number> {
  const c = chan<number>();
  c.close();
  return c;
}

interface Row {
  name: string;
  /** Starts the operation; it must honour `signal` so a blocked one can be withdrawn. */
  op: (signal: AbortSignal) => Promise<unknown>;
}

const alwaysBlocks: Row[] = [
  { name: 'select with only a nil receive case', op: (signal) => select([recv(nil)], { signal }) },
  { name: 'select with only a nil send case', op: (signal) => select([send(nil, 7)], { signal }) },
  {
    name: 'select with a nil receive and a nil send case',
    op: (signal) => select([recv(nil), send(nil, 7)], { signal }),
  },
  { name: 'an empty select', op: (signal) => select([], { signal }) },
  {
    name: 'a receive from a non-ready unbuffered channel',
    op: (signal) => chan().recv({ signal }),
  },
  {
    name: 'a send on an unbuffered channel with no receiver',
    op: (signal) => chan<number>().send(7, { signal }),
  },
  {
    name: 'a send on a full buffered channel',
    op: (signal) => {
      const c = chan<number>(1);
      c.trySend(1);
      return c.send(7, { signal });
    },
  },
  {
    name: 'a select on a non-ready non-nil channel',
    op: (signal) => select([recv(chan<number>())], { signal }),
  },
  {
    name: 'a select that would only pair with itself on an unbuffered channel',
    op: (signal) => {
      const c = chan<number>();
      return select([send(c, 1), recv(c)], { signal });
    },
  },
];

const neverBlocks: Row[] = [
  {
    name: 'a send on a buffered channel with free space',
    op: () => chan<number>(1).send(7),
  },
  {
    name: 'a send on an unbounded channel',
    op: async () => {
      const c = chan<number>(Infinity);
      for (let i = 0; i < 1000; i++) await c.send(i);
    },
  },
  {
    name: 'ten receives from a closed channel (each rejects at once)',
    op: async () => {
      const c = closedUnbuffered();
      for (let i = 0; i < 10; i++) {
        await expect(c.recv()).rejects.toBeInstanceOf(ChannelClosedError);
        expect(c.tryRecv()).toEqual({ ok: false, closed: true });
      }
    },
  },
  {
    name: 'a select receiving from a closed channel',
    op: () => select([recv(closedUnbuffered())]),
  },
  {
    name: 'a select sending on a closed channel (rejects at once)',
    op: () => select([send(closedUnbuffered(), 7)]).catch(() => 'rejected'),
  },
  {
    name: 'a select with a ready buffered send case',
    op: () => select([send(chan<number>(1), 7)]),
  },
  {
    name: 'a select with a ready buffered receive case',
    op: () => {
      const c = chan<number>(1);
      c.trySend(7);
      return select([recv(c)]);
    },
  },
];

describe('select3: operations that always block', () => {
  it.each(alwaysBlocks)('$name never proceeds, and abort withdraws it', async ({ op }) => {
    const ac = new AbortController();
    const t = track(op(ac.signal));
    expect(await proceeds(t.promise)).toBe(false);
    expect(parkedCount()).toBe(1);
    const reason = new Error('withdrawn');
    ac.abort(reason);
    await expect(t.promise).rejects.toBe(reason);
    expect(parkedCount()).toBe(0);
  });
});

describe('select3: operations that never block', () => {
  it.each(neverBlocks)('$name proceeds without a partner', async ({ op }) => {
    expect(await proceeds(op(new AbortController().signal))).toBe(true);
    expect(parkedCount()).toBe(0);
  });
});

describe('select3: default cases (trySelect) and panics (synchronous throws)', () => {
  it('a nil send or receive case is never selected: trySelect takes the default', () => {
    expect(trySelect([send(nil, 7)])).toBeUndefined();
    expect(trySelect([recv(nil)])).toBeUndefined();
    expect(trySelect([recv(nil), send(nil, 7)])).toBeUndefined();
  });

  it('a select with only a default case takes it at once', () => {
    expect(trySelect([])).toBeUndefined();
  });

  it('a ready buffered send case beats the default', () => {
    const c = chan<number>(1);
    expect(trySelect([send(c, 7)])).toEqual({ index: 0, value: undefined, ok: true });
    expect(c.tryRecv()).toEqual({ ok: true, value: 7 });
  });

  it('a ready buffered receive case beats the default', () => {
    const c = chan<number>(1);
    c.trySend(7);
    expect(trySelect([recv(c)])).toEqual({ index: 0, value: 7, ok: true });
  });

  it('a receive case on a closed channel is ready and reports ok=false, every time', () => {
    const c = closedUnbuffered();
    for (let i = 0; i < 10; i++) {
      expect(trySelect([recv(c)])).toEqual({ index: 0, value: undefined, ok: false });
    }
  });

  it('a send on a closed channel throws ChannelClosedError (Go panics), plain or in a select', async () => {
    const c = closedUnbuffered();
    expect(() => c.trySend(7)).toThrow(ChannelClosedError);
    expect(() => trySelect([send(c, 7)])).toThrow(ChannelClosedError);
    await expect(c.send(7)).rejects.toBeInstanceOf(ChannelClosedError);
    await expect(select([send(c, 7)])).rejects.toBeInstanceOf(ChannelClosedError);
  });

  it('a select that sees itself on an unbuffered channel takes the default', () => {
    const c = chan<number>();
    expect(trySelect([send(c, 1), recv(c)])).toBeUndefined();
    expectIdle(c);
  });
});
