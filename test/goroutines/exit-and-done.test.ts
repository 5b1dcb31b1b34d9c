// What a goroutine makes only when asked (its `done`, its default name, the promise kill() returns)
// and the exit a kill builds without the Error constructor behave exactly as if made up front.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { inspect } from 'node:util';
import { type Goroutine, chan, go, goroutines, GorxError, GoroutineExit } from 'gorx';
import { flush } from '../helpers/leaks.js';
import { rejectionOf } from '../helpers/promise-state.js';
import { cleanUp } from './support.js';

afterEach(cleanUp);

/**
 * Kills a goroutine blocked in a receive given ctx, without reading its `done`; returns it and the
 * error its operation rejected with.
 */
async function killBlocked(
  ...reason: [] | [unknown]
): Promise<{ g: Goroutine<void>; seen: unknown }> {
  const ch = chan<number>();
  let seen: unknown;
  const g = go(async (ctx) => {
    try {
      await ch.recv(ctx);
    } catch (e) {
      seen = e;
      throw e;
    }
  });
  await flush();
  await g.kill(...reason);
  return { g, seen };
}

/** Kills a goroutine blocked in a receive given ctx; returns the exit its operation rejected with. */
async function exitOfKill(...reason: [] | [unknown]): Promise<GoroutineExit> {
  const { g, seen } = await killBlocked(...reason);
  expect(await rejectionOf(g.done)).toBe(seen);
  return seen as GoroutineExit;
}

describe('the exit of a kill', () => {
  it.each([
    ['kill()', [] as [] | [unknown], 'goroutine killed'],
    ['kill("bye")', ['bye'] as [] | [unknown], 'goroutine killed: bye'],
    ['kill(new Error("stop"))', [new Error('stop')] as [] | [unknown], 'goroutine killed: stop'],
  ])(
    'of %s is a GoroutineExit like one constructed with its reason',
    async (_, reason, message) => {
      const exit = await exitOfKill(...reason);
      const made = new GoroutineExit(...reason);
      expect(exit).toBeInstanceOf(GoroutineExit);
      expect(exit).toBeInstanceOf(GorxError);
      expect(exit).toBeInstanceOf(Error);
      expect(exit.constructor).toBe(GoroutineExit);
      expect(exit.name).toBe('GoroutineExit');
      expect(exit.code).toBe('ERR_GOROUTINE_EXIT');
      expect(exit.reason).toBe(reason[0]);
      expect(exit.message).toBe(message);
      expect(made.message).toBe(message);
      expect(String(exit)).toBe(String(made));
      expect(exit.stack).toBe(`GoroutineExit: ${message}`);
      expect(exit.stack).toBe(made.stack);
      expect(Object.keys(exit)).toEqual(Object.keys(made));
      expect(JSON.stringify(exit)).toBe(JSON.stringify(made));
      // util.inspect prints both alike in one realm; here Jest's realm is not Node's, and Node's
      // inspect recognises an Error of another realm only by its internal slot.
      expect(inspect(exit)).toContain("code: 'ERR_GOROUTINE_EXIT'");
    },
  );

  it('takes a message and a stack assigned to it, as an Error does', async () => {
    const exit = await exitOfKill('bye');
    exit.message = 'rewritten';
    exit.stack = 'GoroutineExit: rewritten\n    at somewhere';
    expect(exit.message).toBe('rewritten');
    expect(exit.stack).toBe('GoroutineExit: rewritten\n    at somewhere');
    expect(Object.getOwnPropertyDescriptor(exit, 'message')).toEqual({
      value: 'rewritten',
      writable: true,
      enumerable: false,
      configurable: true,
    });
    expect(Object.keys(exit)).toEqual(['code', 'reason']);
    // Other exits keep theirs.
    expect((await exitOfKill('bye')).message).toBe('goroutine killed: bye');
  });
});

describe('done made on first read', () => {
  it('read only after the goroutine returned, resolves with its result', async () => {
    const g = go(async () => 42);
    await flush();
    expect(g.state).toBe('returned');
    await expect(g.done).resolves.toBe(42);
    expect(g.done).toBe(g.done);
  });

  it('read only after the goroutine was killed, rejects with the exit its operation saw', async () => {
    const { g, seen } = await killBlocked('late reader');
    expect(g.state).toBe('killed');
    const done = g.done;
    expect(g.done).toBe(done);
    const exit = await rejectionOf(done);
    expect(exit).toBe(seen);
    expect((exit as GoroutineExit).reason).toBe('late reader');
  });

  it('read only after the goroutine failed, rejects with its error', async () => {
    const boom = new Error('boom');
    const g = go(async () => {
      await Promise.resolve();
      throw boom;
    });
    // Read before it fails: the promise is the one it settles.
    const early = g.done;
    await flush();
    expect(g.state).toBe('failed');
    expect(g.done).toBe(early);
    expect(await rejectionOf(g.done)).toBe(boom);
  });

  it('read before the end, the same promise settles when the goroutine ends', async () => {
    const ch = chan<number>();
    const g = go(async (ctx) => ch.recv(ctx));
    const done = g.done;
    await ch.send(7);
    expect(await done).toBe(7);
    expect(g.done).toBe(done);
  });
});

describe('what else is made on first use', () => {
  it('kill() returns one promise while the goroutine runs, a settled one afterwards', async () => {
    const ch = chan<number>();
    const g = go(async (ctx) => ch.recv(ctx));
    await flush();
    const first = g.kill('one');
    expect(g.kill('two')).toBe(first);
    await first;
    expect(g.state).toBe('killed');
    await expect(g.kill('three')).resolves.toBeUndefined();
    expect(((await rejectionOf(g.done)) as GoroutineExit).reason).toBe('one');
  });

  it('a goroutine without a name is named after its id, every read alike', async () => {
    const g = go(async () => {});
    expect(g.name).toBe(`goroutine-${g.id}`);
    expect(g.name).toBe(g.name);
    await g.done;
  });

  it('goroutines() lists the live goroutines oldest first as they come and go', async () => {
    const chans = [chan<number>(), chan<number>(), chan<number>(), chan<number>()];
    const gs = chans.map((ch, i) => go(async (ctx) => ch.recv(ctx), { name: `g${i}` }));
    await flush();
    const names = (): string[] => goroutines().map((i) => i.name);
    expect(names()).toEqual(['g0', 'g1', 'g2', 'g3']);
    await gs[1]!.kill(); // from the middle
    expect(names()).toEqual(['g0', 'g2', 'g3']);
    await gs[0]!.kill(); // the oldest
    await gs[3]!.kill(); // the newest
    expect(names()).toEqual(['g2']);
    const late = go(async (ctx) => chans[0]!.recv(ctx), { name: 'late' });
    await flush();
    expect(names()).toEqual(['g2', 'late']);
    await Promise.all([gs[2]!.kill(), late.kill()]);
    expect(goroutines()).toEqual([]);
  });

  it('the start time is read again after the synchronous run that started goroutines', async () => {
    jest.useFakeTimers();
    const ch = chan<number>();
    const first = go(async (ctx) => ch.recv(ctx), { name: 'first' });
    const second = go(async (ctx) => ch.recv(ctx), { name: 'second' });
    await jest.advanceTimersByTimeAsync(10);
    const third = go(async (ctx) => ch.recv(ctx), { name: 'third' });
    await jest.advanceTimersByTimeAsync(5);
    expect(goroutines().map((i) => [i.name, i.ageMs])).toEqual([
      ['first', 15],
      ['second', 15],
      ['third', 5],
    ]);
    await Promise.all([first.kill(), second.kill(), third.kill()]);
  });
});
