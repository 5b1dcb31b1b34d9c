// Port of Go's test/chan/sieve1.go: the prime sieve, a chain of filter goroutines linked by
// unbuffered channels. The generator and filters run forever; killing the sieve goroutine must
// stop every one of them (they are its children) and leave nothing parked.
import { afterEach, describe, expect, it } from '@jest/globals';
import { chan, go, goroutines, type GoContext, type RecvChan, type SendChan } from 'gorx';
import { expectNothingLeft } from '../helpers/leaks.js';
import { settle } from '../helpers/turns.js';

afterEach(() => expectNothingLeft());

const PRIMES = [
  2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
];

describe('sieve1 with async goroutines', () => {
  async function generate(ctx: GoContext, ch: SendChan<number>): Promise<void> {
    for (let i = 2; ; i++) await ch.send(i, { signal: ctx.signal });
  }

  async function filter(
    ctx: GoContext,
    inp: RecvChan<number>,
    out: SendChan<number>,
    prime: number,
  ): Promise<void> {
    for (;;) {
      const i = await inp.recv({ signal: ctx.signal });
      if (i % prime !== 0) await out.send(i, { signal: ctx.signal });
    }
  }

  async function sieve(ctx: GoContext, primes: SendChan<number>): Promise<void> {
    let ch = chan<number>();
    const first = ch;
    ctx.go((c) => generate(c, first));
    for (;;) {
      const prime = await ch.recv({ signal: ctx.signal });
      await primes.send(prime, { signal: ctx.signal });
      const ch1 = chan<number>();
      const inp = ch;
      ctx.go((c) => filter(c, inp, ch1, prime));
      ch = ch1;
    }
  }

  it('yields the primes below 100, and killing the sieve stops every filter', async () => {
    const primes = chan<number>();
    const g = go((ctx) => sieve(ctx, primes), { name: 'sieve' });
    for (const p of PRIMES) expect(await primes.recv()).toBe(p);
    await settle(); // the sieve starts the filter for 97 and blocks offering the next prime
    expect(goroutines().length).toBe(PRIMES.length + 2); // sieve, generator, one filter per prime
    await g.kill();
    await expect(g.done).rejects.toBeDefined();
    expect(goroutines()).toEqual([]);
  });
});

describe('sieve1 with generator goroutines', () => {
  function* generate(ch: SendChan<number>): Generator<unknown, void, unknown> {
    for (let i = 2; ; i++) yield ch.send(i);
  }

  function* filter(
    inp: RecvChan<number>,
    out: SendChan<number>,
    prime: number,
  ): Generator<unknown, void, unknown> {
    for (;;) {
      const i = (yield inp.recv()) as number;
      if (i % prime !== 0) yield out.send(i);
    }
  }

  it('yields the primes below 100, and killing the sieve stops every filter at its yield', async () => {
    const primes = chan<number>();
    const cleaned: number[] = [];
    const started: number[] = [];
    const g = go(
      function* (ctx) {
        let ch = chan<number>();
        const first = ch;
        ctx.go(() => generate(first));
        for (;;) {
          const prime = (yield ch.recv()) as number;
          yield primes.send(prime);
          const ch1 = chan<number>();
          const inp = ch;
          started.push(prime);
          ctx.go(function* () {
            try {
              yield* filter(inp, ch1, prime);
            } finally {
              cleaned.push(prime);
            }
          });
          ch = ch1;
        }
      },
      { name: 'sieve' },
    );
    for (const p of PRIMES) expect(await primes.recv()).toBe(p);
    await g.kill();
    expect(g.state).toBe('killed');
    // Every filter that was started ran its finally. The sieve may be stopped before it resumes
    // from sending the last prime, i.e. before it starts that prime's filter.
    expect([...cleaned].sort((a, b) => a - b)).toEqual(started);
    expect(started).toEqual(PRIMES.slice(0, started.length));
    expect(started.length).toBeGreaterThanOrEqual(PRIMES.length - 1);
    await expect(g.done).rejects.toBeDefined();
    expect(goroutines()).toEqual([]);
  });
});
