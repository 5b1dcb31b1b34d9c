// Go's test/chan/goroutines.go: a chain of goroutines joined by unbuffered channels, each passing
// the value it receives from its right to its left; the value must cross the whole chain.
import { afterEach, describe, expect, it } from '@jest/globals';
import { chan, go, type Chan, type Goroutine } from 'gorx';
import { cleanUp } from './support.js';

afterEach(cleanUp);

const N = 10_000;

describe('goroutines.go: a chain of 10,000 goroutines', () => {
  it.each(['async', 'generator'] as const)(
    'passes a value end to end through %s goroutines and leaves none behind',
    async (kind) => {
      const leftmost = chan<number>();
      let left: Chan<number> = leftmost;
      const links: Goroutine<void>[] = [];
      for (let i = 0; i < N; i++) {
        const right = chan<number>();
        const [l, r] = [left, right];
        links.push(
          kind === 'async'
            ? go(async () => l.send(await r.recv()))
            : go(function* () {
                yield l.send((yield r.recv()) as number);
              }),
        );
        left = right;
      }
      const rightmost = left;
      links.push(go(async () => rightmost.send(1)));
      expect(await leftmost.recv()).toBe(1);
      // A sender resumes after its receiver (the starvation guard may defer it a macrotask).
      await Promise.all(links.map((g) => g.done));
      expect(links.every((g) => g.state === 'returned')).toBe(true);
    },
    30_000,
  );
});
