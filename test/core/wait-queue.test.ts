// White-box check of the waiters' queue (a circular list whose head's `prev` is the tail) against an
// array model: push, shift, and removal from any position (a select's losing waiters), in any order.
import { afterEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { type Queued, WaitQ } from '../../src/internal/waiter.js';
import { expectNothingLeft } from '../helpers/leaks.js';

afterEach(() => expectNothingLeft());

/** A bare queue node: the queue touches only `prev`, `next` and `q`. */
function node(id: number): Queued {
  return { id, prev: null, next: null, q: null } as unknown as Queued;
}

const idOf = (w: Queued | null): number | null =>
  w === null ? null : (w as unknown as { id: number }).id;

type Op = { op: 'push' } | { op: 'shift' } | { op: 'remove'; at: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ op: 'push' as const }),
  fc.constant({ op: 'shift' as const }),
  fc.record({ op: fc.constant('remove' as const), at: fc.nat() }),
);

/** The queue's nodes from its head, walking `next` until it comes back to the head. */
function walk(q: WaitQ): Queued[] {
  const out: Queued[] = [];
  const first = q.head;
  if (first === null) return out;
  let w = first;
  do {
    out.push(w);
    expect(w.next!.prev).toBe(w);
    expect(w.q).toBe(q);
    w = w.next!;
  } while (w !== first && out.length <= 1000);
  return out;
}

describe('WaitQ', () => {
  it('behaves as a FIFO array model under push, shift and removal anywhere', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const q = new WaitQ();
        const model: Queued[] = [];
        let nextId = 0;
        for (const o of ops) {
          if (o.op === 'push') {
            const w = node(nextId++);
            q.push(w);
            model.push(w);
          } else if (o.op === 'shift') {
            const w = q.shift();
            expect(w).toBe(model.shift() ?? null);
            if (w !== null) expect([w.prev, w.next, w.q]).toEqual([null, null, null]);
          } else if (model.length > 0) {
            const [w] = model.splice(o.at % model.length, 1);
            q.remove(w!);
            expect([w!.prev, w!.next, w!.q]).toEqual([null, null, null]);
          }
          expect(walk(q).map(idOf)).toEqual(model.map(idOf));
          expect(q.size).toBe(model.length);
          expect(q.head === null).toBe(model.length === 0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('empties when its only waiter is removed, and takes a new one after', () => {
    const q = new WaitQ();
    const a = node(1);
    q.push(a);
    expect(a.next).toBe(a);
    expect(a.prev).toBe(a);
    q.remove(a);
    expect(q.head).toBeNull();
    expect(q.size).toBe(0);
    const b = node(2);
    q.push(b);
    expect(q.shift()).toBe(b);
    expect(q.shift()).toBeNull();
  });
});
