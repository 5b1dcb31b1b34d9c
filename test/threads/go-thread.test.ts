import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { chan, ChannelClosedError, GoroutineExit, TimeoutError } from 'gorx';
import { goThread, ThreadExitError } from 'gorx/threads';
import { liveThreads } from '../../threads/internal/thread-handle.js';
import { BASIC, expectNoThreadLeft, rejection } from './support.js';

// Real threads on a shared 2-core machine: generous limits; every wait is for an event.
jest.setTimeout(60_000);

afterEach(() => expectNoThreadLeft());

describe('goThread: results and arguments', () => {
  it('runs an async export with structured-cloned arguments and resolves with its result', async () => {
    const g = goThread<number>(BASIC, 'add', [2, 3], { name: 'adder' });
    expect(g.name).toBe('adder');
    expect(g.killMode).toBeNull();
    await expect(g.done).resolves.toBe(5);
    expect(g.state).toBe('returned');
  });

  it('runs a generator export (it yields promises and is resumed with their results)', async () => {
    await expect(goThread(BASIC, 'gen', [21]).done).resolves.toBe(42);
  });

  it('counts ctx.heartbeat() calls through shared memory and delivers the latest details', async () => {
    const g = goThread(BASIC, 'beat', [1000]);
    await expect(g.done).resolves.toBe(1000);
    expect(g.heartbeats).toBe(1000);
    expect(g.heartbeatDetails).toEqual({ i: 999 });
  });

  it('transfers an ArrayBuffer sent with { transfer } (the thread keeps a detached buffer)', async () => {
    const out = chan<ArrayBuffer>(1);
    const g = goThread<number>(BASIC, 'transferBuf', [out, 1024]);
    expect((await out.recv()).byteLength).toBe(1024);
    await expect(g.done).resolves.toBe(0);
  });
});

describe('goThread: errors cross with their class and properties', () => {
  it.each([
    ['type', TypeError, undefined],
    ['timeout', TimeoutError, 'ERR_TIMEOUT'],
    ['closed', ChannelClosedError, 'ERR_CHANNEL_CLOSED'],
  ])('a %s error keeps its gorx or standard class and code', async (kind, Cls, code) => {
    const e = (await rejection(goThread(BASIC, 'fail', [kind]).done)) as Error & { code?: string };
    expect(e).toBeInstanceOf(Cls);
    expect(e.code).toBe(code);
    expect(e.stack).toContain('basic.mjs');
  });

  it('an error of a user class becomes an Error with the same name, message, code, cause and own properties', async () => {
    const e = (await rejection(goThread(BASIC, 'fail', ['custom']).done)) as Error &
      Record<string, unknown>;
    expect(e.constructor).toBe(Error);
    expect(e.name).toBe('CustomError');
    expect(e.message).toBe('custom failure');
    expect(e.code).toBe('E_CUSTOM');
    expect(e.details).toEqual({ n: 1 });
    expect(e.cause).toBeInstanceOf(RangeError);
    expect((e.cause as Error).message).toBe('inner');
    expect(e.stack).toContain('basic.mjs');
  });

  it('a missing export rejects with a TypeError naming it', async () => {
    const e = await rejection(goThread(BASIC, 'nope').done);
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toContain('"nope"');
  });

  it('a module that fails to load rejects with ThreadExitError carrying the cause', async () => {
    const e = (await rejection(
      goThread(new URL('./fixtures/does-not-exist.mjs', import.meta.url), 'x').done,
    )) as ThreadExitError;
    expect(e).toBeInstanceOf(ThreadExitError);
    expect(e.code).toBe('ERR_THREAD_EXIT');
    expect((e.cause as { code?: string }).code).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('a killed thread goroutine rejects with the GoroutineExit of the kill, not an error', async () => {
    const started = chan<string>(1);
    const cleaned = chan<string>(1);
    const g = goThread(BASIC, 'waitForKill', [started, cleaned]);
    await started.recv();
    await g.kill('stop');
    const e = (await rejection(g.done)) as GoroutineExit;
    expect(e).toBeInstanceOf(GoroutineExit);
    expect(e.reason).toBe('stop');
    expect(g.state).toBe('killed');
    await cleaned.recv();
  });
});

describe('goThread: bad input is refused before anything starts', () => {
  it.each([
    ['a relative path', () => goThread('./x.mjs', 'f'), TypeError],
    ['a non-string module', () => goThread(42 as unknown as string, 'f'), TypeError],
    ['an empty export name', () => goThread(BASIC, ''), TypeError],
    [
      'args that are not an array',
      () => goThread(BASIC, 'add', 'x' as unknown as unknown[]),
      TypeError,
    ],
    ['a negative killGraceMs', () => goThread(BASIC, 'add', [], { killGraceMs: -1 }), RangeError],
    ['a NaN killGraceMs', () => goThread(BASIC, 'add', [], { killGraceMs: NaN }), RangeError],
    [
      'a non-signal signal',
      () => goThread(BASIC, 'add', [], { signal: {} as AbortSignal }),
      TypeError,
    ],
  ])('%s throws at once and starts no thread', (_name, call, Cls) => {
    expect(call).toThrow(Cls);
    expect(liveThreads()).toBe(0);
  });

  it('arguments that cannot be cloned reject done and leave no thread', async () => {
    const e = await rejection(goThread(BASIC, 'add', [() => 1]).done);
    expect((e as Error).name).toBe('DataCloneError');
  });
});
