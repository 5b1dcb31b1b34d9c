// Contract tests for select (API.md section 2) beyond the Go and goless ports.
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
  go,
} from 'gorx';
import { parkedCount } from '../../src/internal/park.js';
import { expectNothingLeft } from '../helpers/leaks.js';
import { expectIdle, waiters } from './support.js';
import { proceeds, track } from '../helpers/promise-state.js';
import { settle } from '../helpers/turns.js';

afterEach(() => expectNothingLeft());

const TRIALS = 4000;

/** Counts of how often each index fired; ready cases must be chosen uniformly at random. */
function expectUniform(counts: number[]): void {
  const expected = TRIALS / counts.length;
  // A generous fixed bound: about 7 standard deviations for 4 cases, never hit by a fair choice.
  for (const n of counts) expect(Math.abs(n - expected)).toBeLessThan(expected * 0.2);
}

describe('random choice among ready cases', () => {
  it('select picks each of four ready receive cases about equally often', async () => {
    const cs = [0, 1, 2, 3].map(() => chan<number>(1));
    const counts = [0, 0, 0, 0];
    for (let t = 0; t < TRIALS; t++) {
      for (const c of cs) if (c.length === 0) c.trySend(t);
      const r = await select(cs.map((c) => recv(c)));
      counts[r.index]!++;
    }
    expectUniform(counts);
  });

  it('trySelect picks each of four ready mixed cases about equally often', () => {
    const ins = [chan<number>(1), chan<number>(1)];
    const outs = [chan<number>(1), chan<number>(1)];
    const counts = [0, 0, 0, 0];
    for (let t = 0; t < TRIALS; t++) {
      for (const c of ins) if (c.length === 0) c.trySend(t);
      for (const c of outs) c.tryRecv();
      const r = trySelect([recv(ins[0]!), send(outs[0]!, t), recv(ins[1]!), send(outs[1]!, t)]);
      counts[r!.index]!++;
    }
    expectUniform(counts);
  });

  it('cases that are not ready are never chosen', () => {
    const ready = chan<number>(1);
    const idle = chan<number>();
    for (let t = 0; t < 200; t++) {
      ready.trySend(t);
      expect(trySelect([recv(idle), recv(null), recv(ready), send(idle, 1)])?.index).toBe(2);
    }
  });
});

describe('exactly one case fires', () => {
  it('when every case is ready, only the chosen one takes or gives a value', async () => {
    for (let t = 0; t < 200; t++) {
      const a = chan<number>(1);
      const b = chan<number>(1);
      const out = chan<number>(1);
      a.trySend(1);
      b.trySend(2);
      const r = await select([recv(a), recv(b), send(out, 3)]);
      const after = [
        [0, 1, 0],
        [1, 0, 0],
        [1, 1, 1],
      ][r.index];
      expect([a.length, b.length, out.length]).toEqual(after);
    }
  });

  it('a parked select fires once; the partner of a losing case still waits', async () => {
    const a = chan<number>();
    const b = chan<number>();
    const p = select([recv(a), recv(b)]);
    expect(a.trySend(1)).toBe(true);
    expect(b.trySend(2)).toBe(false); // the select already fired: nobody receives on b
    expect(await p).toEqual({ index: 0, value: 1, ok: true });
    expectIdle(a, b);
  });

  it('a parked send select gives its value to exactly one receiver', async () => {
    const a = chan<string>();
    const b = chan<string>();
    const p = select([send(a, 'x'), send(b, 'x')]);
    expect(a.tryRecv()).toEqual({ ok: true, value: 'x' });
    expect(b.tryRecv()).toEqual({ ok: false, closed: false });
    expect(await p).toEqual({ index: 0, value: undefined, ok: true });
    expectIdle(a, b);
  });

  it('the same channel in two cases of one select is taken from once', async () => {
    const c = chan<number>();
    const p = select([recv(c), recv(c)]);
    expect(c.trySend(1)).toBe(true);
    expect(c.trySend(2)).toBe(false);
    expect((await p).value).toBe(1);
    expectIdle(c);
  });
});

describe('several cases on one channel and direction', () => {
  it('queue one waiter, and the first of them fires', async () => {
    const c = chan<number>();
    const p = select([send(c, 1), recv(c), send(c, 2), recv(c)]);
    expect(waiters(c)).toEqual({ receivers: 1, senders: 1 });
    expect(c.tryRecv()).toEqual({ ok: true, value: 1 });
    expect(await p).toEqual({ index: 0, value: undefined, ok: true });
    expectIdle(c);
    const q = select([send(c, 1), recv(c), send(c, 2), recv(c)]);
    expect(c.trySend(7)).toBe(true);
    expect(await q).toEqual({ index: 1, value: 7, ok: true });
    expectIdle(c);
  });

  it('still queue once when other channels come between them', async () => {
    const a = chan<number>();
    const b = chan<number>();
    const p = select([send(a, 1), recv(b), recv(null), send(a, 3), recv(b)]);
    expect([waiters(a), waiters(b)]).toEqual([
      { receivers: 0, senders: 1 },
      { receivers: 1, senders: 0 },
    ]);
    expect(b.trySend(5)).toBe(true);
    expect(await p).toEqual({ index: 1, value: 5, ok: true });
    expectIdle(a, b);
  });

  it('of two selects sharing one case array are queued for each select', async () => {
    const c = chan<number>();
    const cases = [recv(c), recv(c)] as const;
    const p1 = select(cases);
    const p2 = select(cases);
    expect(waiters(c)).toEqual({ receivers: 2, senders: 0 });
    expect(c.trySend(1)).toBe(true);
    expect(c.trySend(2)).toBe(true);
    expect(await Promise.all([p1, p2])).toEqual([
      { index: 0, value: 1, ok: true },
      { index: 0, value: 2, ok: true },
    ]);
    // The array again, once both have fired.
    const p3 = select(cases);
    expect(c.trySend(3)).toBe(true);
    expect(await p3).toEqual({ index: 0, value: 3, ok: true });
    expectIdle(c);
  });

  it('are all withdrawn by an abort, and by a kill', async () => {
    const a = chan<number>();
    const b = chan<number>();
    const cases = [recv(a), send(b, 1), recv(a), send(b, 2)] as const;
    const ac = new AbortController();
    const p = select(cases, { signal: ac.signal });
    ac.abort('gone');
    await expect(p).rejects.toBe('gone');
    expectIdle(a, b);
    const g = go(function* () {
      yield select(cases);
    });
    expect(waiters(a)).toEqual({ receivers: 1, senders: 0 });
    await g.kill();
    expect(g.state).toBe('killed');
    expectIdle(a, b);
  });

  it('a closed channel fires the first of them', async () => {
    const c = chan<number>();
    const p = select([recv(null), recv(c), recv(c)]);
    c.close();
    expect(await p).toEqual({ index: 1, value: undefined, ok: false });
    const d = chan<number>();
    const q = select([send(d, 1), send(d, 2)]);
    expect(waiters(d)).toEqual({ receivers: 0, senders: 1 });
    d.close();
    await expect(q).rejects.toBeInstanceOf(ChannelClosedError);
    expectIdle(c, d);
  });
});

describe('self-pairing', () => {
  it('a select never pairs with itself, but another operation can pair with either case', async () => {
    for (const [kind, expected] of [
      ['recv', { index: 0, value: undefined, ok: true }],
      ['send', { index: 1, value: 5, ok: true }],
    ] as const) {
      const c = chan<number>();
      const t = track(select([send(c, 5), recv(c)]));
      expect(await proceeds(t.promise)).toBe(false);
      if (kind === 'recv') expect(await c.recv()).toBe(5);
      else await c.send(5);
      expect(await t.promise).toEqual(expected);
      expectIdle(c);
    }
  });

  it('two selects each offering send and recv on one channel pair with each other', async () => {
    const c = chan<number>();
    const p1 = select([send(c, 1), recv(c)]);
    const p2 = select([send(c, 2), recv(c)]);
    const [r1, r2] = await Promise.all([p1, p2]);
    // One sent, the other received what it sent.
    expect([r1.index, r2.index].sort()).toEqual([0, 1]);
    const received = r1.index === 1 ? r1.value : r2.value;
    expect(received).toBe(r1.index === 0 ? 1 : 2);
    expectIdle(c);
  });
});

describe('closed channels in select', () => {
  it('a recv case on a closed, drained channel fires with ok=false', async () => {
    const c = chan<number>();
    const p = select([recv(c)]);
    c.close();
    expect(await p).toEqual({ index: 0, value: undefined, ok: false });
  });

  it('a send case on a closed channel rejects ChannelClosedError, ready or parked', async () => {
    const c = chan<number>();
    const idle = chan<number>();
    const parked = select([send(c, 1), recv(idle)]);
    c.close();
    await expect(parked).rejects.toBeInstanceOf(ChannelClosedError);
    await expect(select([send(c, 1), recv(idle)])).rejects.toBeInstanceOf(ChannelClosedError);
    expectIdle(idle);
  });
});

describe('closing a channel a select waits on in both directions', () => {
  it('fires the receive case with ok=false, as Go does', async () => {
    const c = chan<number>();
    const p = select([send(c, 1), recv(c)]);
    c.close();
    expect(await p).toEqual({ index: 1, value: undefined, ok: false });
    expectIdle(c);
  });
});

describe('promise cases', () => {
  it('fires with the resolved value when the promise wins', async () => {
    const idle = chan<number>();
    let resolve!: (v: string) => void;
    const p = select([recv(idle), recv(new Promise<string>((r) => (resolve = r)))]);
    expect(await proceeds(p)).toBe(false);
    resolve('done');
    expect(await p).toEqual({ index: 1, value: 'done', ok: true });
    expectIdle(idle);
  });

  it('rejects the select when the promise rejects', async () => {
    const boom = new Error('boom');
    await expect(select([recv(chan<number>()), recv(Promise.reject(boom))])).rejects.toBe(boom);
  });

  it('a promise settling after a channel case won is ignored', async () => {
    const c = chan<number>(1);
    let reject!: (e: unknown) => void;
    const p = select([recv(new Promise<number>((_r, j) => (reject = j))), recv(c)]);
    c.trySend(4);
    expect(await p).toEqual({ index: 1, value: 4, ok: true });
    reject(new Error('too late'));
    await settle();
  });

  it('accepts a thenable that calls back synchronously', async () => {
    const thenable: PromiseLike<number> = {
      then(onFulfilled) {
        onFulfilled?.(8);
        return undefined as never;
      },
    };
    expect(await select([recv(chan<number>()), recv(thenable)])).toEqual({
      index: 1,
      value: 8,
      ok: true,
    });
  });

  it('is ready for trySelect only once gorx has observed it settle', async () => {
    const p = Promise.resolve(1);
    expect(trySelect([recv(p)])).toBeUndefined();
    await settle();
    expect(trySelect([recv(p)])).toEqual({ index: 0, value: 1, ok: true });
    expect(trySelect([recv(p)])).toEqual({ index: 0, value: 1, ok: true }); // a promise stays settled
  });

  it('an observed rejection makes trySelect and select fail with the reason', async () => {
    const boom = new Error('boom');
    const p = Promise.reject(boom);
    expect(trySelect([recv(p)])).toBeUndefined();
    await settle();
    expect(() => trySelect([recv(p)])).toThrow(boom);
    await expect(select([recv(p)])).rejects.toBe(boom);
  });

  it('an observed settled promise competes fairly with a ready channel', async () => {
    const p = Promise.resolve('p');
    trySelect([recv(p)]);
    await settle();
    const c = chan<string>(1);
    const counts = [0, 0];
    for (let t = 0; t < TRIALS; t++) {
      if (c.length === 0) c.trySend('c');
      counts[trySelect([recv(c), recv(p)])!.index]!++;
    }
    expectUniform(counts);
  });

  it('many selects waiting on one long-lived promise leave nothing behind when they fire elsewhere', async () => {
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const c = chan<number>();
    for (let i = 0; i < 1000; i++) {
      const r = select([recv(c), recv(stopped)]);
      c.trySend(i);
      expect((await r).index).toBe(0);
    }
    const last = select([recv(c), recv(stopped)]);
    stop();
    expect(await last).toEqual({ index: 1, value: undefined, ok: true });
    expectIdle(c);
  });
});

describe('abort', () => {
  it('withdraws every case and rejects with the reason', async () => {
    const a = chan<number>();
    const b = chan<number>();
    const c = chan<number>();
    const ac = new AbortController();
    const p = select([recv(a), send(b, 1), recv(c), recv(new Promise<never>(() => {}))], {
      signal: ac.signal,
    });
    expect(parkedCount()).toBe(1);
    ac.abort('gone');
    await expect(p).rejects.toBe('gone');
    expect(a.trySend(1)).toBe(false);
    expect(b.tryRecv()).toEqual({ ok: false, closed: false });
    expectIdle(a, b, c);
  });

  it('an already-aborted signal rejects without performing a ready case', async () => {
    const a = chan<number>(1);
    a.trySend(1);
    const ac = new AbortController();
    ac.abort('early');
    await expect(select([recv(a)], { signal: ac.signal })).rejects.toBe('early');
    expect(a.length).toBe(1);
  });
});

describe('bad cases', () => {
  const c = chan<number>();
  const bad: [string, unknown[], RegExp][] = [
    ['a plain object', [recv(c), {}], /case 1 is not a select case/],
    ['null', [null], /case 0 is not a select case/],
    ['a channel', [recv(c), send(c, 1), c], /case 2 is not a select case/],
    [
      'an unknown kind on a channel',
      [recv(c), { kind: 'peek', ch: c }],
      /case 1 is not a select case/,
    ],
    ['a number in recv()', [recv(42 as unknown as Chan<number>)], /case 0 has a number/],
    ['a promise in send()', [recv(c), send(Promise.resolve() as never, 1)], /case 1 has an object/],
  ];

  it.each(bad)('%s is a TypeError naming its position', (_name, cases, message) => {
    expect(() => trySelect(cases as SelectCase[])).toThrow(TypeError);
    expect(() => trySelect(cases as SelectCase[])).toThrow(message);
    expect(() => select(cases as SelectCase[])).toThrow(message);
    expectIdle(c);
  });

  it('a non-array is a TypeError', () => {
    expect(() => select(recv(c) as unknown as SelectCase[])).toThrow(TypeError);
  });

  it('a channel from another copy of gorx is a TypeError that says so', () => {
    const foreign = { [Symbol.for('gorx.channel')]: true, recv() {}, send() {} };
    expect(() => trySelect([recv(c), recv(foreign as unknown as Chan<number>)])).toThrow(
      /case 1 uses a channel made by a different copy of gorx/,
    );
  });

  it('a bad case fails before any other case is performed', () => {
    const ready = chan<number>(1);
    ready.trySend(1);
    expect(() => trySelect([recv(ready), {} as SelectCase])).toThrow(TypeError);
    expect(ready.length).toBe(1);
    const peek = { kind: 'peek', ch: ready } as unknown as SelectCase;
    expect(() => trySelect([recv(ready), peek])).toThrow(/case 1 is not a select case/);
    expect(() => select([recv(ready), peek])).toThrow(/case 1 is not a select case/);
    expect(ready.length).toBe(1);
  });
});
