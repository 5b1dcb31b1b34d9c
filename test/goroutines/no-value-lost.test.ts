// "Hand a value to a goroutine, then kill it" at random microtask points: every value sent is
// either seen by the goroutine's code or still in the channel, exactly once and in order.
import { afterEach, describe, expect, it } from '@jest/globals';
import { chan, go, recv, select, type Chan, type Goroutine } from 'gorx';
import { flush } from '../helpers/leaks.js';
import { cleanUp } from './support.js';

afterEach(cleanUp);

/** Small seeded PRNG (mulberry32): a failing seed replays exactly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Body = 'generator recv' | 'generator select' | 'async recv' | 'async select';

/** A consumer that records every value its code sees, sometimes pausing between receives. */
function consumer(
  body: Body,
  ch: Chan<number>,
  idle: Chan<number>,
  seen: number[],
  rnd: () => number,
): Goroutine<void> {
  switch (body) {
    case 'generator recv':
      return go(function* () {
        for (;;) {
          seen.push((yield ch.recv()) as number);
          if (rnd() < 0.3) yield Promise.resolve();
        }
      });
    case 'generator select':
      return go(function* () {
        for (;;) {
          const r = (yield select([recv(idle), recv(ch)])) as { value: number };
          seen.push(r.value);
          if (rnd() < 0.3) yield Promise.resolve();
        }
      });
    case 'async recv':
      return go(async (ctx) => {
        for (;;) {
          seen.push(await ch.recv({ signal: ctx.signal }));
          if (rnd() < 0.3) await Promise.resolve();
        }
      });
    case 'async select':
      return go(async (ctx) => {
        for (;;) {
          const r = await select([recv(idle), recv(ch)], { signal: ctx.signal });
          seen.push(r.value as number);
          if (rnd() < 0.3) await Promise.resolve();
        }
      });
  }
}

/** Values put back at the head of a channel by kills, over all runs (proves the path is exercised). */
let putBacks = 0;

/** One run; returns a description of the loss or duplication, or null when every value is accounted for. */
async function run(body: Body, seed: number): Promise<string | null> {
  const rnd = prng(seed);
  const capacity = [0, 1, 3][Math.floor(rnd() * 3)]!;
  const ch = chan<number>(capacity, { name: 'values' });
  const internal = ch as unknown as { unrecv(v: unknown): void };
  const unrecv = internal.unrecv;
  internal.unrecv = (v) => {
    putBacks++;
    unrecv.call(ch, v);
  };
  const idle = chan<number>(0, { name: 'idle' });
  const seen: number[] = [];
  const g = consumer(body, ch, idle, seen, prng(seed ^ 0x5eed));
  const total = 1 + Math.floor(rnd() * 12);
  const killAt = Math.floor(rnd() * (total + 1));
  const sends: Promise<void>[] = [];
  let killed: Promise<void> | null = null;
  const kill = (): void => {
    const delay = Math.floor(rnd() * 3);
    killed = delay === 0 ? g.kill() : flush(delay).then(() => g.kill());
  };
  for (let i = 0; i < total; i++) {
    if (i === killAt) kill();
    // A blocking send stays queued after the consumer is gone; the drain below completes it.
    if (!(rnd() < 0.5 && ch.trySend(i))) sends.push(ch.send(i));
    await flush(Math.floor(rnd() * 4));
  }
  if (killed === null) kill();
  await killed;
  const left: number[] = [];
  for (let r = ch.tryRecv(); r.ok; r = ch.tryRecv()) left.push(r.value);
  await Promise.all(sends);
  const all = [...seen, ...left];
  const expected = Array.from({ length: total }, (_, i) => i);
  if (all.length === total && all.every((v, i) => v === expected[i])) return null;
  return `${body}, seed ${seed}, capacity ${capacity}: seen [${seen}] + left in channel [${left}]`;
}

describe('randomized kills never lose or duplicate a handed-off value', () => {
  it.each<Body>(['generator recv', 'generator select', 'async recv', 'async select'])(
    '%s: 400 seeded interleavings',
    async (body) => {
      const failures: string[] = [];
      putBacks = 0;
      for (let seed = 1; seed <= 400; seed++) {
        const failure = await run(body, seed);
        if (failure !== null) failures.push(failure);
      }
      expect(failures).toEqual([]);
      // Generators resume a microtask after a hand-off, so some kills must land in between.
      if (body.startsWith('generator')) expect(putBacks).toBeGreaterThan(20);
    },
  );
});
