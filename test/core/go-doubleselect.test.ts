// Port of Go's test/chan/doubleselect.go: a select offering the same value on four channels must
// commit exactly one case, so no value is ever delivered twice (nor lost) across four forwarders.
import { afterEach, describe, expect, it } from '@jest/globals';
import { chan, go, recv, select, send, type RecvChan, type SendChan } from 'gorx';
import { expectNothingLeft } from '../helpers/leaks.js';
import { expectIdle } from './support.js';

afterEach(() => expectNothingLeft());

const ITERATIONS = 5000;

async function sender(n: number, cs: SendChan<number>[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    await select([send(cs[0]!, i), send(cs[1]!, i), send(cs[2]!, i), send(cs[3]!, i)]);
  }
  for (const c of cs) c.close();
}

async function mux(out: SendChan<number>, inp: RecvChan<number>): Promise<void> {
  for await (const v of inp) await out.send(v);
}

describe('doubleselect', () => {
  it('no value is delivered twice or lost when one select offers it on four channels', async () => {
    const cs = [chan<number>(), chan<number>(), chan<number>(), chan<number>()];
    const cmux = chan<number>();
    const gs = [go(() => sender(ITERATIONS, cs)), ...cs.map((c) => go(() => mux(cmux, c)))];
    void Promise.all(gs.slice(1).map((g) => g.done)).then(() => cmux.close());
    const seen = new Set<number>();
    const duplicates: number[] = [];
    for await (const v of cmux) {
      if (seen.has(v)) duplicates.push(v);
      seen.add(v);
    }
    expect(duplicates).toEqual([]);
    expect(seen.size).toBe(ITERATIONS);
    await Promise.all(gs.map((g) => g.done));
    expectIdle(cmux, ...cs);
  });

  it('no value is delivered twice when competing receive selects share the same channels', async () => {
    const a = chan<number>();
    const b = chan<number>(2);
    const seen: number[] = [];
    const receivers = Array.from({ length: 4 }, () =>
      go(async () => {
        for (;;) {
          const r = await select([recv(a), recv(b)]);
          if (!r.ok) return;
          seen.push(r.value);
        }
      }),
    );
    for (let i = 0; i < ITERATIONS; i++) await (i % 2 === 0 ? a : b).send(i);
    a.close();
    await Promise.all(receivers.map((g) => g.done));
    // Receivers that saw `a` closed returned; `b` may still hold buffered values.
    for (let r = b.tryRecv(); r.ok; r = b.tryRecv()) seen.push(r.value);
    expect(seen.length).toBe(ITERATIONS);
    expect(new Set(seen).size).toBe(ITERATIONS);
    expectIdle(a, b);
  });
});
