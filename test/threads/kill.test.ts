import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { chan, go, GoroutineExit } from 'gorx';
import { goThread, ThreadExitError } from 'gorx/threads';
import { BASIC, expectNoThreadLeft, rejection } from './support.js';

// Real threads on a shared 2-core machine: generous limits; every wait is for an event.
jest.setTimeout(60_000);

afterEach(() => expectNoThreadLeft());

describe('kill, step one: cooperative', () => {
  it('aborts the async goroutine signal in the thread; its finally runs; killMode is cooperative', async () => {
    const started = chan<string>(1);
    const cleaned = chan<string>(1);
    const g = goThread(BASIC, 'waitForKill', [started, cleaned]);
    await started.recv();
    await g.kill();
    expect(g.killMode).toBe('cooperative');
    expect(cleaned.tryRecv()).toEqual({ ok: true, value: 'finally ran' });
    expect(await rejection(g.done)).toBeInstanceOf(GoroutineExit);
  });

  it('stops a generator at its yield (even on a promise that never settles) and runs its finally', async () => {
    const started = chan<string>(1);
    const cleaned = chan<string>(1);
    const g = goThread(BASIC, 'genWaitForKill', [started, cleaned]);
    await started.recv();
    await g.kill();
    expect(g.killMode).toBe('cooperative');
    expect(cleaned.tryRecv()).toEqual({ ok: true, value: 'finally ran' });
  });

  it('aborting options.signal kills the thread goroutine', async () => {
    const started = chan<string>(1);
    const cleaned = chan<string>(1);
    const ac = new AbortController();
    const g = goThread(BASIC, 'waitForKill', [started, cleaned], { signal: ac.signal });
    await started.recv();
    ac.abort('cancelled');
    const e = (await rejection(g.done)) as GoroutineExit;
    expect(e.reason).toBe('cancelled');
    expect(g.killMode).toBe('cooperative');
    expect((e as { terminated?: unknown }).terminated).toBeUndefined();
    expect(cleaned.tryRecv().ok).toBe(true);
  });
});

describe('kill, step two: terminate after killGraceMs', () => {
  it('terminates a thread hung in while (true) {} and reports killMode terminated', async () => {
    const started = chan<string>(1);
    const g = goThread(BASIC, 'spin', [started], { killGraceMs: 50 });
    await started.recv();
    await g.kill();
    expect(g.killMode).toBe('terminated');
    expect(g.state).toBe('killed');
    const e = await rejection(g.done);
    expect(e).toBeInstanceOf(GoroutineExit);
    expect((e as { terminated?: unknown }).terminated).toBe(true); // telemetry's marker
  });

  it('terminates a thread blocked in Atomics.wait', async () => {
    const started = chan<string>(1);
    const g = goThread(BASIC, 'blockAtomics', [started], { killGraceMs: 50 });
    await started.recv();
    await g.kill();
    expect(g.killMode).toBe('terminated');
  });

  it('killGraceMs 0 terminates at once, without a cooperative step', async () => {
    const started = chan<string>(1);
    const cleaned = chan<string>(1);
    const g = goThread(BASIC, 'waitForKill', [started, cleaned], { killGraceMs: 0 });
    await started.recv();
    await g.kill();
    expect(g.killMode).toBe('terminated');
    // A terminate cannot run the thread's finally blocks.
    expect(cleaned.tryRecv()).toEqual({ ok: false, closed: false });
  });

  it('the main event loop keeps serving while a thread spins and while it is being killed', async () => {
    const started = chan<string>(1);
    const g = goThread(BASIC, 'spin', [started], { killGraceMs: 100 });
    await started.recv();
    let ticks = 0;
    const killed = g.kill();
    // setImmediate turns complete while the kill waits for its grace: the loop is not blocked.
    while (ticks < 3) await new Promise<void>((r) => setImmediate(() => r(void ticks++)));
    await killed;
    expect(g.killMode).toBe('terminated');
  });
});

describe('crashes give ThreadExitError', () => {
  it('process.exit(n) in the thread', async () => {
    const e = (await rejection(goThread(BASIC, 'exitProcess', [3]).done)) as ThreadExitError;
    expect(e).toBeInstanceOf(ThreadExitError);
    expect(e.exitCode).toBe(3);
  });

  it('an uncaught throw outside the goroutine (in a timer callback)', async () => {
    const e = (await rejection(goThread(BASIC, 'throwInTimer').done)) as ThreadExitError;
    expect(e).toBeInstanceOf(ThreadExitError);
    expect((e.cause as Error).message).toBe('uncaught in timer');
  });

  it('out of memory under resourceLimits', async () => {
    const g = goThread(BASIC, 'allocate', [], { resourceLimits: { maxOldGenerationSizeMb: 16 } });
    const e = (await rejection(g.done)) as ThreadExitError;
    expect(e).toBeInstanceOf(ThreadExitError);
    expect(e.message).toContain('out of memory');
    expect(g.killMode).toBeNull();
  });
});

describe('a thread goroutine with a parent', () => {
  it('is killed with its parent, and the parent ends only after the thread has ended', async () => {
    const started = chan<string>(1);
    let child: ReturnType<typeof goThread> | undefined;
    const parent = go(async (ctx) => {
      child = goThread(BASIC, 'spin', [started], { parent: ctx, killGraceMs: 20 });
      await child.done;
    });
    await started.recv();
    await parent.kill();
    expect(child!.killMode).toBe('terminated');
    expect(child!.state).toBe('killed');
  });
});
