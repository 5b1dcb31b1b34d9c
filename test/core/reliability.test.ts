// Regression tests for issue 12 (channel, select and time edges): each test names the guarantee a
// defect found by adversarial use had broken.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { getEventListeners } from 'node:events';
import {
  Group,
  TimeoutError,
  WaitGroup,
  after,
  chan,
  go,
  range,
  recv,
  select,
  sleep,
  ticker,
  timeout,
} from 'gorx';
import { SHRINK_TO } from '../../src/internal/ring.js';
import { OPS_PER_TURN } from '../../src/internal/yield.js';
import { expectNothingLeft } from '../helpers/leaks.js';
import { impl, waiters } from './support.js';
import { macrotask, settle } from '../helpers/turns.js';

afterEach(() => {
  try {
    expectNothingLeft();
  } finally {
    jest.useRealTimers();
  }
});

describe('a timed-out operation either took nothing or returns its value (item 1)', () => {
  it('a receive that took its value just before the deadline returns it although the starvation guard delivers it late', async () => {
    jest.useFakeTimers();
    const ch = chan<number>(Infinity);
    // Spend this turn's budget, so the next completion is delivered in a later macrotask.
    for (let i = 0; i < OPS_PER_TURN - 1; i++) ch.trySend(i);
    for (let i = 0; i < OPS_PER_TURN - 1; i++) void ch.recv();
    ch.trySend(42);
    const result = timeout(5, (signal) => ch.recv({ signal }));
    expect(ch.length).toBe(0); // taken at once, its completion deferred by the guard
    jest.advanceTimersByTime(5); // the deadline passes before the deferred completion lands
    await macrotask();
    await expect(result).resolves.toBe(42);
  });

  it('a receive still waiting at the deadline is withdrawn and rejects TimeoutError', async () => {
    jest.useFakeTimers();
    const ch = chan<number>();
    const result = expect(timeout(5, (signal) => ch.recv({ signal }))).rejects.toBeInstanceOf(
      TimeoutError,
    );
    await jest.advanceTimersByTimeAsync(5);
    await result;
    expect(ch.trySend(1)).toBe(false); // nobody is left receiving
  });
});

describe('every argument is validated before any state changes (items 2 and 17)', () => {
  const ac = new AbortController();
  const bad: [string, () => unknown][] = [
    ['recv', () => chan<number>().recv({ signal: ac } as never)],
    ['send', () => chan<number>().send(1, { signal: ac } as never)],
    ['select', () => select([recv(chan())], { signal: ac } as never)],
    ['sleep', () => sleep(10, { signal: ac } as never)],
    [
      'WaitGroup.wait',
      () => {
        const wg = new WaitGroup();
        wg.add(1);
        try {
          return wg.wait({ signal: ac } as never);
        } finally {
          wg.done();
        }
      },
    ],
    ['range', () => range(chan(), { signal: ac } as never)],
    ['timeout', () => timeout(10, async () => 1, { signal: ac } as never)],
    ['go', () => go(async () => 1, { signal: ac } as never)],
    ['Group', () => new Group({ signal: ac } as never)],
  ];

  it.each(bad)(
    '%s given an AbortController instead of its signal throws a TypeError that says so, and leaves nothing behind',
    (fn, call) => {
      expect(call).toThrow(TypeError);
      expect(call).toThrow(fn);
      expect(call).toThrow('pass its .signal');
    },
  );

  it('a receive refused for a bad signal leaves no receiver on the channel: a later send is not lost', () => {
    const ch = chan<number>();
    expect(() => ch.recv({ signal: {} } as never)).toThrow(TypeError);
    expect(waiters(ch)).toEqual({ receivers: 0, senders: 0 });
    expect(ch.trySend(1)).toBe(false);
  });

  it('signal: null names null, not a property read of null', () => {
    expect(() => chan().recv({ signal: null } as never)).toThrow(
      'recv: options.signal must be an AbortSignal, got null',
    );
    expect(() => sleep(1, null as never)).toThrow('sleep: options must be an object');
  });

  it('chan(\'10\') says it got the string "10"', () => {
    expect(() => chan('10' as never)).toThrow(RangeError);
    expect(() => chan('10' as never)).toThrow('got the string "10"');
    expect(() => chan(1.5)).toThrow('got the number 1.5');
    expect(() => chan(0, { name: 3 } as never)).toThrow(
      'chan: options.name must be a string, got the number 3',
    );
  });

  it('a goroutine refused for a bad option never starts and leaves nothing live', () => {
    let ran = false;
    expect(() =>
      go(
        async () => {
          ran = true;
        },
        { name: 7 } as never,
      ),
    ).toThrow('go: options.name must be a string, got the number 7');
    expect(ran).toBe(false);
  });
});

describe('close(reason) refuses a reason that is not an Error (item 11)', () => {
  it.each([null, 'boom', 42, { message: 'x' }])(
    'close(%p) throws TypeError and leaves the channel open',
    (reason) => {
      const ch = chan<number>(1);
      expect(() => ch.close(reason as never)).toThrow(TypeError);
      expect(ch.closed).toBe(false);
      ch.close();
    },
  );
});

describe('durations of 2^31 ms or more are refused, not fired after 1 ms (item 9)', () => {
  const big = 2 ** 31;
  it.each([
    ['sleep', () => sleep(big)],
    ['after', () => after(big)],
    ['ticker', () => ticker(big)],
    ['timeout', () => timeout(big, async () => 1)],
  ])('%s(2^31) throws RangeError naming the limit', (_name, call) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow('2147483647');
  });

  it('2^31 - 1 ms is still accepted', async () => {
    jest.useFakeTimers();
    const ac = new AbortController();
    const p = sleep(2 ** 31 - 1, { signal: ac.signal });
    ac.abort('done');
    await expect(p).rejects.toBe('done');
  });
});

describe('an unbounded channel gives its memory back after a drain (item 15)', () => {
  it('the buffer goes back to SHRINK_TO slots once drained', () => {
    const ch = chan<number>(Infinity);
    for (let i = 0; i < 100_000; i++) ch.trySend(i);
    const ring = impl(ch).buf!;
    expect(ring.allocated).toBeGreaterThanOrEqual(100_000);
    let inOrder = 0;
    for (let i = 0; i < 100_000; i++) {
      const r = ch.tryRecv();
      if (r.ok && r.value === i) inOrder++;
    }
    expect(inOrder).toBe(100_000);
    expect(ring.allocated).toBe(SHRINK_TO);
  });
});

describe('operations share one abort listener per signal (item 16, issue 14 item 1)', () => {
  it('20 receives parked on one signal add one listener, and an abort still withdraws them all', async () => {
    const ac = new AbortController();
    const ch = chan<number>();
    const ps = Array.from({ length: 20 }, () => ch.recv({ signal: ac.signal }));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    ac.abort('stop');
    for (const p of ps) await expect(p).rejects.toBe('stop');
    expect(waiters(ch)).toEqual({ receivers: 0, senders: 0 });
  });

  it('a Group of 20 goroutines adds one listener to its signal (no MaxListenersExceededWarning)', async () => {
    const group = new Group();
    const ch = chan<number>();
    for (let i = 0; i < 20; i++) group.go(async (ctx) => void (await ch.recv(ctx)).toFixed());
    expect(getEventListeners(group.signal, 'abort').length).toBeLessThanOrEqual(1);
    ch.close();
    await expect(group.wait()).rejects.toThrow('receive from closed channel');
    await settle();
  });

  it('20 timeouts sharing a parent signal add one listener to it', async () => {
    jest.useFakeTimers();
    const ac = new AbortController();
    const ps = Array.from({ length: 20 }, () =>
      timeout(1000, (s) => sleep(5000, { signal: s }), { signal: ac.signal }),
    );
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    ac.abort('cancelled');
    for (const p of ps) await expect(p).rejects.toBe('cancelled');
  });
});
