// installClock: gorx time (sleep, after, ticker, timeout) follows an installed clock.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { TimeoutError, after, installClock, sleep, ticker, timeout, type Clock } from 'gorx';
import { expectNothingLeft, flush } from '../helpers/leaks.js';
import { track } from '../helpers/promise-state.js';

/** A clock moved by hand: `advance` fires what is due, in order, letting promises run between. */
function manualClock(start = 0) {
  let now = start;
  let ids = 0;
  const due = new Map<number, { at: number; fn: () => void; every: number }>();
  const arm = (fn: () => void, ms: number, every: number): number => {
    due.set(++ids, { at: now + ms, fn, every });
    return ids;
  };
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => arm(fn, ms, 0),
    clearTimeout: (id) => void due.delete(id as number),
    setInterval: (fn, ms) => arm(fn, ms, ms),
    clearInterval: (id) => void due.delete(id as number),
  };
  return {
    clock,
    pending: () => due.size,
    async advance(ms: number): Promise<void> {
      const end = now + ms;
      for (;;) {
        let next: [number, { at: number; fn: () => void; every: number }] | undefined;
        for (const e of due)
          if (e[1].at <= end && (next === undefined || e[1].at < next[1].at)) next = e;
        if (next === undefined) break;
        const [id, t] = next;
        now = t.at;
        if (t.every > 0) t.at += t.every;
        else due.delete(id);
        t.fn();
        await flush();
      }
      now = end;
    },
  };
}

let undo: (() => void) | null = null;
beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  undo?.();
  undo = null;
  expectNothingLeft();
  jest.useRealTimers();
});

describe('installClock', () => {
  it('sleep, after, ticker and timeout arm their timers on the installed clock and read its time', async () => {
    const m = manualClock(500);
    undo = installClock(m.clock);
    const slept = track(sleep(100));
    const a = after(30);
    const t = ticker(40);
    const slow = timeout(50, (signal) => sleep(1_000, { signal }));
    const check = expect(slow).rejects.toBeInstanceOf(TimeoutError);
    expect(jest.getTimerCount()).toBe(0); // nothing on the global (fake) timers
    await m.advance(100);
    expect(slept.result.state).toBe('fulfilled');
    expect(a.tryRecv()).toEqual({ ok: true, value: 530 });
    expect(t.c.tryRecv()).toEqual({ ok: true, value: 540 }); // holds one tick: 580 was dropped
    await check;
    t.stop();
    expect(m.pending()).toBe(0); // the timed-out sleep was cleared on the clock too
  });

  it('a timer is cleared on the clock that armed it, after that clock was uninstalled', async () => {
    const m = manualClock();
    undo = installClock(m.clock);
    const ac = new AbortController();
    const p = sleep(100, { signal: ac.signal });
    const t = ticker(10);
    undo();
    undo = null;
    expect(m.pending()).toBe(2);
    ac.abort('stop');
    t.stop();
    await expect(p).rejects.toBe('stop');
    expect(m.pending()).toBe(0);
  });

  it('without a clock, gorx time is back on the global (here fake) timers', async () => {
    const m = manualClock();
    installClock(m.clock)();
    const p = track(sleep(10));
    expect(jest.getTimerCount()).toBe(1);
    expect(m.pending()).toBe(0);
    await jest.advanceTimersByTimeAsync(10);
    expect(p.result.state).toBe('fulfilled');
  });

  it('installations nest and can be undone in any order; undoing twice does nothing', async () => {
    const first = manualClock();
    const second = manualClock();
    const undoFirst = installClock(first.clock);
    const undoSecond = installClock(second.clock);
    const a = sleep(1);
    expect(second.pending()).toBe(1);
    undoFirst();
    undoFirst();
    const b = sleep(1);
    expect(second.pending()).toBe(2); // the newest remaining installation stays in charge
    expect(first.pending()).toBe(0);
    undoSecond();
    const c = sleep(1);
    expect(jest.getTimerCount()).toBe(1);
    await second.advance(1);
    await jest.advanceTimersByTimeAsync(1);
    await Promise.all([a, b, c]);
  });

  it.each([null, 5, {}, { now: () => 0, setTimeout: 1 }])(
    'rejects %p with a TypeError naming it',
    (bad) => {
      expect(() => installClock(bad as unknown as Clock)).toThrow(TypeError);
      expect(() => installClock(bad as unknown as Clock)).toThrow(/installClock: clock/);
      const p = track(sleep(1));
      expect(jest.getTimerCount()).toBe(1); // nothing was installed
      return jest.advanceTimersByTimeAsync(1).then(() => expect(p.result.state).toBe('fulfilled'));
    },
  );
});
