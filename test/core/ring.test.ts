// White-box check of the channel's ring buffer against an array model: push, shift and unshift
// (used to put a killed receiver's value back) in any order, across growth and wrap-around.
import { afterEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Ring } from '../../src/internal/ring.js';
import { expectNothingLeft } from '../helpers/leaks.js';

afterEach(() => expectNothingLeft());

type Op = { op: 'push'; v: number } | { op: 'unshift'; v: number } | { op: 'shift' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('push' as const), v: fc.integer() }),
  fc.record({ op: fc.constant('unshift' as const), v: fc.integer() }),
  fc.constant({ op: 'shift' as const }),
);

describe('Ring', () => {
  it('behaves as a double-ended array model under any sequence of operations', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(opArb, { maxLength: 300 }),
        (initial, ops) => {
          const ring = new Ring<number>(initial);
          const model: number[] = [];
          for (const o of ops) {
            if (o.op === 'push') {
              ring.push(o.v);
              model.push(o.v);
            } else if (o.op === 'unshift') {
              ring.unshift(o.v);
              model.unshift(o.v);
            } else if (model.length > 0) {
              expect(ring.shift()).toBe(model.shift());
            }
            expect(ring.n).toBe(model.length);
          }
          expect(ring.toArray()).toEqual(model);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('does not keep a reference to a value that has left the buffer', () => {
    const ring = new Ring<object>(4);
    const value = {};
    ring.push(value);
    ring.shift();
    const slots = (ring as unknown as { a: unknown[] }).a;
    expect(slots.includes(value)).toBe(false);
  });
});
