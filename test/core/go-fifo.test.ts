// Port of Go's test/chan/fifo.go: buffered channels are FIFO, and an unbuffered channel serves
// blocked senders in arrival order (a daisy chain of goroutines reads the values in sequence).
import { afterEach, describe, expect, it } from '@jest/globals';
import { chan, go, type Chan } from 'gorx';
import { expectNothingLeft } from '../helpers/leaks.js';
import { expectIdle } from './support.js';
import { settle } from '../helpers/turns.js';

afterEach(() => expectNothingLeft());

const N = 10;

describe('fifo', () => {
  it('a buffered channel delivers values in the order they were sent', async () => {
    const ch = chan<number>(N);
    for (let i = 0; i < N; i++) await ch.send(i);
    for (let i = 0; i < N; i++) expect(await ch.recv()).toBe(i);
    expectIdle(ch);
  });

  it('an unbounded channel delivers values in the order they were sent, past its first ring size', async () => {
    const ch = chan<number>(Infinity);
    for (let i = 0; i < 1000; i++) ch.trySend(i);
    const got: number[] = [];
    for (let i = 0; i < 1000; i++) got.push(await ch.recv());
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('a daisy chain of goroutines reads an unbuffered channel in sequence (SynchFifo)', async () => {
    const ch = chan<number>(0, { name: 'ch' });
    const start = chan<number>();
    let inp: Chan<number> = start;
    const links = [];
    for (let i = 0; i < N; i++) {
      const out = chan<number>();
      const prev = inp;
      links.push(
        go(async (ctx) => {
          await prev.recv({ signal: ctx.signal });
          const v = await ch.recv({ signal: ctx.signal });
          expect(v).toBe(i);
          await out.send(1, { signal: ctx.signal });
        }),
      );
      inp = out;
    }
    await start.send(0);
    for (let i = 0; i < N; i++) await ch.send(i);
    expect(await inp.recv()).toBe(1);
    await Promise.all(links.map((g) => g.done));
    expectIdle(ch, start, inp);
  });

  it('blocked senders on an unbuffered channel are served in arrival order', async () => {
    const ch = chan<number>();
    const sends = Array.from({ length: N }, (_, i) => ch.send(i));
    await settle();
    for (let i = 0; i < N; i++) expect(await ch.recv()).toBe(i);
    await Promise.all(sends);
    expectIdle(ch);
  });

  it('blocked senders on a full buffered channel enter the buffer in arrival order', async () => {
    const ch = chan<number>(3);
    const sends = Array.from({ length: 3 * N }, (_, i) => ch.send(i));
    await settle();
    expect(ch.length).toBe(3);
    for (let i = 0; i < 3 * N; i++) expect(await ch.recv()).toBe(i);
    await Promise.all(sends);
    expectIdle(ch);
  });

  it('blocked receivers are served in arrival order', async () => {
    for (const capacity of [0, 2]) {
      const ch = chan<number>(capacity);
      const order: number[] = [];
      const recvs = Array.from({ length: N }, (_, i) =>
        ch.recv().then((v) => order.push(i * 100 + v)),
      );
      for (let i = 0; i < N; i++) await ch.send(i);
      await Promise.all(recvs);
      expect(order).toEqual(Array.from({ length: N }, (_, i) => i * 101));
      expectIdle(ch);
    }
  });
});
