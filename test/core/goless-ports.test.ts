// Ports of goless's tests/test_channels.py and tests/test_select.py, where goless matches Go.
// Skipped: goless's chan(None)/chan(-1) constructors (gorx uses 0 and Infinity; -1 is a
// RangeError, tested below) and its multiple-default-case assertion (gorx has no default case
// object: trySelect is select-with-default).
import { afterEach, describe, expect, it } from '@jest/globals';
import { ChannelClosedError, chan, go, recv, select, send, trySelect, type Chan } from 'gorx';
import { expectNothingLeft } from '../helpers/leaks.js';
import { expectIdle } from './support.js';
import { proceeds, track } from '../helpers/promise-state.js';
import { settle } from '../helpers/turns.js';

afterEach(() => expectNothingLeft());

describe('goless channels', () => {
  it('chan() makes unbuffered, buffered and unbounded channels; bad sizes are RangeErrors', () => {
    expect(chan().capacity).toBe(0);
    expect(chan(1).capacity).toBe(1);
    expect(chan(Infinity).capacity).toBe(Infinity);
    for (const size of [-1, '', null, NaN]) {
      expect(() => chan(size as number)).toThrow(RangeError);
    }
  });

  it('an unbuffered channel hands values from two senders over one at a time, in order', async () => {
    const ch = chan<number>();
    const results: number[] = [];
    const g1 = go(async () => ch.send(1));
    const g2 = go(async () => {
      expect(results).toEqual([]);
      await ch.send(2);
    });
    results.push(await ch.recv(), await ch.recv());
    expect(results).toEqual([1, 2]);
    await Promise.all([g1.done, g2.done]);
    expectIdle(ch);
  });

  it('an unbounded channel takes 10,000 sends without blocking and drains them all after close', async () => {
    const ch = chan<undefined>(Infinity);
    let accepted = 0;
    for (let i = 0; i < 10_000; i++) if (ch.trySend(undefined)) accepted++;
    expect(accepted).toBe(10_000);
    ch.close();
    let n = 0;
    for await (const _ of ch) n++;
    expect(n).toBe(10_000);
  });

  it('a buffered channel holds every value a producer sent before it signalled the end', async () => {
    const results = chan<number>(5);
    const end = chan<void>();
    const g = go(async () => {
      for (let num = 0; num < 5; num++) await results.send(num * num);
      await end.send();
    });
    await end.recv();
    expect(results.length).toBe(5);
    const got: number[] = [];
    for (let i = 0; i < 5; i++) got.push(await results.recv());
    expect(got).toEqual([0, 1, 4, 9, 16]);
    await g.done;
  });

  it('a buffered channel blocks a sender at its capacity until receives make room', async () => {
    const ch = chan<number>(2);
    const markers: number[] = [];
    const g = go(async () => {
      for (const v of [4, 3, 2, 1]) {
        await ch.send(v);
        markers.push(v);
      }
    });
    await settle();
    expect(markers).toEqual([4, 3]);
    const got = [await ch.recv(), await ch.recv()];
    await settle();
    expect(markers).toEqual([4, 3, 2, 1]);
    expect(got).toEqual([4, 3]);
    got.push(await ch.recv(), await ch.recv());
    expect(got).toEqual([4, 3, 2, 1]);
    await g.done;
  });

  it('a buffered channel blocks a receiver until a value is sent', async () => {
    const ch = chan<number>(1);
    const markers: number[] = [];
    const g = go(async () => {
      markers.push(await ch.recv());
      markers.push(await ch.recv());
    });
    await settle();
    expect(markers).toEqual([]);
    await ch.send(1);
    await settle();
    expect(markers).toEqual([1]);
    await ch.send(2);
    await settle();
    expect(markers).toEqual([1, 2]);
    await g.done;
  });

  it('a send on a closed channel raises', async () => {
    const ch = chan<unknown>(1);
    await ch.send(undefined);
    ch.close();
    await expect(ch.send(undefined)).rejects.toBeInstanceOf(ChannelClosedError);
  });

  it('a receive on a closed channel raises only after the channel empties', async () => {
    const ch = chan<string>(1);
    await ch.send('hi');
    ch.close();
    expect(await ch.recv()).toBe('hi');
    await expect(ch.recv()).rejects.toBeInstanceOf(ChannelClosedError);
  });

  it('ranging over a closed channel yields its buffered values and ends', async () => {
    const ch = chan<number>(2);
    await ch.send(1);
    await ch.send(2);
    ch.close();
    const items: number[] = [];
    for await (const o of ch) items.push(o);
    expect(items).toEqual([1, 2]);
  });
});

describe.each([1, 0])('goless select cases on a channel of capacity %d', (chansize) => {
  function setup(): Chan<number> {
    return chan<number>(chansize);
  }

  it('a receive case is ready exactly while a value waits, and executing it takes the value', async () => {
    const ch = setup();
    expect(trySelect([recv(ch)])).toBeUndefined();
    const sent = ch.send(1);
    await settle();
    expect(trySelect([recv(ch)])).toEqual({ index: 0, value: 1, ok: true });
    await sent;
    expect(trySelect([recv(ch)])).toBeUndefined();
    expectIdle(ch);
  });

  it('a send case is ready when there is room or a receiver waits, and executing it delivers', async () => {
    const ch = setup();
    // Ready by default only when buffered; probe with a real send that we then undo.
    const first = trySelect([send(ch, 1)]);
    expect(first !== undefined).toBe(chansize > 0);
    if (first !== undefined) {
      expect(trySelect([send(ch, 2)])).toBeUndefined(); // full
      expect(ch.tryRecv()).toEqual({ ok: true, value: 1 });
    }
    const got = ch.recv();
    await settle();
    expect(trySelect([send(ch, 7)])).toEqual({ index: 0, value: undefined, ok: true });
    expect(await got).toBe(7);
    expectIdle(ch);
  });
});

describe('goless select', () => {
  it('uses the default when no case is ready', () => {
    const chan1 = chan<number>();
    expect(trySelect([recv(chan1)])).toBeUndefined();
  });

  it('chooses the ready case over a non-ready one and the default', async () => {
    const ready = chan<number>(1);
    const notReady = chan<number>(1);
    await ready.send(3);
    expect(trySelect([recv(notReady), recv(ready)])).toEqual({ index: 1, value: 3, ok: true });
  });

  it('without a default and with nothing ready, blocks until a case becomes ready', async () => {
    const chan1 = chan<number>();
    const chan2 = chan<number>();
    const t = track(select([recv(chan2), recv(chan1)]));
    expect(await proceeds(t.promise)).toBe(false);
    await chan1.send(5);
    expect(await t.promise).toEqual({ index: 1, value: 5, ok: true });
    expectIdle(chan1, chan2);
  });

  it('the main program can select on a send case', async () => {
    const chan1 = chan<number>(1);
    expect(await select([send(chan1, 3)])).toEqual({ index: 0, value: undefined, ok: true });
    expect(chan1.tryRecv()).toEqual({ ok: true, value: 3 });
  });
});
