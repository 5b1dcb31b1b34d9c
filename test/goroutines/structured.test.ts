// Structured lifetimes: a goroutine's children (ctx.go) never outlive it.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  chan,
  go,
  goroutines,
  GoroutineExit,
  HeartbeatTimeoutError,
  sleep,
  type GoContext,
} from 'gorx';
import { flush } from '../helpers/leaks.js';

/**
 * A goroutine born killed has a context like that of any killed goroutine (the handle is that
 * context at run time): its signal is aborted with the exit, and an operation given it rejects
 * with the exit at once instead of waiting forever.
 */
async function expectStoppedContext(g: object, exit: unknown): Promise<void> {
  const ctx = g as GoContext;
  expect(ctx.signal.aborted).toBe(true);
  expect(ctx.signal.reason).toBe(exit);
  expect(await rejectionOf(chan<number>().recv(ctx))).toBe(exit);
}
import { cleanUp } from './support.js';
import { rejectionOf, track } from '../helpers/promise-state.js';

afterEach(cleanUp);

const never = (): Promise<never> => new Promise<never>(() => {});

describe('killing a parent', () => {
  it.each(['generator', 'async'] as const)(
    'kills its children (and theirs) first, and its done settles after they finished: %s parent',
    async (kind) => {
      const log: string[] = [];
      const ch = chan<number>(0, { name: 'jobs' });
      const grandchild = (ctx: GoContext) =>
        (function* () {
          try {
            yield ch.recv();
          } finally {
            log.push(`grandchild finally (signal aborted: ${ctx.signal.aborted})`);
          }
        })();
      const child = (ctx: GoContext) =>
        (function* () {
          ctx.go(grandchild);
          try {
            yield never();
          } finally {
            log.push('child finally');
          }
        })();
      const parent =
        kind === 'generator'
          ? go(function* (ctx) {
              ctx.go(child);
              try {
                yield never();
              } finally {
                log.push('parent finally');
              }
            })
          : go(async (ctx) => {
              ctx.go(child);
              try {
                await ch.recv({ signal: ctx.signal });
              } finally {
                log.push('parent finally');
              }
            });
      expect(goroutines()).toHaveLength(3);
      const settled = parent.done.catch(() => log.push('parent done settled'));
      await parent.kill();
      await settled;
      if (kind === 'generator') {
        // Nested scopes: a generator's finally runs strictly after its children have finished.
        expect(log).toEqual([
          'grandchild finally (signal aborted: true)',
          'child finally',
          'parent finally',
          'parent done settled',
        ]);
      } else {
        // An async body reacts to its rejected operation at once, so its finally may overlap the
        // children's cleanup; the children were killed first and `done` settles after them.
        expect(log.indexOf('child finally')).toBeLessThan(log.indexOf('parent done settled'));
        expect(log.indexOf('grandchild finally (signal aborted: true)')).toBeLessThan(
          log.indexOf('child finally'),
        );
        expect(log).toContain('parent finally');
        expect(log[log.length - 1]).toBe('parent done settled');
      }
      expect(goroutines()).toEqual([]);
    },
  );

  it('passes its exit to the children it kills', async () => {
    jest.useFakeTimers();
    let childSignalReason: unknown;
    const parent = go(function* (ctx) {
      ctx.go(async (c) => {
        try {
          await sleep(1000, { signal: c.signal });
        } finally {
          childSignalReason = c.signal.reason;
        }
      });
      yield never();
    });
    const exit = new HeartbeatTimeoutError(50);
    await parent.kill(exit);
    expect(childSignalReason).toBe(exit);
  });

  it('waits for a child whose cleanup takes time before stopping the parent', async () => {
    jest.useFakeTimers();
    const log: string[] = [];
    const parent = go(function* (ctx) {
      ctx.go(function* () {
        try {
          yield never();
        } finally {
          yield sleep(100);
          log.push('child cleaned up');
        }
      });
      try {
        yield never();
      } finally {
        log.push('parent finally');
      }
    });
    const killed = track(parent.kill());
    await jest.advanceTimersByTimeAsync(99);
    expect(log).toEqual([]);
    expect(parent.state).toBe('blocked');
    await jest.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['child cleaned up', 'parent finally']);
    expect(killed.settled()).toBe(true);
  });
});

describe('a parent that ends', () => {
  it.each(['returning', 'throwing'] as const)(
    'kills its running children before its done settles (%s)',
    async (how) => {
      jest.useFakeTimers();
      const log: string[] = [];
      const boom = new Error('boom');
      let child: { state: string } | undefined;
      const parent = go(async (ctx) => {
        child = ctx.go(function* () {
          try {
            yield never();
          } finally {
            yield sleep(100);
            log.push('child cleaned up');
          }
        });
        await Promise.resolve();
        if (how === 'throwing') throw boom;
        return 'result';
      });
      const done = track(parent.done);
      await jest.advanceTimersByTimeAsync(99);
      expect(done.settled()).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(done.settled()).toBe(true);
      expect(log).toEqual(['child cleaned up']);
      expect(child!.state).toBe('killed');
      if (how === 'returning') {
        await expect(parent.done).resolves.toBe('result');
        expect(parent.state).toBe('returned');
      } else {
        expect(await rejectionOf(parent.done)).toBe(boom);
        expect(parent.state).toBe('failed');
      }
    },
  );

  it('ends its children with a GoroutineExit saying the parent ended', async () => {
    jest.useFakeTimers();
    let childCtx: GoContext | undefined;
    const child = go(async (ctx) => {
      const c = ctx.go(async (cc) => {
        childCtx = cc;
        await sleep(1000, { signal: cc.signal });
      });
      return c;
    });
    const c = await child.done;
    const exit = (await rejectionOf(c.done)) as GoroutineExit;
    expect(exit).toBeInstanceOf(GoroutineExit);
    expect(exit.message).toContain('parent goroutine ended');
    expect(childCtx!.signal.aborted).toBe(true);
  });

  it('leaves children that finished on their own alone', async () => {
    const parent = go(async (ctx) => {
      const c = ctx.go(async () => 'child result');
      await c.done;
      return c;
    });
    const c = await parent.done;
    expect(c.state).toBe('returned');
    await expect(c.done).resolves.toBe('child result');
  });

  it('a child of a finished parent is born killed and never runs', async () => {
    let saved: GoContext | undefined;
    const parent = go(async (ctx) => {
      saved = ctx;
    });
    await parent.done;
    let ran = false;
    const late = saved!.go(async () => {
      ran = true;
    });
    expect(late.state).toBe('killed');
    const exit = await rejectionOf(late.done);
    expect(exit).toBeInstanceOf(GoroutineExit);
    await flush();
    expect(ran).toBe(false);
    await expectStoppedContext(late, exit);
  });

  it('a child of a killed parent is born killed with the parent exit', async () => {
    let saved: GoContext | undefined;
    const parent = go(function* (ctx) {
      saved = ctx;
      yield never();
    });
    await parent.kill('stop');
    const late = saved!.go(async () => 1);
    expect(late.state).toBe('killed');
    expect(await rejectionOf(late.done)).toBe(await rejectionOf(parent.done));
  });
});

describe('killing a child alone', () => {
  it('leaves the parent running and forgets the child', async () => {
    const ch = chan<string>(0, { name: 'result' });
    const parent = go(function* (ctx) {
      const child = ctx.go(function* () {
        yield never();
      });
      yield child.kill();
      return (yield ch.recv()) as string;
    });
    await flush();
    expect(goroutines().map((g) => g.id)).toEqual([parent.id]);
    expect(ch.trySend('parent still works')).toBe(true);
    await expect(parent.done).resolves.toBe('parent still works');
  });
});

describe('options.signal', () => {
  it('aborting it kills the goroutine with the abort reason', async () => {
    const ac = new AbortController();
    const log: string[] = [];
    const g = go(
      function* () {
        try {
          yield never();
        } finally {
          log.push('finally');
        }
      },
      { signal: ac.signal },
    );
    ac.abort('cancelled by caller');
    expect(log).toEqual(['finally']);
    const exit = (await rejectionOf(g.done)) as GoroutineExit;
    expect(exit).toBeInstanceOf(GoroutineExit);
    expect(exit.reason).toBe('cancelled by caller');
    expect(g.state).toBe('killed');
  });

  it('a GoroutineExit abort reason is the exit itself', async () => {
    const ac = new AbortController();
    const g = go(async (ctx) => chan<number>().recv({ signal: ctx.signal }), {
      signal: ac.signal,
    });
    const exit = new HeartbeatTimeoutError(50);
    ac.abort(exit);
    expect(await rejectionOf(g.done)).toBe(exit);
  });

  it('an already aborted signal starts the goroutine killed, without running it', async () => {
    let ran = false;
    const g = go(
      async () => {
        ran = true;
      },
      { signal: AbortSignal.abort('before start') },
    );
    expect(g.state).toBe('killed');
    const exit = await rejectionOf(g.done);
    expect((exit as GoroutineExit).reason).toBe('before start');
    expect(ran).toBe(false);
    await expectStoppedContext(g, exit);
  });

  it('aborting it after the goroutine returned changes nothing', async () => {
    const ac = new AbortController();
    const g = go(async () => 'ok', { signal: ac.signal });
    await g.done;
    ac.abort();
    expect(g.state).toBe('returned');
    await expect(g.done).resolves.toBe('ok');
  });
});

describe('killing a parent whose children are slow to stop', () => {
  it("does not hang when a child waits in an operation given the parent's ctx", async () => {
    const jobs = chan<number>(0, { name: 'jobs' });
    const parent = go(async (ctx) => {
      ctx.go(async () => {
        for (;;) await jobs.recv(ctx); // the parent's ctx, captured by the closure
      });
      await jobs.recv(ctx);
    });
    await parent.kill(); // resolves: the parent's operations (the child's too) are withdrawn
    expect(parent.state).toBe('killed');
    expect(jobs.trySend(1)).toBe(false); // nobody is left receiving
    jobs.close();
  });

  it('stops the parent at once, even while a child is still cleaning up', async () => {
    jest.useFakeTimers();
    const jobs = chan<number>(10, { name: 'jobs' });
    const seen: number[] = [];
    const parent = go(function* (ctx) {
      ctx.go(async () => {
        try {
          await sleep(60_000, ctx);
        } finally {
          await sleep(100); // slow cleanup
        }
      });
      for (;;) seen.push((yield jobs.recv()) as number);
    });
    const killed = parent.kill();
    for (let i = 0; i < 5; i++) jobs.trySend(i);
    await jest.advanceTimersByTimeAsync(100);
    await killed;
    expect(seen).toEqual([]); // the parent took nothing after the kill
    expect(jobs.length).toBe(5);
    jobs.close();
  });
});
