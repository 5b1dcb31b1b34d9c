// kill() is Stackless's tasklet.kill: the goroutine stops where it is suspended, its finally blocks
// run (also ones that wait), and kill() resolves once they have finished.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  chan,
  go,
  GoroutineExit,
  range,
  recv,
  select,
  send,
  sleep,
  SupersededError,
  type Goroutine,
} from 'gorx';
import { flush } from '../helpers/leaks.js';
import { cleanUp } from './support.js';
import { rejectionOf, track } from '../helpers/promise-state.js';

afterEach(cleanUp);

type Suspension = 'recv' | 'send' | 'select' | 'sleep';

/** A blocking gorx operation of each kind, and a check that, once withdrawn, it moved nothing. */
function suspension(what: Suspension): {
  op(signal: AbortSignal | undefined): Promise<unknown>;
  movedNothing(): void;
} {
  const a = chan<number>(0, { name: 'a' });
  const b = chan<number>(0, { name: 'b' });
  return {
    op(signal) {
      switch (what) {
        case 'recv':
          return a.recv({ signal });
        case 'send':
          return a.send(1, { signal });
        case 'select':
          return select([recv(a), send(b, 2)], { signal });
        case 'sleep':
          return sleep(60_000, { signal });
      }
    },
    movedNothing() {
      // A partner arriving now finds nobody waiting: the op was withdrawn, not left behind.
      expect(a.trySend(9)).toBe(false);
      expect(a.tryRecv()).toEqual({ ok: false, closed: false });
      expect(b.tryRecv()).toEqual({ ok: false, closed: false });
      expect(jest.getTimerCount()).toBe(0);
    },
  };
}

describe.each<Suspension>(['recv', 'send', 'select', 'sleep'])(
  'kill while blocked in %s',
  (what) => {
    it('stops a generator goroutine at its yield at once, runs finally, withdraws the op', async () => {
      jest.useFakeTimers();
      const s = suspension(what);
      const log: string[] = [];
      const g = go(function* () {
        try {
          log.push('before');
          yield s.op(undefined);
          log.push('after');
        } finally {
          log.push('finally');
        }
      });
      expect(g.state).toBe('blocked');
      const killed = g.kill();
      expect(log).toEqual(['before', 'finally']);
      await killed;
      expect(g.state).toBe('killed');
      expect(await rejectionOf(g.done)).toBeInstanceOf(GoroutineExit);
      s.movedNothing();
    });

    it('rejects the op of an async goroutine given ctx.signal with the exit, then runs finally', async () => {
      jest.useFakeTimers();
      const s = suspension(what);
      const log: string[] = [];
      let caught: unknown;
      const g = go(async (ctx) => {
        try {
          log.push('before');
          await s.op(ctx.signal);
          log.push('after');
        } catch (e) {
          caught = e;
          throw e;
        } finally {
          log.push('finally');
        }
      });
      expect(g.state).toBe('blocked');
      await g.kill();
      expect(log).toEqual(['before', 'finally']);
      expect(g.state).toBe('killed');
      expect(caught).toBeInstanceOf(GoroutineExit);
      expect(await rejectionOf(g.done)).toBe(caught);
      s.movedNothing();
    });
  },
);

describe('kill while waiting on a plain promise', () => {
  it('stops a generator goroutine at once, whatever it waits on', async () => {
    const log: string[] = [];
    const g = go(function* () {
      try {
        yield new Promise<never>(() => {});
        log.push('after');
      } finally {
        log.push('finally');
      }
    });
    expect(g.state).toBe('blocked');
    await g.kill();
    expect(log).toEqual(['finally']);
    expect(g.state).toBe('killed');
  });

  it('cannot interrupt an async goroutine that ignores its signal: it runs to its end, then is killed', async () => {
    let release!: (v: string) => void;
    const outside = new Promise<string>((resolve) => (release = resolve));
    const log: string[] = [];
    const g = go(async (ctx) => {
      const v = await outside;
      log.push(`got ${v}, signal aborted: ${ctx.signal.aborted}`);
      return v;
    });
    const killed = track(g.kill());
    await flush();
    expect(killed.settled()).toBe(false);
    expect(g.state).toBe('running');
    release('late');
    await flush();
    expect(killed.settled()).toBe(true);
    expect(log).toEqual(['got late, signal aborted: true']);
    // Its return value is dropped: a killed goroutine's done always rejects with the exit.
    expect(g.state).toBe('killed');
    expect(await rejectionOf(g.done)).toBeInstanceOf(GoroutineExit);
  });

  it('does not interrupt an async gorx op that was not given ctx.signal', async () => {
    const ch = chan<number>(0, { name: 'unsignalled' });
    const seen: number[] = [];
    const g = go(async () => {
      seen.push(await ch.recv());
    });
    const killed = track(g.kill());
    await flush();
    expect(killed.settled()).toBe(false);
    expect(ch.trySend(5)).toBe(true);
    await flush();
    expect(seen).toEqual([5]);
    expect(killed.settled()).toBe(true);
    expect(g.state).toBe('killed');
  });
});

describe('kill while looping over a channel', () => {
  it('an async goroutine in range(ch, { signal: ctx.signal }) is interrupted while it waits', async () => {
    const ch = chan<string>(0, { name: 'jobs' });
    const seen: string[] = [];
    let caught: unknown;
    const g = go(async (ctx) => {
      try {
        for await (const job of range(ch, { signal: ctx.signal })) seen.push(job);
      } catch (e) {
        caught = e;
      }
    });
    expect(ch.trySend('a')).toBe(true);
    await flush();
    await g.kill();
    expect(seen).toEqual(['a']);
    expect(caught).toBeInstanceOf(GoroutineExit);
    expect(ch.trySend('b')).toBe(false);
  });
});

describe('finally blocks that wait', () => {
  it('a generator finally that yields completes before kill() resolves', async () => {
    jest.useFakeTimers();
    const log: string[] = [];
    const g = go(function* () {
      try {
        yield new Promise<never>(() => {});
      } finally {
        log.push('cleanup start');
        yield sleep(100);
        log.push('cleanup end');
      }
    });
    const killed = track(g.kill());
    await jest.advanceTimersByTimeAsync(99);
    expect(killed.settled()).toBe(false);
    expect(g.state).toBe('blocked');
    await jest.advanceTimersByTimeAsync(1);
    expect(killed.settled()).toBe(true);
    expect(log).toEqual(['cleanup start', 'cleanup end']);
    expect(g.state).toBe('killed');
  });

  it('an async finally that awaits completes before kill() resolves', async () => {
    jest.useFakeTimers();
    const log: string[] = [];
    const ch = chan<number>();
    const g = go(async (ctx) => {
      try {
        await ch.recv({ signal: ctx.signal });
      } finally {
        log.push('cleanup start');
        await sleep(100); // not given ctx.signal: it is already aborted
        log.push('cleanup end');
      }
    });
    const killed = track(g.kill());
    await jest.advanceTimersByTimeAsync(99);
    expect(killed.settled()).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(killed.settled()).toBe(true);
    expect(log).toEqual(['cleanup start', 'cleanup end']);
  });

  it('in cleanup, an op given the aborted ctx.signal rejects at once with the same exit', async () => {
    jest.useFakeTimers();
    let inCleanup: unknown;
    const g = go(async (ctx) => {
      try {
        await sleep(1000, { signal: ctx.signal });
      } finally {
        inCleanup = await rejectionOf(sleep(100, { signal: ctx.signal }));
      }
    });
    await g.kill();
    expect(inCleanup).toBe(await rejectionOf(g.done));
  });

  it('a second kill during a waiting finally does not cut it short and resolves with the first', async () => {
    jest.useFakeTimers();
    const log: string[] = [];
    const g = go(function* () {
      try {
        yield new Promise<never>(() => {});
      } finally {
        yield sleep(100);
        log.push('cleanup end');
      }
    });
    const first = track(g.kill('first'));
    await jest.advanceTimersByTimeAsync(50);
    const second = track(g.kill('second'));
    await jest.advanceTimersByTimeAsync(49);
    expect([first.settled(), second.settled()]).toEqual([false, false]);
    await jest.advanceTimersByTimeAsync(1);
    expect([first.settled(), second.settled()]).toEqual([true, true]);
    expect(log).toEqual(['cleanup end']);
    expect(((await rejectionOf(g.done)) as GoroutineExit).reason).toBe('first');
  });
});

describe('kill is well defined in every state', () => {
  it('killing twice returns the same completion and keeps the first reason', async () => {
    const ch = chan<number>();
    let finallyRuns = 0;
    const g = go(function* () {
      try {
        yield ch.recv();
      } finally {
        finallyRuns++;
      }
    });
    await Promise.all([g.kill('first'), g.kill('second')]);
    expect(finallyRuns).toBe(1);
    expect(((await rejectionOf(g.done)) as GoroutineExit).reason).toBe('first');
  });

  it('killing a returned goroutine resolves and changes nothing', async () => {
    const g = go(async () => 42);
    await expect(g.done).resolves.toBe(42);
    await g.kill('too late');
    expect(g.state).toBe('returned');
    await expect(g.done).resolves.toBe(42);
  });

  it('killing a failed goroutine resolves and keeps its error', async () => {
    const boom = new Error('boom');
    const g = go(async () => {
      throw boom;
    });
    expect(await rejectionOf(g.done)).toBe(boom);
    await g.kill();
    expect(g.state).toBe('failed');
    expect(await rejectionOf(g.done)).toBe(boom);
  });

  it('killing a killed goroutine resolves and keeps its first exit', async () => {
    const g = go(function* () {
      yield new Promise<never>(() => {});
    });
    await g.kill('first');
    const exit = await rejectionOf(g.done);
    await g.kill('again');
    expect(await rejectionOf(g.done)).toBe(exit);
  });

  it('a generator that kills itself stops at its next yield, without taking a value there', async () => {
    const ch = chan<number>(0, { name: 'next' });
    const log: string[] = [];
    const self: { g?: Goroutine<void> } = {};
    let signalAborted: boolean | undefined;
    self.g = go(function* (ctx) {
      try {
        yield Promise.resolve(); // lets go() return the handle
        void self.g!.kill('self');
        signalAborted = ctx.signal.aborted;
        log.push('still running until the next yield');
        yield ch.recv();
        log.push('after the yield');
      } finally {
        log.push('finally');
      }
    });
    await self.g.done.catch(() => {});
    expect(log).toEqual(['still running until the next yield', 'finally']);
    expect(signalAborted).toBe(true);
    expect(self.g.state).toBe('killed');
    expect(ch.trySend(1)).toBe(false); // the receive at that yield was withdrawn
    expect(((await rejectionOf(self.g.done)) as GoroutineExit).reason).toBe('self');
  });

  it('an async goroutine that kills itself sees its signal aborted and its next op rejects', async () => {
    const ch = chan<number>(1, { name: 'next' });
    ch.trySend(1); // even a ready value is not taken once the goroutine is killed
    const log: string[] = [];
    const self: { g?: Goroutine<void> } = {};
    self.g = go(async (ctx) => {
      await Promise.resolve();
      void self.g!.kill('self'); // never await your own kill: it resolves when you have ended
      log.push(`aborted: ${ctx.signal.aborted}`);
      try {
        await ch.recv({ signal: ctx.signal });
      } catch (e) {
        log.push(`recv rejected: ${(e as GoroutineExit).code}`);
        throw e;
      }
    });
    await self.g.done.catch(() => {});
    expect(log).toEqual(['aborted: true', 'recv rejected: ERR_GOROUTINE_EXIT']);
    expect(self.g.state).toBe('killed');
    expect(ch.length).toBe(1);
    expect(ch.tryRecv()).toEqual({ ok: true, value: 1 });
  });
});

describe('kill reasons', () => {
  it('a plain reason is carried by the GoroutineExit the goroutine ends with', async () => {
    jest.useFakeTimers();
    const g = go(async (ctx) => sleep(60_000, { signal: ctx.signal }));
    await g.kill('no longer needed');
    const exit = (await rejectionOf(g.done)) as GoroutineExit;
    expect(exit).toBeInstanceOf(GoroutineExit);
    expect(exit.code).toBe('ERR_GOROUTINE_EXIT');
    expect(exit.reason).toBe('no longer needed');
    expect(exit.message).toContain('no longer needed');
  });

  it('an Error reason is carried, not thrown', async () => {
    const cause = new Error('shutdown');
    const g = go(function* () {
      yield new Promise<never>(() => {});
    });
    await g.kill(cause);
    const exit = (await rejectionOf(g.done)) as GoroutineExit;
    expect(exit).toBeInstanceOf(GoroutineExit);
    expect(exit.reason).toBe(cause);
    expect(g.state).toBe('killed');
  });

  it('a GoroutineExit subclass is the exit itself, seen by the signal and by done', async () => {
    const ch = chan<number>();
    let signalReason: unknown;
    const g = go(async (ctx) => {
      try {
        await ch.recv({ signal: ctx.signal });
      } finally {
        signalReason = ctx.signal.reason;
      }
    });
    const superseded = new SupersededError('report:42');
    await g.kill(superseded);
    expect(await rejectionOf(g.done)).toBe(superseded);
    expect(signalReason).toBe(superseded);
    expect(superseded.code).toBe('ERR_SUPERSEDED');
    expect(superseded.reason).toBe('report:42');
    expect(g.state).toBe('killed');
  });
});

describe('a value already handed to a killed goroutine is never lost', () => {
  it('a generator that never resumed puts the value back at the head of its channel', async () => {
    const ch = chan<number>(2, { name: 'jobs' });
    const seen: number[] = [];
    const g = go(function* () {
      for (;;) seen.push((yield ch.recv()) as number);
    });
    expect(ch.trySend(1)).toBe(true); // handed to the parked receiver at once
    expect(ch.trySend(2)).toBe(true);
    expect(ch.trySend(3)).toBe(true);
    await g.kill();
    expect(seen).toEqual([]);
    expect(ch.length).toBe(3); // over capacity by one: put-back never drops a value
    expect([ch.tryRecv(), ch.tryRecv(), ch.tryRecv()]).toEqual([
      { ok: true, value: 1 },
      { ok: true, value: 2 },
      { ok: true, value: 3 },
    ]);
  });

  it('a value taken by a select is put back on the channel it came from', async () => {
    const a = chan<string>(0, { name: 'a' });
    const b = chan<string>(0, { name: 'b' });
    const g = go(function* () {
      yield select([recv(a), recv(b)]);
    });
    expect(b.trySend('x')).toBe(true);
    await g.kill();
    expect(a.tryRecv()).toEqual({ ok: false, closed: false });
    expect(b.tryRecv()).toEqual({ ok: true, value: 'x' });
  });

  it('a put-back value goes straight to the next waiting receiver', async () => {
    const ch = chan<number>(0, { name: 'jobs' });
    const g = go(function* () {
      yield ch.recv();
    });
    const other = ch.recv();
    expect(ch.trySend(7)).toBe(true); // the generator waited first, so it gets 7
    await g.kill();
    await expect(other).resolves.toBe(7);
  });

  it('a put-back value on a channel closed meanwhile is still received before the close', async () => {
    const ch = chan<number>(1, { name: 'jobs' });
    const g = go(function* () {
      yield ch.recv();
    });
    expect(ch.trySend(1)).toBe(true);
    ch.close();
    await g.kill();
    expect(ch.tryRecv()).toEqual({ ok: true, value: 1 });
    expect(ch.tryRecv()).toEqual({ ok: false, closed: true });
  });

  it('a value an async helper of a generator already took is not put back (never duplicated)', async () => {
    jest.useFakeTimers();
    const ch = chan<string>(0, { name: 'jobs' });
    const handled: string[] = [];
    async function handle(): Promise<void> {
      handled.push(await ch.recv()); // the helper's own code sees the value
      await sleep(50);
    }
    const g = go(function* () {
      yield handle();
    });
    expect(ch.trySend('job-1')).toBe(true);
    await jest.advanceTimersByTimeAsync(10);
    await g.kill();
    expect(handled).toEqual(['job-1']);
    expect(ch.tryRecv()).toEqual({ ok: false, closed: false }); // not back in the channel
    await jest.advanceTimersByTimeAsync(50); // let the orphaned helper finish its sleep
  });

  it('an async goroutine whose receive completed sees the value, then stops at its next op', async () => {
    const ch = chan<number>(0, { name: 'jobs' });
    const seen: number[] = [];
    const g = go(async (ctx) => {
      for (;;) seen.push(await ch.recv({ signal: ctx.signal }));
    });
    expect(ch.trySend(7)).toBe(true);
    await g.kill();
    expect(seen).toEqual([7]);
    expect(ch.tryRecv()).toEqual({ ok: false, closed: false });
  });
});
