// Killing is not an error: an unobserved killed goroutine never causes an unhandled rejection.
// An error thrown by a goroutine nobody observes does (Go's panic).
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  chan,
  go,
  GoroutineExit,
  Group,
  HeartbeatTimeoutError,
  sleep,
  SupersededError,
  type Goroutine,
} from 'gorx';
import { cleanUp, watchUnhandled } from './support.js';
import { macrotask } from '../helpers/turns.js';
import { rejectionOf } from '../helpers/promise-state.js';

afterEach(cleanUp);

describe('kills of unobserved goroutines', () => {
  it('produce no unhandled rejection, whatever the goroutine kind, state and reason', async () => {
    const watch = watchUnhandled();
    try {
      const ch = chan<number>(0, { name: 'never' });
      const never = new Promise<never>(() => {});
      const gs: Goroutine<unknown>[] = [
        go(async (ctx) => ch.recv({ signal: ctx.signal })),
        go(async (ctx) => sleep(60_000, { signal: ctx.signal })),
        go(function* () {
          yield ch.recv();
        }),
        go(function* () {
          yield never;
        }),
        go(function* () {
          try {
            yield never;
          } finally {
            yield Promise.resolve(); // a cleanup that waits
          }
        }),
      ];
      const reasons = [undefined, 'bye', new Error('shutdown'), new SupersededError(1), null];
      await Promise.all(gs.map((g, i) => g.kill(reasons[i])));
      // Aborting `options.signal`, with the default AbortError reason and with an exit.
      const ac1 = new AbortController();
      const ac2 = new AbortController();
      const g1 = go(async (ctx) => ch.recv({ signal: ctx.signal }), { signal: ac1.signal });
      const g2 = go(
        function* () {
          yield never;
        },
        { signal: ac2.signal },
      );
      ac1.abort();
      ac2.abort(new HeartbeatTimeoutError(50));
      // Born killed: an already aborted signal.
      const g3 = go(async () => 1, { signal: AbortSignal.abort('too late') });
      // A child killed because its parent ended.
      const parent = go(async (ctx) => {
        ctx.go(async (c) => ch.recv({ signal: c.signal }));
      });
      await Promise.all([g1.kill(), g2.kill(), g3.kill(), parent.kill()]);
      await macrotask();
      await macrotask();
      expect(watch.reasons).toEqual([]);
      expect([...gs, g1, g2, g3].map((g) => g.state)).toEqual(Array(8).fill('killed'));
    } finally {
      watch.stop();
    }
  });

  it('a goroutine that kills itself from inside produces none, even with a promise yielded after', async () => {
    const watch = watchUnhandled();
    try {
      const ch = chan<number>(0, { name: 'next' });
      const self: { g?: Goroutine<void> } = {};
      self.g = go(function* () {
        yield Promise.resolve();
        void self.g!.kill();
        yield ch.recv(); // withdrawn; its rejection must not surface
      });
      const a: { g?: Goroutine<void> } = {};
      a.g = go(async (ctx) => {
        await Promise.resolve();
        void a.g!.kill();
        await ch.recv({ signal: ctx.signal });
      });
      await macrotask();
      await macrotask();
      expect(watch.reasons).toEqual([]);
      expect([self.g.state, a.g.state]).toEqual(['killed', 'killed']);
    } finally {
      watch.stop();
    }
  });

  it('a goroutine ending by throwing a GoroutineExit of its own is killed, not failed', async () => {
    const watch = watchUnhandled();
    try {
      const g = go(async () => {
        throw new SupersededError('job-7');
      });
      await macrotask();
      await macrotask();
      expect(watch.reasons).toEqual([]);
      expect(g.state).toBe('killed');
      expect(await rejectionOf(g.done)).toBeInstanceOf(GoroutineExit);
    } finally {
      watch.stop();
    }
  });

  it('errors owned by a Group surface through wait(), not as unhandled rejections', async () => {
    const watch = watchUnhandled();
    try {
      const boom = new Error('boom');
      const group = new Group();
      group.go(async () => {
        throw boom;
      });
      group.go(function* () {
        yield new Promise<never>(() => {});
      });
      expect(await rejectionOf(group.wait())).toBe(boom);
      await macrotask();
      await macrotask();
      expect(watch.reasons).toEqual([]);
    } finally {
      watch.stop();
    }
  });
});

describe('errors of unobserved goroutines', () => {
  it('surface as unhandled rejections, for async and generator goroutines and failed cleanups', async () => {
    const watch = watchUnhandled();
    const e1 = new Error('async panic');
    const e2 = new Error('generator panic');
    const e3 = new Error('cleanup panic');
    let gs: Goroutine<unknown>[] = [];
    try {
      gs = [
        go(async () => {
          await Promise.resolve();
          throw e1;
        }),
        go(function* () {
          yield Promise.resolve();
          throw e2;
        }),
        go(function* () {
          try {
            yield new Promise<never>(() => {});
          } finally {
            // eslint-disable-next-line no-unsafe-finally
            throw e3; // an error raised while being killed is still a panic
          }
        }),
      ];
      await gs[2]!.kill();
      await macrotask();
      await macrotask();
      expect(watch.reasons).toEqual(expect.arrayContaining([e1, e2, e3]));
      expect(watch.reasons).toHaveLength(3);
      expect(gs.map((g) => g.state)).toEqual(['failed', 'failed', 'failed']);
    } finally {
      // Observe them now, so the test run itself stays clean.
      await Promise.all(gs.map((g) => g.done.catch(() => {})));
      await macrotask();
      watch.stop();
    }
  });
});
