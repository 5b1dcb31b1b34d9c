// Go's sync.WaitGroup: add before starting work, done when each piece ends, wait for zero.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { go, GoroutineExit, sleep, WaitGroup } from 'gorx';
import { flush } from '../helpers/leaks.js';
import { cleanUp, watchUnhandled } from './support.js';
import { macrotask } from '../helpers/turns.js';
import { rejectionOf, track } from '../helpers/promise-state.js';

afterEach(cleanUp);

describe('WaitGroup', () => {
  it('wait resolves once every goroutine has called done', async () => {
    jest.useFakeTimers();
    const wg = new WaitGroup();
    const finished: number[] = [];
    for (const ms of [30, 10, 20]) {
      wg.add(1);
      go(async () => {
        try {
          await sleep(ms);
          finished.push(ms);
        } finally {
          wg.done();
        }
      });
    }
    expect(wg.count).toBe(3);
    const waited = track(wg.wait());
    await jest.advanceTimersByTimeAsync(29);
    expect(waited.settled()).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(waited.settled()).toBe(true);
    expect(finished).toEqual([10, 20, 30]);
    expect(wg.count).toBe(0);
  });

  it('wait resolves at once when the counter is zero', async () => {
    const wg = new WaitGroup();
    await expect(wg.wait()).resolves.toBeUndefined();
  });

  it('wakes every waiter, and blocks new waits again after a new add', async () => {
    const wg = new WaitGroup();
    wg.add(2);
    const waits = [track(wg.wait()), track(wg.wait())];
    wg.done();
    await flush();
    expect(waits.map((w) => w.settled())).toEqual([false, false]);
    wg.done();
    await flush();
    expect(waits.map((w) => w.settled())).toEqual([true, true]);
    wg.add(1);
    const again = track(wg.wait());
    await flush();
    expect(again.settled()).toBe(false);
    wg.add(-1);
    await flush();
    expect(again.settled()).toBe(true);
  });

  it('a negative counter throws RangeError and leaves the counter unchanged', () => {
    const wg = new WaitGroup();
    wg.add(1);
    expect(() => wg.add(-2)).toThrow(RangeError);
    expect(wg.count).toBe(1);
    wg.done();
    expect(() => wg.done()).toThrow(RangeError);
    expect(wg.count).toBe(0);
  });

  it('a non-integer delta throws RangeError', () => {
    const wg = new WaitGroup();
    expect(() => wg.add(0.5)).toThrow(RangeError);
    expect(() => wg.add(Number.NaN)).toThrow(RangeError);
    expect(wg.count).toBe(0);
  });

  it('aborting a wait rejects with the reason, withdraws it and leaves the counter alone', async () => {
    const wg = new WaitGroup();
    wg.add(1);
    const ac = new AbortController();
    const aborted = wg.wait({ signal: ac.signal });
    const other = track(wg.wait());
    ac.abort('gave up');
    expect(await rejectionOf(aborted)).toBe('gave up');
    expect(wg.count).toBe(1);
    expect(other.settled()).toBe(false);
    wg.done();
    await flush();
    expect(other.settled()).toBe(true);
  });

  it('an already aborted signal rejects at once', async () => {
    const wg = new WaitGroup();
    wg.add(1);
    expect(await rejectionOf(wg.wait({ signal: AbortSignal.abort('no') }))).toBe('no');
    wg.done();
  });

  it('a goroutine waiting with ctx.signal is interrupted by a kill', async () => {
    const wg = new WaitGroup();
    wg.add(1);
    let caught: unknown;
    const g = go(async (ctx) => {
      try {
        await wg.wait({ signal: ctx.signal });
      } catch (e) {
        caught = e;
      }
    });
    await g.kill();
    expect(caught).toBeInstanceOf(GoroutineExit);
    expect(wg.count).toBe(1);
  });

  describe('go()', () => {
    it('counts the goroutine until it ends, however it ends', async () => {
      const wg = new WaitGroup();
      const returned = wg.go(async () => 'ok');
      const killedOne = wg.go(function* () {
        yield new Promise<never>(() => {});
      });
      expect(wg.count).toBe(2);
      await returned.done;
      await flush();
      expect(wg.count).toBe(1);
      const waited = track(wg.wait());
      await flush();
      expect(waited.settled()).toBe(false);
      await killedOne.kill();
      await flush();
      expect(waited.settled()).toBe(true);
      expect(wg.count).toBe(0);
    });

    it('leaves a panic of the goroutine unhandled, as a plain go() would', async () => {
      const watch = watchUnhandled();
      const boom = new Error('boom');
      const wg = new WaitGroup();
      const g = wg.go(async () => {
        throw boom;
      });
      try {
        await wg.wait();
        await macrotask();
        await macrotask();
        expect(watch.reasons).toEqual([boom]);
      } finally {
        await g.done.catch(() => {});
        await macrotask();
        watch.stop();
      }
    });

    it('does not count a goroutine that could not start', () => {
      const wg = new WaitGroup();
      expect(() => wg.go('not a function' as never)).toThrow(TypeError);
      expect(wg.count).toBe(0);
    });
  });
});
