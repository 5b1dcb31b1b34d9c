// Port of Go's test/chan/select6.go (Go issue 2075): a select that loses on a channel with several
// waiters must not corrupt that channel's queue; later waiters on it must still be woken.
import { afterEach, describe, expect, it } from '@jest/globals';
import { chan, go, recv, select } from 'gorx';
import { expectNothingLeft } from '../helpers/leaks.js';
import { expectIdle } from './support.js';

afterEach(() => expectNothingLeft());

describe('select6', () => {
  it('a losing select case in the middle of a queue leaves the queue intact', async () => {
    const c1 = chan<boolean>(0, { name: 'c1' });
    const c2 = chan<boolean>(0, { name: 'c2' });
    const c3 = chan<boolean>(0, { name: 'c3' });
    const first = go(async () => c1.recv());
    const middle = go(async () => {
      const r = await select([recv(c1), recv(c2)]);
      if (r.index === 0) throw new Error('dummy: c1 must go to the first receiver');
      await c3.send(true);
      return c1.recv();
    });
    const g3 = go(async () => c2.send(true));
    await c3.recv();
    await c1.send(true);
    await c1.send(true);
    await expect(first.done).resolves.toBe(true);
    await expect(middle.done).resolves.toBe(true);
    await g3.done;
    expectIdle(c1, c2, c3);
  });

  it('a select removed from the head, middle or tail of a queue keeps FIFO for the others', async () => {
    for (const pos of [0, 1, 2]) {
      const c = chan<number>();
      const other = chan<number>();
      const got: string[] = [];
      const ops = [0, 1, 2].map((i) =>
        i === pos
          ? select([recv(c), recv(other)]).then((r) => got.push(`select:${r.index}:${r.value}`))
          : c.recv().then((v) => got.push(`plain${i}:${v}`)),
      );
      await Promise.resolve();
      other.trySend(99); // the select fires on `other` and must leave c's queue
      for (let i = 0; i < 2; i++) await c.send(i);
      await Promise.all(ops);
      const plains = [0, 1, 2].filter((i) => i !== pos);
      expect(got).toContain('select:1:99');
      expect(got.filter((s) => s.startsWith('plain'))).toEqual(
        plains.map((i, k) => `plain${i}:${k}`),
      );
      expectIdle(c, other);
    }
  });
});
