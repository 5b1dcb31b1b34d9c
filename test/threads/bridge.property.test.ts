/**
 * Property: a bridged channel behaves like the channel model, whichever side acts. A random
 * sequence of operations, each run either on the main thread (on the original channel) or in a
 * worker thread (on its bridged view, through a driver), gives the results the model predicts:
 * FIFO order, the capacity bound, close that drains, `closed` reported after the drain, a second
 * close refused.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { chan, recv, trySelect, type Chan } from 'gorx';
import { ThreadPool } from 'gorx/threads';
import { BASIC, expectNoThreadLeft } from './support.js';

// Real threads on a shared 2-core machine: generous limits; every wait is for an event.
jest.setTimeout(60_000);

type OpName = 'trySend' | 'send' | 'tryRecv' | 'recv' | 'close' | 'length' | 'trySelect';
interface Cmd {
  side: 'main' | 'thread';
  op: OpName;
}

/** The channel model: a FIFO buffer of `cap` values and a closed flag (nobody is ever parked). */
class Model {
  readonly buf: number[] = [];
  closed = false;
  constructor(readonly cap: number) {}

  /**
   * Whether `op` can run without blocking (blocking ops are only issued when they would not). A
   * thread's send on a channel the main side closed is in: made within credit the thread still
   * holds, it must reject ChannelClosedError all the same and deliver nothing.
   */
  allowed(op: OpName): boolean {
    if (op === 'send') return this.closed || this.buf.length < this.cap;
    if (op === 'recv') return this.closed || this.buf.length > 0;
    return true;
  }

  apply(op: OpName, v: number): unknown {
    switch (op) {
      case 'trySend':
      case 'send':
        if (this.closed) return { error: 'ChannelClosedError' };
        if (this.buf.length < this.cap) {
          this.buf.push(v);
          return true;
        }
        return false;
      case 'tryRecv':
        if (this.buf.length > 0) return { ok: true, value: this.buf.shift() };
        return { ok: false, closed: this.closed };
      case 'recv':
        if (this.buf.length > 0) return this.buf.shift();
        return { error: 'ChannelClosedError' };
      case 'trySelect':
        if (this.buf.length > 0) return { index: 0, value: this.buf.shift(), ok: true };
        return this.closed ? { index: 0, value: undefined, ok: false } : null;
      case 'close':
        if (this.closed) return { error: 'ChannelClosedError' };
        this.closed = true;
        return 'closed';
      case 'length':
        return this.buf.length;
    }
  }
}

async function onMain(ch: Chan<number>, op: OpName, v: number): Promise<unknown> {
  try {
    switch (op) {
      case 'trySend':
        return ch.trySend(v);
      case 'send':
        return await ch.send(v).then(() => true);
      case 'tryRecv':
        return ch.tryRecv();
      case 'recv':
        return await ch.recv();
      case 'trySelect':
        return trySelect([recv(ch)]) ?? null;
      case 'close':
        ch.close();
        return 'closed';
      case 'length':
        return ch.length;
    }
  } catch (e) {
    return { error: (e as Error).name };
  }
}

const cmd = fc.record({
  side: fc.constantFrom<'main' | 'thread'>('main', 'thread'),
  op: fc.constantFrom<OpName>(
    'trySend',
    'trySend',
    'send',
    'tryRecv',
    'recv',
    'length',
    'trySelect',
    'close',
  ),
});

describe('bridged channels against the channel model', () => {
  let pool: ThreadPool;
  beforeAll(() => {
    pool = new ThreadPool({ size: 1 });
  });
  afterAll(async () => {
    await pool.close();
    await expectNoThreadLeft();
  });

  it('every operation, on either side, gives the result the model predicts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 1, 2, 3, Infinity),
        fc.array(cmd, { minLength: 1, maxLength: 40 }),
        async (cap, cmds: Cmd[]) => {
          const ch = chan<number>(cap);
          const model = new Model(cap);
          const toThread = chan<[OpName, number]>(Infinity);
          const fromThread = chan<unknown>(Infinity);
          const g = pool.go(BASIC, 'driver', [ch, toThread, fromThread]);
          let next = 0;
          for (const c of cmds) {
            if (!model.allowed(c.op)) continue;
            const v = next++;
            const expected = model.apply(c.op, v);
            let actual: unknown;
            if (c.side === 'main') actual = await onMain(ch, c.op, v);
            else {
              await toThread.send([c.op, v]);
              actual = await Promise.race([
                fromThread.recv(),
                g.done.then(() => Promise.reject(new Error('the driver ended'))),
              ]);
            }
            expect({ step: c, actual }).toEqual({ step: c, actual: expected });
          }
          toThread.close();
          await g.done;
        },
      ),
      { numRuns: 40, seed: 1129 },
    );
  }, 60_000);
});
