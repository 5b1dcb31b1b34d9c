// Regression tests for issue 12 (kills): each test names the guarantee a defect found by
// adversarial use had broken.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { EventEmitter, once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { GoroutineExit, chan, go, recv, select, sleep } from 'gorx';
import { flush } from '../helpers/leaks.js';
import { cleanUp, watchUnhandled } from './support.js';
import { macrotask } from '../helpers/turns.js';
import { rejectionOf } from '../helpers/promise-state.js';

afterEach(cleanUp);

describe('put-back keeps FIFO order (item 4)', () => {
  it('values taken by several killed receivers come back in the order they were taken', async () => {
    const jobs = chan<number>(Infinity, { name: 'jobs' });
    const workers = [0, 1, 2].map(() =>
      go(function* () {
        // Never resumed: the value stays on its way to the generator.
        yield Promise.all([jobs.recv(), new Promise(() => {})]);
      }),
    );
    for (const j of [1, 2, 3, 4, 5]) jobs.trySend(j);
    await flush();
    for (const w of workers) await w.kill();
    const back: number[] = [];
    for (let r = jobs.tryRecv(); r.ok; r = jobs.tryRecv()) back.push(r.value);
    expect(back).toEqual([1, 2, 3, 4, 5]);
  });

  it('killed in reverse order, they still come back in the order they were taken', async () => {
    const jobs = chan<number>(0, { name: 'jobs' });
    const workers = [0, 1, 2].map(() =>
      go(function* () {
        yield Promise.all([jobs.recv(), new Promise(() => {})]);
      }),
    );
    const sends = [1, 2, 3].map((j) => jobs.send(j));
    await Promise.all(sends);
    for (const w of [...workers].reverse()) await w.kill();
    const back: number[] = [];
    for (let r = jobs.tryRecv(); r.ok; r = jobs.tryRecv()) back.push(r.value);
    expect(back).toEqual([1, 2, 3]);
  });
});

describe('receives combined inside a generator are seen or put back (item 3)', () => {
  it('Promise.all: the value one receive took goes back when the goroutine is killed', async () => {
    const a = chan<string>(0, { name: 'a' });
    const b = chan<string>(0, { name: 'b' });
    const g = go(function* () {
      return (yield Promise.all([a.recv(), b.recv()])) as string[];
    });
    expect(a.trySend('from a')).toBe(true);
    await flush();
    await g.kill();
    expect(a.tryRecv()).toEqual({ ok: true, value: 'from a' });
    expect(b.trySend('late')).toBe(false); // the other receive was withdrawn
  });

  it('Promise.race: the winner is seen by the code; a loser that took a value later goes back', async () => {
    const a = chan<string>(1, { name: 'a' });
    const b = chan<string>(1, { name: 'b' });
    const seen: unknown[] = [];
    const g = go(function* () {
      seen.push(yield Promise.race([a.recv(), b.recv()]));
      yield new Promise(() => {});
    });
    a.trySend('first');
    await flush();
    b.trySend('second'); // taken by the losing receive, which nobody will ever look at
    await flush();
    await g.kill();
    expect(seen).toEqual(['first']);
    expect(b.tryRecv()).toEqual({ ok: true, value: 'second' });
  });

  it('a value a .then callback of the goroutine already saw is not put back (never duplicated)', async () => {
    const ch = chan<string>(1, { name: 'jobs' });
    const seen: string[] = [];
    const g = go(function* () {
      yield Promise.all([ch.recv().then((v) => seen.push(v)), new Promise(() => {})]);
    });
    ch.trySend('job');
    await flush();
    await g.kill();
    expect(seen).toEqual(['job']);
    expect(ch.tryRecv()).toEqual({ ok: false, closed: false });
  });

  it('a value a bound .then callback already saw is not put back either (never duplicated)', async () => {
    const ch = chan<string>(1, { name: 'jobs' });
    const seen: string[] = [];
    const g = go(function* () {
      yield Promise.all([ch.recv().then(seen.push.bind(seen)), new Promise(() => {})]);
    });
    ch.trySend('job');
    await flush();
    await g.kill();
    expect(seen).toEqual(['job']);
    expect(ch.tryRecv()).toEqual({ ok: false, closed: false });
  });

  it('a value the generator resumed with is its own: a later kill does not put it back', async () => {
    const ch = chan<number>(1);
    const seen: number[] = [];
    const g = go(function* () {
      const [v] = (yield Promise.all([ch.recv()])) as [number];
      seen.push(v);
      yield new Promise(() => {});
    });
    ch.trySend(7);
    await flush();
    await g.kill();
    expect(seen).toEqual([7]);
    expect(ch.tryRecv()).toEqual({ ok: false, closed: false });
  });
});

describe('a kill never causes an unhandled rejection (item 5)', () => {
  it('an operation the goroutine started but had not awaited yet is ended quietly, async and generator alike', async () => {
    const watch = watchUnhandled();
    try {
      const ch = chan<number>();
      const a = go(async (ctx) => {
        void ch.recv(ctx); // started, never awaited
        await sleep(60_000, ctx);
      });
      const g = go(function* () {
        void ch.recv(); // bound to the generator, never yielded
        yield sleep(60_000);
      });
      await flush();
      await a.kill();
      await g.kill();
      await macrotask();
      await macrotask();
      expect(watch.reasons).toEqual([]);
      expect(a.state).toBe('killed');
      expect(g.state).toBe('killed');
    } finally {
      watch.stop();
    }
  });

  it('an operation started after the kill, and not awaited, is rejected quietly too', async () => {
    const watch = watchUnhandled();
    try {
      const ch = chan<number>();
      let later: Promise<number> | null = null;
      const a = go(async (ctx) => {
        try {
          await ch.recv(ctx);
        } finally {
          later = ch.recv(ctx); // the goroutine is interrupted: rejects at once
        }
      });
      await a.kill();
      await macrotask();
      await macrotask();
      expect(watch.reasons).toEqual([]);
      expect(await rejectionOf(later!)).toBeInstanceOf(GoroutineExit);
    } finally {
      watch.stop();
    }
  });
});

describe("an error that is the consequence of the goroutine's own kill is the kill (item 6)", () => {
  it("timers/promises rejecting AbortError for ctx.signal ends the goroutine 'killed'", async () => {
    const g = go(async (ctx) => {
      await delay(60_000, undefined, { signal: ctx.signal });
    });
    await flush();
    await g.kill('stop');
    expect(g.state).toBe('killed');
    const e = await rejectionOf(g.done);
    expect(e).toBeInstanceOf(GoroutineExit);
    expect((e as GoroutineExit).reason).toBe('stop');
  });

  it("events.once rejecting AbortError for ctx.signal ends the goroutine 'killed'", async () => {
    const emitter = new EventEmitter();
    const g = go(async (ctx) => {
      await once(emitter, 'never', { signal: ctx.signal });
    });
    await flush();
    await g.kill();
    expect(g.state).toBe('killed');
  });

  it('an AbortError of some other signal is still a failure', async () => {
    const other = new AbortController();
    const g = go(async () => {
      await delay(60_000, undefined, { signal: other.signal });
    });
    other.abort();
    const e = await rejectionOf(g.done);
    expect((e as Error).name).toBe('AbortError');
    expect(g.state).toBe('failed');
  });
});

describe('go() refuses what it cannot run (item 10)', () => {
  it('an async generator function is a TypeError, thrown before anything starts', () => {
    expect(() =>
      go(async function* () {
        yield 1;
      } as never),
    ).toThrow(/async generator/);
  });

  it('a function returning an async iterator fails its goroutine with a TypeError', async () => {
    const g = go((() => (async function* () {})()) as never);
    const e = await rejectionOf(g.done);
    expect(e).toBeInstanceOf(TypeError);
    expect(g.state).toBe('failed');
  });
});

describe('a select yielded by a generator is put back like a receive', () => {
  it('the value its receive case took goes back when the goroutine is killed', async () => {
    jest.useFakeTimers();
    const ch = chan<number>(0, { name: 'jobs' });
    const g = go(function* () {
      yield Promise.all([select([recv(ch)]), sleep(100)]);
    });
    expect(ch.trySend(5)).toBe(true);
    await flush();
    await g.kill();
    expect(ch.tryRecv()).toEqual({ ok: true, value: 5 });
  });
});

describe('a kill that does not take effect is visible (item 8)', () => {
  it('warns once, GORX_KILL_PENDING, naming the goroutine and the untied operation it waits on', async () => {
    jest.useFakeTimers();
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const jobs = chan<number>(0, { name: 'jobs' });
      const taken: number[] = [];
      const g = go(
        async () => {
          taken.push(await jobs.recv()); // forgot ctx: the kill cannot interrupt this
        },
        { name: 'forgetful' },
      );
      const killed = g.kill();
      await macrotask();
      await jest.advanceTimersByTimeAsync(999);
      expect(warn).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(1);
      expect(warn).toHaveBeenCalledTimes(1);
      const [message, options] = warn.mock.calls[0]! as [string, { code: string; type: string }];
      expect(options).toEqual({ type: 'GorxWarning', code: 'GORX_KILL_PENDING' });
      expect(message).toContain('goroutine');
      expect(message).toContain('"forgetful" has not ended 1000 ms after kill()');
      expect(message).toContain('pass ctx');
      expect(message).toContain('recv on chan "jobs"');
      await jest.advanceTimersByTimeAsync(5000);
      expect(warn).toHaveBeenCalledTimes(1); // once
      expect(jobs.trySend(1)).toBe(true); // it ends only when its receive completes
      await killed;
      expect(g.state).toBe('killed');
    } finally {
      warn.mockRestore();
    }
  });

  it('several pending kills: the ones that end are dropped, the others warned once each, in kill order', async () => {
    jest.useFakeTimers();
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const jobs = chan<number>(0, { name: 'jobs' });
      const forgetful = (name: string) =>
        go(
          async () => {
            await jobs.recv(); // forgot ctx: the kill cannot interrupt this
          },
          { name },
        );
      const names = () => warn.mock.calls.map((call) => /"(\w)"/.exec(String(call[0]))![1]);
      const [a, b, c] = [forgetful('a'), forgetful('b'), forgetful('c')];
      await flush();
      const killed = [a.kill(), b.kill(), c.kill()];
      await macrotask();
      expect(jobs.trySend(1)).toBe(true); // `a`, first in line, ends before any warning
      await killed[0];
      await jest.advanceTimersByTimeAsync(1000);
      expect(names()).toEqual(['b', 'c']);
      const d = forgetful('d');
      await flush();
      const killedD = d.kill(); // linked after `c`, once `a` has been dropped
      await macrotask();
      expect(jobs.trySend(2)).toBe(true); // `b`, now first in line, ends
      await killed[1];
      await jest.advanceTimersByTimeAsync(999);
      expect(names()).toEqual(['b', 'c']);
      await jest.advanceTimersByTimeAsync(1);
      expect(names()).toEqual(['b', 'c', 'd']);
      await jest.advanceTimersByTimeAsync(5000);
      expect(names()).toEqual(['b', 'c', 'd']); // once each
      expect(jobs.trySend(3)).toBe(true);
      expect(jobs.trySend(4)).toBe(true);
      await Promise.all([killed[2], killedD]);
      expect([a.state, b.state, c.state, d.state]).toEqual([
        'killed',
        'killed',
        'killed',
        'killed',
      ]);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      warn.mockRestore();
    }
  });

  it('a kill that ends in time arms no timer and warns nothing', async () => {
    jest.useFakeTimers();
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const g = go(async (ctx) => sleep(60_000, ctx));
      await g.kill();
      await macrotask();
      expect(jest.getTimerCount()).toBe(0);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
