// Contract tests for sleep, after, ticker and timeout (API.md section 4), all on fake timers.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { TimeoutError, after, chan, recv, select, sleep, ticker, timeout } from 'gorx';
import { expectNothingLeft } from '../helpers/leaks.js';
import { proceeds, track } from '../helpers/promise-state.js';

beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  expectNothingLeft();
  jest.useRealTimers();
});

describe('sleep', () => {
  it('resolves after exactly ms of virtual time', async () => {
    const t = track(sleep(100));
    await jest.advanceTimersByTimeAsync(99);
    expect(t.result.state).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    expect(t.result.state).toBe('fulfilled');
  });

  it('abort clears the timer and rejects with the reason', async () => {
    const ac = new AbortController();
    const p = sleep(1000, { signal: ac.signal });
    expect(jest.getTimerCount()).toBe(1);
    ac.abort('woken');
    await expect(p).rejects.toBe('woken');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('an already-aborted signal rejects without arming a timer', async () => {
    await expect(sleep(10, { signal: AbortSignal.abort('no') })).rejects.toBe('no');
    expect(jest.getTimerCount()).toBe(0);
  });

  it.each([-1, NaN, Infinity, '5'])('ms %p is a RangeError', (ms) => {
    expect(() => sleep(ms as number)).toThrow(RangeError);
    expect(() => after(ms as number)).toThrow(RangeError);
    expect(() => ticker(ms as number)).toThrow(RangeError);
  });
});

describe('after', () => {
  it('delivers Date.now() once, when the time is up', async () => {
    const c = after(50);
    expect(c.tryRecv()).toEqual({ ok: false, closed: false });
    await jest.advanceTimersByTimeAsync(50);
    expect(await c.recv()).toBe(1_000_050);
    await jest.advanceTimersByTimeAsync(1000);
    expect(c.tryRecv()).toEqual({ ok: false, closed: false });
    expect(c.closed).toBe(false);
  });

  it('works as a timeout case in select', async () => {
    const replies = chan<string>();
    const p = select([recv(replies), recv(after(100))]);
    expect(await proceeds(p)).toBe(false);
    await jest.advanceTimersByTimeAsync(100);
    expect(await p).toEqual({ index: 1, value: 1_000_100, ok: true });
  });

  it('is read from the global setTimeout when armed (fake timers drive it)', () => {
    after(10);
    expect(jest.getTimerCount()).toBe(1);
    jest.runOnlyPendingTimers();
  });
});

describe('ticker', () => {
  it('ticks every period with the time of the tick', async () => {
    const t = ticker(10);
    const got: number[] = [];
    for (let i = 0; i < 3; i++) {
      const p = t.c.recv();
      await jest.advanceTimersByTimeAsync(10);
      got.push(await p);
    }
    expect(got).toEqual([1_000_010, 1_000_020, 1_000_030]);
    t.stop();
  });

  it('drops ticks for a slow receiver: at most one tick waits', async () => {
    const t = ticker(10);
    await jest.advanceTimersByTimeAsync(55);
    expect(t.c.length).toBe(1);
    expect(await t.c.recv()).toBe(1_000_010); // the first tick was kept, later ones dropped
    await jest.advanceTimersByTimeAsync(5);
    expect(await t.c.recv()).toBe(1_000_060);
    t.stop();
  });

  it('stop() ends the ticks, is idempotent and does not close the channel', async () => {
    const t = ticker(10);
    t.stop();
    t.stop();
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(100);
    expect(t.c.tryRecv()).toEqual({ ok: false, closed: false });
  });

  it('a zero period is a RangeError', () => {
    expect(() => ticker(0)).toThrow(RangeError);
  });
});

describe('timeout', () => {
  it('resolves with the result of fast work and clears its timer', async () => {
    const p = timeout(100, async () => 'quick');
    await expect(p).resolves.toBe('quick');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects TimeoutError and aborts the signal when the work is too slow', async () => {
    let seen: AbortSignal | undefined;
    const p = timeout(100, (signal) => {
      seen = signal;
      return sleep(1000, { signal });
    });
    const t = track(p);
    await jest.advanceTimersByTimeAsync(99);
    expect(t.result.state).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    const e = await p.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).ms).toBe(100);
    expect((e as TimeoutError).code).toBe('ERR_TIMEOUT');
    expect(seen!.aborted).toBe(true);
    expect(seen!.reason).toBe(e);
  });

  it('a channel receive given the signal is withdrawn on timeout: no value is lost', async () => {
    const ch = chan<number>();
    const p = timeout(10, (signal) => ch.recv({ signal }));
    const t = track(p);
    await jest.advanceTimersByTimeAsync(10);
    expect(t.result.state).toBe('rejected');
    await expect(p).rejects.toBeInstanceOf(TimeoutError);
    expect(ch.trySend(1)).toBe(false);
  });

  it('aborting the parent signal rejects with its reason and aborts the work', async () => {
    const ac = new AbortController();
    let seen: AbortSignal | undefined;
    const p = timeout(
      100,
      (signal) => {
        seen = signal;
        return sleep(1000, { signal });
      },
      { signal: ac.signal },
    );
    ac.abort('parent gone');
    await expect(p).rejects.toBe('parent gone');
    expect(seen!.reason).toBe('parent gone');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('a synchronous throw or a plain value from fn settles the timeout', async () => {
    const boom = new Error('boom');
    await expect(
      timeout(10, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect(timeout(10, () => 5 as unknown as Promise<number>)).resolves.toBe(5);
  });
});
