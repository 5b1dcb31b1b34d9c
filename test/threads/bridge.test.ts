import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { chan, go, type Chan } from 'gorx';
import { goThread, ThreadExitError, ThreadPool } from 'gorx/threads';
import { BASIC, expectNoThreadLeft, rejection } from './support.js';

// Real threads on a shared 2-core machine: generous limits; every wait is for an event.
jest.setTimeout(60_000);

afterEach(() => expectNoThreadLeft());

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function drain<T>(ch: Chan<T>): T[] {
  const out: T[] = [];
  for (let r = ch.tryRecv(); r.ok; r = ch.tryRecv()) out.push(r.value);
  return out;
}

describe('bridged channels keep the channel semantics', () => {
  it('FIFO both ways: a thread echoes what it receives, in order', async () => {
    const input = chan<number>(4);
    const output = chan<number>(0);
    const g = goThread(BASIC, 'echo', [{ nested: [input] }.nested[0], output]);
    const sender = go(async () => {
      for (let i = 0; i < 200; i++) await input.send(i);
      input.close();
    });
    const got: number[] = [];
    for await (const v of output) got.push(v);
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i));
    await g.done;
    await sender.done;
  });

  it('channels inside plain objects and arrays arrive bridged (the same channel twice is one bridge)', async () => {
    const ch = chan<number>(3);
    ch.trySend(1);
    ch.trySend(2);
    const g = goThread<number[]>(BASIC, 'consume', [{ a: [ch] }.a[0], 2]);
    await expect(g.done).resolves.toEqual([1, 2]);
  });

  it.each([0, 1, 3, 16])(
    'capacity %i bounds how far a producer in the thread runs ahead (values in transit count)',
    async (cap) => {
      const out = chan<number>(cap);
      const progress = chan<number>(Infinity);
      const n = 40;
      const g = goThread(BASIC, 'produceReport', [out, progress, n]);
      let received = 0;
      let maxLead = -Infinity;
      const watch = go(async () => {
        for await (const k of progress) maxLead = Math.max(maxLead, k + 1 - received);
      });
      for (let i = 0; i < n; i++) {
        for (let t = 0; t < 3; t++) await turn(); // a slow consumer: the producer pushes the bound
        expect(await out.recv()).toBe(i);
        received++;
      }
      await g.done;
      progress.close();
      await watch.done;
      expect(maxLead).toBeLessThanOrEqual(cap);
      expect(out.tryRecv()).toEqual({ ok: false, closed: true });
    },
  );

  it('close drains: values buffered before the close still reach the thread, then for await ends', async () => {
    const input = chan<string>(3);
    const output = chan<string>(Infinity);
    for (const v of ['a', 'b', 'c']) input.trySend(v);
    input.close();
    const g = goThread(BASIC, 'echo', [input, output]);
    await g.done;
    expect(drain(output)).toEqual(['a', 'b', 'c']);
    expect(output.closed).toBe(true);
  });

  it('try* and close act on the original synchronously (a second close throws ChannelClosedError)', async () => {
    const ch = chan<string>(2);
    const r = await goThread<Record<string, unknown>>(BASIC, 'tryOps', [ch]).done;
    expect(r).toEqual({
      sent: true,
      got: { ok: true, value: 'x' },
      none: { ok: false, closed: false },
      t: null,
      closedTwice: true,
    });
    expect(ch.closed).toBe(true);
  });
});

describe('select in the thread is decided on the main thread', () => {
  it('a losing case takes nothing, and a sender on the losing channel stays blocked', async () => {
    const pool = new ThreadPool({ size: 1 });
    for (let i = 0; i < 16; i++) {
      const a = chan<string>();
      const b = chan<string>(1);
      b.trySend('B');
      const aSent = a.send('A');
      let aDone = false;
      void aSent.then(() => (aDone = true));
      const [index, value] = await pool.go<[number, string, boolean]>(BASIC, 'selectOnce', [a, b])
        .done;
      await turn();
      if (index === 0) {
        expect(value).toBe('A');
        expect(aDone).toBe(true);
        expect(drain(b)).toEqual(['B']);
      } else {
        expect(value).toBe('B');
        expect(aDone).toBe(false); // still blocked: its case lost
        expect(await a.recv()).toBe('A');
      }
      await aSent;
    }
    await pool.close();
  });

  it('a cooperative kill during a bridged select withdraws every case', async () => {
    const a = chan<string>();
    const b = chan<string>();
    const started = chan<string>(1);
    const g = goThread(BASIC, 'selectForever', [a, b, started]);
    await started.recv();
    await g.kill();
    expect(g.killMode).toBe('cooperative');
    expect(a.trySend('x')).toBe(false);
    expect(b.trySend('y')).toBe(false);
  });

  it('a terminate during a bridged select withdraws every case', async () => {
    const a = chan<string>();
    const b = chan<string>();
    const started = chan<string>(1);
    const g = goThread(BASIC, 'selectThenSpin', [a, b, started], { killGraceMs: 20 });
    await started.recv();
    await g.kill();
    expect(g.killMode).toBe('terminated');
    expect(a.trySend('x')).toBe(false);
    expect(b.trySend('y')).toBe(false);
  });
});

describe('values in transit when a thread is killed or crashes', () => {
  it('after a cooperative kill, a value handed to the thread was seen by its code or put back: exactly once', async () => {
    const pool = new ThreadPool({ size: 1 });
    for (let i = 0; i < 24; i++) {
      const input = chan<number>();
      const seen = chan<number>(Infinity);
      const started = chan<string>(1);
      const g = pool.go(BASIC, i % 2 === 0 ? 'recvReport' : 'genRecvReport', [
        input,
        seen,
        started,
      ]);
      await started.recv();
      await input.send(i); // taken on the thread's behalf: in transit or seen
      for (let t = 0; t < (i >> 1) % 4; t++) await turn();
      await g.kill();
      expect(g.killMode).toBe('cooperative');
      expect([...drain(seen), ...drain(input)]).toEqual([i]);
    }
    await pool.close();
  });

  it('after a terminate, a value taken for the thread and never seen is put back at the head', async () => {
    const input = chan<number>(2);
    const started = chan<string>(1);
    const g = goThread(BASIC, 'recvThenSpin', [input, started], { killGraceMs: 20 });
    await started.recv();
    await input.send(1); // the thread's pending receive takes it; the thread never sees it
    await input.send(2);
    await g.kill();
    expect(g.killMode).toBe('terminated');
    expect(drain(input)).toEqual([1, 2]);
  });

  it('across a terminate a value is delivered at least once (seen, and maybe put back too)', async () => {
    const input = chan<number>();
    const seen = chan<number>(Infinity);
    const g = goThread(BASIC, 'recvReportThenSpin', [input, seen], { killGraceMs: 20 });
    await input.send(7);
    expect(await seen.recv()).toBe(7);
    await g.kill();
    expect(g.killMode).toBe('terminated');
    const again = drain(input);
    expect(again.length === 0 || (again.length === 1 && again[0] === 7)).toBe(true);
  });

  it('a thread that crashes while its send waits: ThreadExitError, the send is withdrawn', async () => {
    const out = chan<string>();
    const started = chan<string>(1);
    const g = goThread(BASIC, 'crashMidSend', [out, started]);
    await started.recv();
    const e = await rejection(g.done);
    expect(e).toBeInstanceOf(ThreadExitError);
    // No phantom sender is left on the channel.
    expect(out.tryRecv()).toEqual({ ok: false, closed: false });
  });
});

describe('select in the thread: promise cases and refused mixes', () => {
  it('a promise case that wins withdraws the bridged cases (nothing is taken afterwards)', async () => {
    const a = chan<string>();
    const r = await goThread<[number, string]>(BASIC, 'selectOrTimeout', [a]).done;
    expect(r).toEqual([1, 'timeout']);
    expect(a.trySend('late')).toBe(false); // no receiver left behind on the main side
  });

  it("gorx's own select, trySelect and range given a bridged channel say what is wrong and point at gorx/threads", async () => {
    const ch = chan<number>(1);
    const [sel, trySel, rng] = await goThread<string[]>(BASIC, 'coreOnBridged', [ch]).done;
    expect(sel).toBe(
      "TypeError: select: case 0 is a channel bridged from the main thread (a gorx/threads argument), which gorx's select cannot decide in this thread: import { select } from 'gorx/threads' in thread modules (it decides a select over bridged channels on the main thread, so a losing case takes nothing)",
    );
    expect(trySel).toMatch(
      /^TypeError: trySelect: case 0 is a channel bridged from the main thread/,
    );
    expect(trySel).toContain("import { trySelect } from 'gorx/threads'");
    expect(rng).toMatch(/^TypeError: range: ch is a channel bridged from the main thread/);
    expect(rng).toContain('for await (const v of ch)');
    // Refused before anything changed: the trySelect's send did not happen.
    expect(ch.length).toBe(0);
  });

  it('mixing bridged channels with channels made in the thread is refused with a TypeError', async () => {
    await expect(goThread(BASIC, 'selectMixed', [chan()]).done).resolves.toBe('TypeError');
  });
});
