// Go's errgroup: run several goroutines; the first error kills the rest and wait() rejects with it.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { chan, go, GoroutineExit, Group, sleep } from 'gorx';
import { flush } from '../helpers/leaks.js';
import { cleanUp } from './support.js';
import { rejectionOf, track } from '../helpers/promise-state.js';

afterEach(cleanUp);

describe('Group', () => {
  it('wait resolves once every goroutine has returned', async () => {
    jest.useFakeTimers();
    const group = new Group();
    const results: string[] = [];
    group.go(async (ctx) => {
      await sleep(20, { signal: ctx.signal });
      results.push('slow');
    });
    group.go(function* () {
      yield sleep(10);
      results.push('fast');
    });
    const waited = track(group.wait());
    await jest.advanceTimersByTimeAsync(19);
    expect(waited.settled()).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await group.wait();
    expect(results).toEqual(['fast', 'slow']);
    expect(group.signal.aborted).toBe(false);
  });

  it('wait resolves at once for an empty group', async () => {
    await expect(new Group().wait()).resolves.toBeUndefined();
  });

  it('the first error kills the rest (their cleanup runs) and wait rejects with it', async () => {
    jest.useFakeTimers();
    const first = new Error('fetch failed');
    const second = new Error('also failed');
    const log: string[] = [];
    const group = new Group();
    const sibling = group.go(
      function* () {
        try {
          yield sleep(60_000);
        } finally {
          log.push('sibling cleaned up');
        }
      },
      { name: 'sibling' },
    );
    const asyncSibling = group.go(async (ctx) => {
      try {
        await chan<number>().recv({ signal: ctx.signal });
      } finally {
        log.push('async sibling cleaned up');
      }
    });
    group.go(async () => {
      await sleep(10);
      throw first;
    });
    group.go(async () => {
      await sleep(10);
      throw second;
    });
    const waited = rejectionOf(group.wait());
    await jest.advanceTimersByTimeAsync(10);
    expect(await waited).toBe(first);
    expect(log).toEqual(expect.arrayContaining(['sibling cleaned up', 'async sibling cleaned up']));
    expect(sibling.state).toBe('killed');
    expect(asyncSibling.state).toBe('killed');
    const exit = (await rejectionOf(sibling.done)) as GoroutineExit;
    expect(exit).toBeInstanceOf(GoroutineExit);
    expect(exit.reason).toBe(first);
    expect(group.signal.aborted).toBe(true);
  });

  it('a goroutine started after the group failed is born killed', async () => {
    const group = new Group();
    group.go(async () => {
      throw new Error('boom');
    });
    await rejectionOf(group.wait());
    let ran = false;
    const late = group.go(async () => {
      ran = true;
    });
    expect(late.state).toBe('killed');
    expect(ran).toBe(false);
    await rejectionOf(group.wait());
  });

  it('aborting the parent signal kills every goroutine; wait then resolves (a kill is not an error)', async () => {
    const ac = new AbortController();
    const group = new Group({ signal: ac.signal });
    const gs = [
      group.go(function* () {
        yield new Promise<never>(() => {});
      }),
      group.go(async (ctx) => chan<number>().recv({ signal: ctx.signal })),
    ];
    await flush();
    ac.abort('shutdown');
    await expect(group.wait()).resolves.toBeUndefined();
    expect(gs.map((g) => g.state)).toEqual(['killed', 'killed']);
    expect(group.signal.reason).toBe('shutdown');
  });

  it('killing one goroutine of the group is not a failure', async () => {
    const group = new Group();
    const ch = chan<string>(0, { name: 'result' });
    const victim = group.go(function* () {
      yield new Promise<never>(() => {});
    });
    const survivor = group.go(function* () {
      return (yield ch.recv()) as string;
    });
    await victim.kill();
    expect(ch.trySend('still running')).toBe(true);
    await group.wait();
    await expect(survivor.done).resolves.toBe('still running');
    expect(group.signal.aborted).toBe(false);
  });

  it('a Group given ctx.signal inside a goroutine dies with that goroutine', async () => {
    // Group members are not ctx.go children: the parent signal is what binds them.
    const log: string[] = [];
    const owner = go(async (ctx) => {
      const group = new Group({ signal: ctx.signal });
      group.go(function* () {
        try {
          yield new Promise<never>(() => {});
        } finally {
          log.push('member cleaned up');
        }
      });
      await group.wait();
      log.push('group done');
    });
    await flush();
    await owner.kill();
    expect(log).toEqual(['member cleaned up', 'group done']);
  });
});
