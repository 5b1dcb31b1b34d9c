// Contract tests for the adapter-level callbacks: recvCallback and selectCallback run their
// callback synchronously at the moment of hand-off, and cancel() withdraws what is pending.
import { afterEach, describe, expect, it } from '@jest/globals';
import { ChannelClosedError, chan, recv, selectCallback, send, type SelectCase } from 'gorx';
import { expectNothingLeft } from '../helpers/leaks.js';
import { expectIdle } from './support.js';
import { captureUncaught } from './support-uncaught.js';

afterEach(() => expectNothingLeft());

describe('recvCallback', () => {
  it('runs at once, before it returns, when a value is ready', () => {
    const ch = chan<number>(1);
    ch.trySend(1);
    const log: string[] = [];
    const cancel = ch.recvCallback((v, ok) => log.push(`got ${v} ${ok}`));
    log.push('returned');
    expect(log).toEqual(['got 1 true', 'returned']);
    expect(cancel()).toBe(false);
  });

  it('runs synchronously inside the send that hands the value over', () => {
    const ch = chan<string>();
    const log: string[] = [];
    ch.recvCallback((v) => log.push(`got ${v}`));
    log.push('before send');
    expect(ch.trySend('a')).toBe(true);
    log.push('after send');
    expect(log).toEqual(['before send', 'got a', 'after send']);
    expectIdle(ch);
  });

  it('cancel withdraws the pending receive: the callback never runs and nothing is taken', () => {
    const ch = chan<number>();
    let calls = 0;
    const cancel = ch.recvCallback(() => calls++);
    expect(cancel()).toBe(true);
    expect(cancel()).toBe(false);
    expect(ch.trySend(1)).toBe(false);
    ch.close();
    expect(calls).toBe(0);
    expectIdle(ch);
  });

  it('reports closed (ok=false) with the close error, at once or when the channel closes', () => {
    const ch = chan<number>();
    const seen: unknown[][] = [];
    ch.recvCallback((...args) => seen.push(args));
    const boom = new Error('boom');
    ch.close(boom);
    ch.recvCallback((...args) => seen.push(args));
    expect(seen).toEqual([
      [undefined, false, boom],
      [undefined, false, boom],
    ]);
  });

  it('takes from a blocked sender, which then completes', async () => {
    const ch = chan<number>();
    const sent = ch.send(3);
    let got: number | undefined;
    ch.recvCallback((v) => (got = v));
    expect(got).toBe(3);
    await sent;
  });

  it('a non-function callback is a TypeError', () => {
    expect(() => chan().recvCallback(42 as never)).toThrow(TypeError);
  });
});

describe('selectCallback', () => {
  const fail = (): never => {
    throw new Error('must not be called');
  };

  it('commits a ready case at once, before it returns', () => {
    const a = chan<number>(1);
    a.trySend(5);
    const log: unknown[] = [];
    const cancel = selectCallback([recv(a)], (r) => log.push(r), fail);
    log.push('returned');
    expect(log).toEqual([{ index: 0, value: 5, ok: true }, 'returned']);
    expect(cancel()).toBe(false);
  });

  it('runs onResult synchronously inside the operation that completes a parked case', () => {
    const a = chan<number>();
    const b = chan<number>();
    const log: unknown[] = [];
    selectCallback([recv(a), send(b, 7)], (r) => log.push(r), fail);
    log.push('parked');
    expect(b.tryRecv()).toEqual({ ok: true, value: 7 });
    log.push('after recv');
    expect(log).toEqual(['parked', { index: 1, value: undefined, ok: true }, 'after recv']);
    expect(a.trySend(1)).toBe(false);
    expectIdle(a, b);
  });

  it('cancel withdraws every case: nothing is taken or given', () => {
    const a = chan<number>();
    const b = chan<number>();
    const cancel = selectCallback([recv(a), send(b, 1)], fail, fail);
    expect(cancel()).toBe(true);
    expect(cancel()).toBe(false);
    expect(a.trySend(1)).toBe(false);
    expect(b.tryRecv()).toEqual({ ok: false, closed: false });
    expectIdle(a, b);
  });

  it('reports a send case on a closed channel through onError', () => {
    const a = chan<number>();
    const errors: unknown[] = [];
    selectCallback([send(a, 1)], fail, (e) => errors.push(e));
    a.close();
    selectCallback([send(a, 1)], fail, (e) => errors.push(e));
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(e).toBeInstanceOf(ChannelClosedError);
  });

  it('reports a rejected promise case through onError, and cancel after it returns false', async () => {
    const boom = new Error('boom');
    const errors: unknown[] = [];
    const cancel = selectCallback([recv(Promise.reject(boom))], fail, (e) => errors.push(e));
    await Promise.resolve();
    await Promise.resolve();
    expect(errors).toEqual([boom]);
    expect(cancel()).toBe(false);
  });

  it('bad callbacks and bad cases are TypeErrors', () => {
    expect(() => selectCallback([], 1 as never, fail)).toThrow(TypeError);
    expect(() => selectCallback([{} as SelectCase], fail, fail)).toThrow(/case 0/);
  });
});

describe('re-entrancy at the moment of hand-off', () => {
  const fail = (): never => {
    throw new Error('must not be called');
  };

  it('a receiver that re-registers from inside its callback gets every value once, in order', async () => {
    for (const capacity of [0, 2]) {
      const ch = chan<number>(capacity);
      const got: number[] = [];
      const listen = (): void => {
        ch.recvCallback((v, ok) => {
          if (!ok) return;
          got.push(v!);
          listen();
        });
      };
      listen();
      const sends = Array.from({ length: 10 }, (_, i) => ch.send(i));
      await Promise.all(sends);
      ch.close();
      expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expectIdle(ch);
    }
  });

  it('a sender completion that receives from the same channel gets the next value, never the same one', () => {
    const c = chan<string>(1);
    c.trySend('a');
    let inner: unknown;
    selectCallback(
      [send(c, 'b')],
      () => {
        inner = c.tryRecv();
      },
      fail,
    );
    const outer = c.tryRecv();
    expect(outer).toEqual({ ok: true, value: 'a' });
    expect(inner).toEqual({ ok: true, value: 'b' });
    expect(c.tryRecv()).toEqual({ ok: false, closed: false });
    expectIdle(c);
  });

  it('closing the channel from inside a hand-off callback keeps the value that was handed off', async () => {
    const c = chan<number>();
    const seen: [number | undefined, boolean][] = [];
    c.recvCallback((v, ok) => {
      seen.push([v, ok]);
      c.close();
    });
    const second = c.recv().catch((e: unknown) => e);
    expect(c.trySend(1)).toBe(true);
    expect(seen).toEqual([[1, true]]);
    expect(await second).toBeInstanceOf(ChannelClosedError);
    expect(c.closed).toBe(true);
  });

  it('a receiver woken by close may register again and is told at once that the channel is closed', () => {
    const c = chan<number>();
    const seen: boolean[] = [];
    c.recvCallback((_v, ok) => {
      seen.push(ok);
      c.recvCallback((_w, ok2) => seen.push(ok2));
    });
    c.close();
    expect(seen).toEqual([false, false]);
  });
});

describe('callbacks that throw', () => {
  it('a throwing onResult is reported later and does not stop the operation that woke it', async () => {
    const c = chan<number>();
    const boom = new Error('onResult threw');
    let sent: Promise<void> | undefined;
    const caught = await captureUncaught(() => {
      selectCallback(
        [recv(c)],
        () => {
          throw boom;
        },
        () => {},
      );
      sent = c.send(1);
    });
    await expect(sent).resolves.toBeUndefined();
    expect(caught).toEqual([boom]);
    expectIdle(c);
  });

  it('a throwing recvCallback is reported later and close still wakes every other waiter', async () => {
    const c = chan<number>();
    const boom = new Error('callback threw');
    let other: Promise<unknown> | undefined;
    const caught = await captureUncaught(() => {
      c.recvCallback(() => {
        throw boom;
      });
      other = c.recv().catch((e: unknown) => e);
      c.close();
    });
    expect(await other).toBeInstanceOf(ChannelClosedError);
    expect(caught).toEqual([boom]);
    expectIdle(c);
  });

  it('a throwing onError is reported later and close still rejects every other blocked sender', async () => {
    const c = chan<number>();
    const boom = new Error('onError threw');
    let closeError: unknown;
    let other: Promise<unknown> | undefined;
    const caught = await captureUncaught(() => {
      selectCallback(
        [send(c, 1)],
        () => {},
        () => {
          throw boom;
        },
      );
      other = c.send(2).catch((e: unknown) => e);
      try {
        c.close();
      } catch (e) {
        closeError = e;
      }
    });
    expect(closeError).toBeUndefined();
    expect(await other).toBeInstanceOf(ChannelClosedError);
    expect(caught).toEqual([boom]);
    expectIdle(c);
  });
});
