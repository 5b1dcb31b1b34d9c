// Found by the random program property test (test/property, seed 553573491): the put-back of a
// killed generator goroutine did not cover a receive made through a channel iterator.
import { afterEach, describe, expect, it } from '@jest/globals';
import { chan, go } from 'gorx';
import { flush } from '../helpers/turns.js';
import { cleanUp } from './support.js';

afterEach(cleanUp);

describe('put-back through a channel iterator', () => {
  it('a value handed to a generator goroutine parked in for-await next() and killed before it resumes is put back', async () => {
    const ch = chan<string>(0, { name: 'c0' });
    const seen: string[] = [];
    const g = go(function* () {
      const it = ch[Symbol.asyncIterator]();
      try {
        const r = (yield it.next()) as IteratorResult<string>;
        if (r.done !== true) seen.push(r.value);
      } finally {
        void it.return?.();
      }
    });
    await flush();
    expect(ch.trySend('v')).toBe(true); // handed to the parked next()
    const killed = g.kill(); // before the generator resumes
    await killed;
    await g.done.catch(() => {});
    expect({ seen, back: ch.tryRecv() }).toEqual({ seen: [], back: { ok: true, value: 'v' } });
  });
});
