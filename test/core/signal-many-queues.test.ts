// One AbortSignal shared by parked sends and receives on many channels: an abort rejects exactly
// the operations still parked with that signal, each once, with the signal's reason, oldest first,
// whichever queues they sit in and whatever else those queues hold (issue 14: one listener per
// signal, however the operations parked with it are found).
import { afterEach, describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { type Chan, chan } from 'gorx';
import { parkedCount } from '../../src/internal/park.js';
import { expectNothingLeft } from '../helpers/leaks.js';
import { track } from '../helpers/promise-state.js';
import { settle } from '../helpers/turns.js';

afterEach(() => expectNothingLeft());

/** Records the order in which promises reject (their handlers run in the order of the rejections). */
function rejectionOrder(ps: Promise<unknown>[]): unknown[] {
  const order: unknown[] = [];
  ps.forEach((p, i) => {
    p.catch((e: unknown) => order.push([i, e]));
  });
  return order;
}

describe('one signal across many wait queues', () => {
  it('an abort rejects every op parked with it on 200 channels, oldest first, and none that completed', async () => {
    const ac = new AbortController();
    const opts = { signal: ac.signal };
    const chans: Chan<number>[] = [];
    for (let i = 0; i < 200; i++) chans.push(chan<number>());
    // Two receives on every channel, parked alternately across channels; then every third
    // channel's first receive completes.
    const ps: Promise<number>[] = [];
    for (let round = 0; round < 2; round++) for (const ch of chans) ps.push(ch.recv(opts));
    const order = rejectionOrder(ps);
    const states = ps.map((p) => track(p));
    for (let i = 0; i < 200; i += 3) await chans[i]!.send(i);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    const reason = new Error('stop');
    ac.abort(reason);
    await settle();
    const expected: unknown[] = [];
    ps.forEach((_, i) => {
      const completed = i < 200 && i % 3 === 0;
      expect(states[i]!.result).toEqual(
        completed ? { state: 'fulfilled', value: i } : { state: 'rejected', reason },
      );
      if (!completed) expected.push([i, reason]);
    });
    expect(order).toEqual(expected);
    expect(parkedCount()).toBe(0);
  });

  it("an abort reaches an op parked on a queue that held the signal's ops before, emptied, and many others since", async () => {
    const ac = new AbortController();
    const opts = { signal: ac.signal };
    const first = chan<number>();
    const p0 = first.recv(opts);
    await first.send(0);
    expect(await p0).toBe(0);
    // Many other queues hold and release ops of the signal, then the first queue holds one again.
    for (let i = 0; i < 100; i++) {
      const ch = chan<number>();
      const p = ch.send(i, opts);
      expect(await ch.recv()).toBe(i);
      await p;
    }
    const late = track(first.recv(opts));
    ac.abort('late');
    await settle();
    expect(late.result).toEqual({ state: 'rejected', reason: 'late' });
    expect(parkedCount()).toBe(0);
  });

  it('an abort while a queue holds ops of two signals rejects only its own, and leaves the others in order', async () => {
    const a = new AbortController();
    const b = new AbortController();
    const ch = chan<string>();
    const ps = [
      ch.recv({ signal: a.signal }),
      ch.recv({ signal: b.signal }),
      ch.recv({ signal: a.signal }),
      ch.recv({ signal: b.signal }),
      ch.recv(),
    ];
    const states = ps.map((p) => track(p));
    a.abort('a');
    await settle();
    expect(states.map((s) => s.result)).toEqual([
      { state: 'rejected', reason: 'a' },
      { state: 'pending' },
      { state: 'rejected', reason: 'a' },
      { state: 'pending' },
      { state: 'pending' },
    ]);
    // The remaining receivers still take values first come, first served.
    await ch.send('x');
    await ch.send('y');
    await settle();
    expect(states[1]!.result).toEqual({ state: 'fulfilled', value: 'x' });
    expect(states[3]!.result).toEqual({ state: 'fulfilled', value: 'y' });
    b.abort('b'); // nothing of b's is parked any more
    await ch.send('z');
    await settle();
    expect(states[4]!.result).toEqual({ state: 'fulfilled', value: 'z' });
  });

  it('an op that completes in the same turn as the abort, before it, is not rejected; one still parked with it is, and takes no value', async () => {
    const ac = new AbortController();
    const ch = chan<number>();
    const done = track(ch.recv({ signal: ac.signal }));
    const aborted = track(ch.recv({ signal: ac.signal }));
    const sent = ch.send(1); // hands off to the first receiver synchronously
    ac.abort('stop');
    const unsent = track(ch.send(2)); // no receiver left: parks (no signal)
    await settle();
    expect(done.result).toEqual({ state: 'fulfilled', value: 1 });
    expect(aborted.result).toEqual({ state: 'rejected', reason: 'stop' });
    await sent;
    expect(unsent.result).toEqual({ state: 'pending' });
    expect(await ch.recv()).toBe(2);
    await settle();
    expect(unsent.result).toEqual({ state: 'fulfilled', value: undefined });
  });

  it('a signal Node keeps alive while listened to is let go when its ops leave, and aborts ops parked again', async () => {
    const source = new AbortController();
    const signal = AbortSignal.any([source.signal]);
    const ch = chan<number>();
    const p = ch.recv({ signal });
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    await ch.send(1);
    expect(await p).toBe(1);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    // Parked again on the same queue: watched again, and found on abort.
    const again = track(ch.recv({ signal }));
    const other = track(chan<number>().send(5, { signal }));
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    source.abort('gone');
    await settle();
    expect(again.result).toEqual({ state: 'rejected', reason: 'gone' });
    expect(other.result).toEqual({ state: 'rejected', reason: 'gone' });
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});
