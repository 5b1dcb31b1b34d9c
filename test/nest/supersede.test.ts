import 'reflect-metadata';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { GoroutineExit, SupersededError, chan, sleep } from 'gorx';
import { ShutdownError, Supersede, supersedeContext } from 'gorx/nest';
import { flush } from '../helpers/leaks.js';
import {
  createApp,
  trace,
  useFakeTime,
  type TestApp,
  closeAndExpectNothingLeft,
} from './nest-helpers.js';

let t: TestApp | null = null;

afterEach(async () => {
  await closeAndExpectNothingLeft(t);
  t = null;
});

function outcome<T>(p: Promise<T>): { value?: T; error?: unknown; done: boolean } {
  const out: { value?: T; error?: unknown; done: boolean } = { done: false };
  p.then(
    (value) => Object.assign(out, { value, done: true }),
    (error: unknown) => Object.assign(out, { error, done: true }),
  );
  return out;
}

describe('WorkerRegistry.supersede', () => {
  it("the old run's finally (even an async one) finishes before the new run's body starts", async () => {
    useFakeTime();
    t = await createApp({});
    const log: string[] = [];
    const job = (name: string) =>
      async function (ctx: { signal: AbortSignal }): Promise<string> {
        log.push(`${name} start`);
        try {
          await sleep(1_000, { signal: ctx.signal });
          return `${name} done`;
        } finally {
          log.push(`${name} cleanup begins`);
          await sleep(50); // slow cleanup: the next run must still wait for it
          log.push(`${name} cleanup ends`);
        }
      };
    const first = outcome(t.registry.supersede('scene:1', job('A')));
    await jest.advanceTimersByTimeAsync(10);
    const second = outcome(t.registry.supersede('scene:1', job('B')));
    await flush();
    expect(log).toEqual(['A start', 'A cleanup begins']);
    await jest.advanceTimersByTimeAsync(50);
    expect(log).toEqual(['A start', 'A cleanup begins', 'A cleanup ends', 'B start']);
    expect(first.error).toBeInstanceOf(SupersededError);
    expect((first.error as SupersededError).reason).toBe('scene:1');
    await jest.advanceTimersByTimeAsync(1_050);
    expect(second.value).toBe('B done');
    expect(trace(t.events)).toEqual(['superseded supersede:scene:1#1']);
  });

  it('a run superseded before it started never starts; the newest waits for the oldest cleanup', async () => {
    useFakeTime();
    t = await createApp({});
    const log: string[] = [];
    const job = (name: string) =>
      function* (): Generator<unknown, string, unknown> {
        log.push(`${name} start`);
        try {
          yield sleep(1_000);
          return name;
        } finally {
          log.push(`${name} finally`);
          yield sleep(100);
          log.push(`${name} finally done`);
        }
      };
    const a = outcome(t.registry.supersede('k', job('A')));
    const b = outcome(t.registry.supersede('k', job('B')));
    const c = outcome(t.registry.supersede('k', job('C')));
    await jest.advanceTimersByTimeAsync(100);
    expect(log).toEqual(['A start', 'A finally', 'A finally done', 'C start']);
    expect(a.error).toBeInstanceOf(SupersededError);
    expect(b.error).toBeInstanceOf(SupersededError);
    await jest.advanceTimersByTimeAsync(1_100);
    expect(c.value).toBe('C');
  });

  it('runs with different keys do not supersede each other', async () => {
    useFakeTime();
    t = await createApp({});
    const a = outcome(t.registry.supersede('a', () => sleep(100).then(() => 'a')));
    const b = outcome(t.registry.supersede('b', () => sleep(100).then(() => 'b')));
    await jest.advanceTimersByTimeAsync(100);
    expect([a.value, b.value]).toEqual(['a', 'b']);
  });

  it("mode 'join' returns the running call's result instead of starting another", async () => {
    useFakeTime();
    t = await createApp({});
    let runs = 0;
    const fn = async (): Promise<number> => {
      runs++;
      await sleep(100);
      return runs;
    };
    const a = outcome(t.registry.supersede('j', fn, { mode: 'join' }));
    const b = outcome(t.registry.supersede('j', fn, { mode: 'join' }));
    await jest.advanceTimersByTimeAsync(100);
    expect([a.value, b.value, runs]).toEqual([1, 1, 1]);
  });

  it("mode 'queue' starts the next call only after the running one ended by itself", async () => {
    useFakeTime();
    t = await createApp({});
    const log: string[] = [];
    const fn = (name: string) => async (): Promise<string> => {
      log.push(`${name} start`);
      await sleep(100);
      log.push(`${name} end`);
      return name;
    };
    const a = outcome(t.registry.supersede('q', fn('A'), { mode: 'queue' }));
    const b = outcome(t.registry.supersede('q', fn('B'), { mode: 'queue' }));
    await jest.advanceTimersByTimeAsync(200);
    expect(log).toEqual(['A start', 'A end', 'B start', 'B end']);
    expect([a.value, b.value]).toEqual(['A', 'B']);
  });

  it('a value received by a superseded generator run is put back in its channel, never lost', async () => {
    useFakeTime();
    t = await createApp({});
    const ch = chan<number>(1);
    const got: number[] = [];
    const reader = function* (): Generator<unknown, void, unknown> {
      got.push((yield ch.recv()) as number);
      yield sleep(1_000);
    };
    const a = outcome(t.registry.supersede('r', reader));
    await ch.send(1);
    await flush();
    const b = outcome(t.registry.supersede('r', reader));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(a.error).toBeInstanceOf(SupersededError);
    expect(got).toEqual([1]);
    expect(b.done).toBe(false);
    await ch.send(2);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(got).toEqual([1, 2]);
  });
});

@Injectable()
class Scenes {
  readonly log: string[] = [];

  @Supersede({ key: (scene: string) => scene })
  async update(scene: string, tag: string): Promise<string> {
    const ctx = supersedeContext()!;
    this.log.push(`${tag} start (key ${String(ctx.key)})`);
    try {
      await sleep(1_000, { signal: ctx.signal });
      return `${tag} done`;
    } finally {
      this.log.push(`${tag} finally (aborted: ${ctx.signal.aborted})`);
    }
  }

  @Supersede()
  async single(tag: string): Promise<string> {
    await sleep(100, { signal: supersedeContext()!.signal });
    return tag;
  }
}

describe('@Supersede', () => {
  it('a second call with the same key kills the first, whose promise rejects SupersededError', async () => {
    useFakeTime();
    t = await createApp({ providers: [Scenes] });
    const scenes = t.app.get(Scenes);
    const a = outcome(scenes.update('lobby', 'A'));
    const other = outcome(scenes.update('hall', 'X'));
    await jest.advanceTimersByTimeAsync(10);
    const b = outcome(scenes.update('lobby', 'B'));
    await flush();
    expect(a.error).toBeInstanceOf(SupersededError);
    expect(scenes.log).toEqual([
      'A start (key lobby)',
      'X start (key hall)',
      'A finally (aborted: true)',
      'B start (key lobby)',
    ]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect([b.value, other.value]).toEqual(['B done', 'X done']);
    expect(trace(t.events)).toEqual(['superseded Scenes.update(lobby)#1']);
  });

  it('without a key function, every call of the method supersedes the previous one', async () => {
    useFakeTime();
    t = await createApp({ providers: [Scenes] });
    const scenes = t.app.get(Scenes);
    const a = outcome(scenes.single('a'));
    const b = outcome(scenes.single('b'));
    await jest.advanceTimersByTimeAsync(100);
    expect(a.error).toBeInstanceOf(SupersededError);
    expect(b.value).toBe('b');
  });

  it('supersedeContext() is undefined outside a supersede run', () => {
    expect(supersedeContext()).toBeUndefined();
  });

  it('after shutdown began, a supersede call rejects ShutdownError (a GoroutineExit) and starts nothing', async () => {
    useFakeTime();
    const app = await createApp({ providers: [Scenes] });
    const scenes = app.app.get(Scenes);
    await app.app.close();
    const late = scenes.update('lobby', 'late');
    await expect(late).rejects.toBeInstanceOf(ShutdownError);
    await expect(late).rejects.toBeInstanceOf(GoroutineExit);
    await expect(app.registry.supersede('k', async () => 1)).rejects.toMatchObject({
      code: 'ERR_APPLICATION_SHUTDOWN',
    });
    expect(scenes.log).toEqual([]);
  });
});
