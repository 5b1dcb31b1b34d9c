// White-box check of a signal hub's list of links (a circular list whose head's `hprev` is the
// newest link) against an array model: links added and removed in any order, and an abort that
// calls every link still linked, oldest first, including links added while the abort runs.
import { afterEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  type AbortLink,
  type Hub,
  hubOf,
  listen,
  unlisten,
} from '../../src/internal/signal-hub.js';
import { expectNothingLeft } from '../helpers/leaks.js';

afterEach(() => expectNothingLeft());

/** A link that records the order in which the abort reached it. */
class Link implements AbortLink {
  hub: Hub | null = null;
  hprev: AbortLink | null = null;
  hnext: AbortLink | null = null;
  constructor(
    readonly id: number,
    private readonly calls: number[],
    private readonly onAbort?: () => void,
  ) {}
  onSignalAbort(): void {
    expect(this.hub).toBeNull();
    this.calls.push(this.id);
    this.onAbort?.();
  }
}

/** The hub's links from its head, walking `hnext` until it comes back to the head. */
function walk(hub: Hub): number[] {
  const out: number[] = [];
  const first = hub.head;
  if (first === null) return out;
  let l = first;
  do {
    out.push((l as Link).id);
    expect(l.hnext!.hprev).toBe(l);
    expect(l.hub).toBe(hub);
    l = l.hnext!;
  } while (l !== first && out.length <= 1000);
  return out;
}

type Op = { op: 'add' } | { op: 'remove'; at: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ op: 'add' as const }),
  fc.record({ op: fc.constant('remove' as const), at: fc.nat() }),
);

describe('signal hub list', () => {
  it('matches an array model under links added and removed anywhere, and aborts oldest first', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
        const ac = new AbortController();
        const hub = hubOf(ac.signal);
        const calls: number[] = [];
        const model: Link[] = [];
        let nextId = 0;
        for (const o of ops) {
          if (o.op === 'add') {
            const l = new Link(nextId++, calls);
            listen(ac.signal, l);
            model.push(l);
          } else if (model.length > 0) {
            const [l] = model.splice(o.at % model.length, 1);
            unlisten(l!);
            expect([l!.hub, l!.hprev, l!.hnext]).toEqual([null, null, null]);
          }
          expect(walk(hub)).toEqual(model.map((l) => l.id));
          expect(hub.head === null).toBe(model.length === 0);
        }
        ac.abort();
        expect(calls).toEqual(model.map((l) => l.id));
        expect(hub.head).toBeNull();
        for (const l of model) expect([l.hub, l.hprev, l.hnext]).toEqual([null, null, null]);
      }),
      { numRuns: 200 },
    );
  });

  it('calls links added during an abort, and does not call one removed during it', () => {
    const ac = new AbortController();
    const calls: number[] = [];
    const late = new Link(3, calls);
    const removed = new Link(2, calls);
    const first = new Link(1, calls, () => {
      unlisten(removed);
      listen(ac.signal, late);
    });
    listen(ac.signal, first);
    listen(ac.signal, removed);
    ac.abort();
    expect(calls).toEqual([1, 3]);
    expect(hubOf(ac.signal).head).toBeNull();
  });
});
