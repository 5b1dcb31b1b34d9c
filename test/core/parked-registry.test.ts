// The registry of parked operations (park.ts): a plain channel waiter is found through its listed
// queue, every other op (a select, a sleep) through the global list; both appear in `parkedOps` in
// park order, leave it when they complete, and the list of queues stays bounded.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { chan, recv, select, sleep } from '../../src/index.js';
import { listedQueueCount, parkedCount, parkedOps, setParkSeq } from '../../src/internal/park.js';
import { expectNothingLeft } from '../helpers/leaks.js';
import { settle } from '../helpers/turns.js';

afterEach(() => {
  jest.useRealTimers();
  expectNothingLeft();
});

const described = (): string[] => parkedOps().map((op) => op.describe());

describe('parked operations', () => {
  it('lists plain waiters, selects and sleeps together, newest first, and drops completed ones', async () => {
    jest.useFakeTimers();
    const a = chan<number>(0, { name: 'a' });
    const b = chan<number>(0, { name: 'b' });
    const r1 = a.recv();
    const s = select([recv(b)]);
    const nap = sleep(1000);
    const r2 = a.recv();
    expect(described()).toEqual([
      'recv on chan "a"',
      expect.stringContaining('sleep'),
      expect.stringContaining('select'),
      'recv on chan "a"',
    ]);
    // The select takes the send at once: the send never parks, the select leaves the list.
    await b.send(7);
    await expect(s).resolves.toMatchObject({ index: 0, value: 7 });
    expect(parkedCount()).toBe(3);

    await a.send(1);
    expect(await r1).toBe(1);
    expect(described()).toEqual(['recv on chan "a"', expect.stringContaining('sleep')]);
    await a.send(2);
    expect(await r2).toBe(2);
    jest.advanceTimersByTime(1000);
    await nap;
    expect(parkedCount()).toBe(0);
  });

  it('finds a waiter parked on a queue again after the list was swept', async () => {
    // One long-lived channel whose queue is listed, emptied, then swept from the list while empty.
    const reused = chan<number>(0, { name: 'reused' });
    const first = reused.recv();
    reused.trySend(-1);
    expect(await first).toBe(-1);
    // Park and release on many channels: the list is swept of their emptied queues, and of reused's.
    for (let i = 0; i < 300; i++) {
      const c = chan<number>(0);
      const p = c.recv();
      c.trySend(i);
      expect(await p).toBe(i);
    }
    expect(listedQueueCount()).toBeLessThanOrEqual(128);
    // Parking on the swept queue lists it again.
    const p = reused.recv();
    expect(described()).toEqual(['recv on chan "reused"']);
    reused.close();
    await expect(p).rejects.toThrow('receive from closed channel');
  });

  it('keeps the list of queues bounded by about twice the queues holding waiters', async () => {
    const held = Array.from({ length: 100 }, () => chan<number>(0));
    const waiting = held.map((c) => c.recv());
    for (let i = 0; i < 1000; i++) {
      const c = chan<number>(0);
      const p = c.send(i);
      expect(c.tryRecv()).toEqual({ ok: true, value: i });
      await p;
    }
    expect(parkedCount()).toBe(100);
    expect(listedQueueCount()).toBeLessThanOrEqual(2 * 100 + 64);
    held.forEach((c, i) => c.trySend(i));
    expect(await Promise.all(waiting)).toEqual(held.map((_, i) => i));
    await settle();
  });

  it('renumbers the parked ops before their sequence number outgrows a small integer', async () => {
    jest.useFakeTimers();
    const a = chan<number>(0, { name: 'a' });
    const b = chan<number>(0, { name: 'b' });
    setParkSeq(2 ** 30 - 2);
    const r1 = a.recv(); // 2^30 - 1
    const nap = sleep(1000); // 2^30
    // The limit is reached: the parked ops are renumbered (this one, queued already, first as the
    // oldest: 1, then r1 2, nap 3) and this one then takes the next number, 4.
    const r2 = b.recv();
    const seqs = parkedOps().map((op) => op.seq);
    expect(seqs).toEqual([4, 3, 2]);
    expect(described()).toEqual([
      'recv on chan "b"',
      expect.stringContaining('sleep'),
      'recv on chan "a"',
    ]);
    a.trySend(1);
    b.trySend(2);
    expect([await r1, await r2]).toEqual([1, 2]);
    jest.advanceTimersByTime(1000);
    await nap;
  });
});
