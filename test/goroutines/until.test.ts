// The typed generator form `yield* until(promise)` (issue 15 item 7): typed end to end, and the
// same kill-at-yield guarantees as `yield promise`. The type assertions are checked by
// `npm run typecheck`; each `@ts-expect-error` fails the type-check if its line ever compiles.
import { afterEach, describe, expect, it } from '@jest/globals';
import { GoroutineExit, chan, go, recv, select, until, type Goroutine } from 'gorx';
import { cleanUp } from './support.js';

afterEach(cleanUp);

/** Compiles only when A and B are the same type. */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_: T): void {}

describe('yield* until(promise)', () => {
  it('types the received value and the goroutine result', async () => {
    const jobs = chan<string>(1);
    jobs.trySend('build');
    const g = go(function* () {
      const job = yield* until(jobs.recv());
      assertType<Equal<typeof job, string>>(true);
      // @ts-expect-error job is a string, not a number
      const n: number = job;
      void n;
      const r = yield* until(select([recv(jobs)]));
      assertType<Equal<typeof r.index, 0>>(true);
      expect(r).toEqual({ index: 0, value: 'x', ok: true });
      return job.length;
    });
    assertType<Equal<typeof g, Goroutine<number>>>(true);
    jobs.trySend('x');
    await expect(g.done).resolves.toBe(5);
  });

  it('takes plain values and nested promise types like await does', async () => {
    const g = go(function* () {
      const a = yield* until(42);
      const b = yield* until(Promise.resolve(Promise.resolve('s')));
      assertType<Equal<typeof a, number>>(true);
      assertType<Equal<typeof b, string>>(true);
      return `${a}${b}`;
    });
    await expect(g.done).resolves.toBe('42s');
  });

  it('a kill stops the goroutine at once at the until, its finally runs', async () => {
    const ch = chan<number>(0, { name: 'never' });
    const steps: string[] = [];
    const g = go(function* () {
      try {
        steps.push('waiting');
        yield* until(ch.recv());
        steps.push('after the wait');
      } finally {
        steps.push('finally');
      }
    });
    await g.kill();
    expect(steps).toEqual(['waiting', 'finally']);
    expect(g.state).toBe('killed');
    await expect(g.done).rejects.toBeInstanceOf(GoroutineExit);
  });

  it('a value handed to a receive waiting in until is put back on kill, never lost', async () => {
    const ch = chan<number>(0, { name: 'jobs' });
    const seen: number[] = [];
    const g = go(function* () {
      for (;;) seen.push(yield* until(ch.recv()));
    });
    expect(ch.trySend(1)).toBe(true); // handed to the waiting receive
    await g.kill();
    expect(seen).toEqual([]); // the generator never resumed with it...
    expect(ch.tryRecv()).toEqual({ ok: true, value: 1 }); // ...so it is back at the channel's head
  });
});
