/**
 * Sends on credit: a thread's send within the room the main side reserved for it settles without
 * a round trip, so it races everything that happens on the main side meanwhile (a close, another
 * producer, a kill). Each test names the guarantee that must survive the race.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { chan, send, type Chan } from 'gorx';
import { select } from 'gorx/threads';
import { goThread, ThreadExitError, ThreadPool } from 'gorx/threads';
import { BASIC, expectNoThreadLeft, rejection } from './support.js';
import { BridgedChan } from '../../threads/internal/bridged-chan.js';
import * as P from '../../threads/internal/protocol.js';
import { ThreadBridge } from '../../threads/internal/thread-bridge.js';

// Real threads on a shared 2-core machine: generous limits; every wait is for an event.
jest.setTimeout(60_000);

afterEach(() => expectNoThreadLeft());

function drain<T>(ch: Chan<T>): T[] {
  const out: T[] = [];
  for (let r = ch.tryRecv(); r.ok; r = ch.tryRecv()) out.push(r.value);
  return out;
}

describe('a send on credit against a close on the main side', () => {
  it('a send made after the main side closed the channel rejects ChannelClosedError and delivers nothing, though the thread still held credit', async () => {
    // Regression: the send resolved on the credit and its value was silently dropped.
    const out = chan<string>(4);
    const ready = chan<string>();
    const go = chan<number>();
    const g = goThread<string[]>(BASIC, 'sendAfterGo', [out, ready, go, ['late', 'later']]);
    await ready.recv(); // the thread holds 4 sends of credit on `out`
    out.close();
    await go.send(1);
    await expect(g.done).resolves.toEqual(['closed', 'closed']);
    expect(out.tryRecv()).toEqual({ ok: false, closed: true });
  });

  it('racing a close, every send on credit either resolves and its value is received, or rejects and its value never is (in order, nothing twice)', async () => {
    const pool = new ThreadPool({ size: 1 });
    for (let i = 0; i < 24; i++) {
      const out = chan<number>(8);
      const burst = 1 + (i % 6); // several sends in one batch: part of a batch may be accepted
      const g = pool.go<number[]>(BASIC, 'sendUntilClosed', [out, burst]);
      const received: number[] = [];
      const before = i % 12; // receive a few first, so the close lands at varied points
      for (let k = 0; k < before; k++) received.push(await out.recv());
      out.close();
      received.push(...drain(out));
      const sent = await g.done;
      expect(received).toEqual(sent);
      expect(out.tryRecv()).toEqual({ ok: false, closed: true });
    }
    await pool.close();
  });

  it('a value sent on credit whose slot another producer took is buffered past capacity, so a close keeps it', async () => {
    // Regression: it waited in the channel's send queue, and the close dropped it although the
    // thread's send had resolved.
    const out = chan<string>(2);
    const ready = chan<string>();
    const go = chan<number>();
    const g = goThread<string[]>(BASIC, 'sendAfterGo', [out, ready, go, ['t1', 't2']]);
    await ready.recv(); // the thread holds 2 sends of credit
    expect(out.trySend('m1')).toBe(true);
    expect(out.trySend('m2')).toBe(true); // the reserved slots are taken
    await go.send(1);
    await expect(g.done).resolves.toEqual(['sent', 'sent']);
    expect(out.length).toBe(4);
    out.close();
    expect(drain(out)).toEqual(['m1', 'm2', 't1', 't2']);
  });
});

describe('a send on credit against a kill or a crash', () => {
  it('every send a thread saw resolve on credit is delivered, though it is terminated right after', async () => {
    const out = chan<number>(16);
    const sentAll = chan<number>(1);
    const g = goThread(BASIC, 'sendThenDie', [out, 10, sentAll, 'hang'], { killGraceMs: 0 });
    expect(await sentAll.recv()).toBe(10);
    await g.kill();
    expect(g.killMode).toBe('terminated');
    expect(drain(out)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('every send a thread saw resolve on credit is delivered, though it exits right after (ThreadExitError)', async () => {
    const out = chan<number>(16);
    const g = goThread(BASIC, 'sendThenDie', [out, 10, chan<number>(1), 'exit']);
    expect(await rejection(g.done)).toBeInstanceOf(ThreadExitError);
    expect(drain(out)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('credit against a send still on its way', () => {
  it('credit that arrives while a send of the thread waits for its verdict goes back, so the capacity bound holds', async () => {
    // Regression: the main side topped the credit up as a consumer took a value, not knowing
    // that the thread's blocking send was on its way to take that slot; the thread then sent one
    // more on the credit and the buffer held capacity + 1 (seen as a lead of 2 on chan(1)).
    // The thread's half alone, on a port pair: its messages are read synchronously.
    // Top-ups travel in the run's top-up word (MainBridge.taken adds to it).
    const { port1: threadSide, port2: mainSide } = new MessageChannel();
    const sync = new MessageChannel();
    const topUps = new Int32Array(new SharedArrayBuffer(4));
    const bridge = new ThreadBridge(
      1,
      threadSide,
      sync.port1,
      new Int32Array(2),
      new Int32Array(1),
      topUps,
      null,
    );
    const ch = new BridgedChan<number>(
      bridge,
      bridge.register({ [P.CHANNEL_KEY]: 0, capacity: 1, name: undefined, credit: 0 }),
      1,
      undefined,
    );
    const sent = ch.send(7); // no credit: a SEND op waits for the main side's verdict
    bridge.flush();
    const posted = receiveMessageOnPort(mainSide)!.message as unknown[];
    expect(posted.slice(2)).toEqual([[P.SEND, 1, 0, 7]]);
    Atomics.add(topUps, 0, 1); // a top-up computed before the SEND arrived
    bridge.receive([1, [P.SEND, 1, true, 0, undefined]]); // the send's verdict
    await sent;
    expect(bridge.credit[0]).toBe(0); // the top-up found with the verdict went back
    bridge.flush();
    expect((receiveMessageOnPort(mainSide)!.message as unknown[]).slice(2)).toEqual([
      [P.CREDIT, 0, 1],
    ]);
    Atomics.add(topUps, 0, 1); // no send waits now: the credit is kept
    expect(bridge.absorb(0)).toBe(true);
    expect(bridge.credit[0]).toBe(1);
    // A select's send case waits for its verdict the same way.
    const chose = select([send(ch, 8)]);
    bridge.flush();
    expect((receiveMessageOnPort(mainSide)!.message as unknown[]).slice(2)).toEqual([
      [P.SELECT, 2, [[1, 0, 8]]],
    ]);
    Atomics.add(topUps, 0, 1);
    bridge.receive([1, [P.SELECT, 2, 0, undefined, true]]);
    await chose;
    expect(bridge.credit[0]).toBe(1);
    bridge.flush();
    expect((receiveMessageOnPort(mainSide)!.message as unknown[]).slice(2)).toEqual([
      [P.CREDIT, 0, 1],
    ]);
    bridge.end();
    for (const port of [threadSide, mainSide, sync.port1, sync.port2]) port.close();
  });
});

describe('FIFO per producer across the send ring and the message path', () => {
  it('values one thread sends, each awaited, arrive in the order sent, whichever way each travels', async () => {
    // Regression: a RING op read the ring up to its current end, including values the thread
    // wrote after posting a batch still in flight; a value sent by message (a long string) was
    // then delivered after values the thread sent later (seen as 0,2,3,5,6,...,1,4,7).
    const pool = new ThreadPool({ size: 1 });
    for (let round = 0; round < 3; round++) {
      const out = chan<string>(100);
      await expect(pool.go(BASIC, 'sendMixedShapes', [out, 90]).done).resolves.toBe(90);
      expect(drain(out).map((v) => parseInt(v, 10))).toEqual(
        Array.from({ length: 90 }, (_, i) => i),
      );
    }
    await pool.close();
  });
});

describe('the capacity bounds the buffer with one producer thread', () => {
  it.each(['trySend', 'select', 'trySelect'])(
    'a value the thread sends outside its credit (%s) spends the credit of the slot it takes',
    async (how) => {
      // Regression: the main side made the thread's trySend (or select send case) in a slot the
      // thread's credit had reserved; the thread then sent on that credit too and chan(2) held 3.
      const out = chan<string>(2);
      const ready = chan<boolean>();
      const g = goThread<string>(BASIC, 'sendOutsideCredit', [out, how, ready]);
      expect(await ready.recv()).toBe(true); // 'a' and 'b' sent; the send of 'c' was made before
      expect(out.length).toBe(2); // 'c' waits for room
      expect(await out.recv()).toBe('a');
      expect(await out.recv()).toBe('b');
      expect(await out.recv()).toBe('c');
      await expect(g.done).resolves.toBe('done');
      expect(out.length).toBe(0);
    },
  );
});

describe('an uncloneable value fails only its own send', () => {
  it('the send rejects DataCloneError; the sends and the receive made with it in the same turn complete', async () => {
    // Regression: the failed post threw out of the next send (send(5) threw synchronously, 5 was
    // not sent) and the receive posted in the same batch was lost.
    const out = chan<unknown>(4);
    const other = chan<string>(1);
    await other.send('hello');
    const g = goThread<[unknown[], number[]]>(BASIC, 'uncloneableSend', [out, other]);
    const received: unknown[] = [];
    for (let i = 0; i < 8; i++) received.push(await out.recv());
    out.close();
    received.push(...drain(out));
    const [first, sent] = await g.done;
    expect(first).toEqual(['DataCloneError', 'sent', 'sent', 'hello']);
    expect(received).toEqual([5, { n: 6 }, ...sent.map((v) => (v % 2 === 0 ? v : { n: v }))]);
    expect(other.length).toBe(0);
  });

  it('its number and its credit are given back (VOID_CREDIT), so the sends after it keep their numbers', async () => {
    // The thread's half alone, on a port pair (no send ring: every send on credit is posted).
    const { port1: threadSide, port2: mainSide } = new MessageChannel();
    const sync = new MessageChannel();
    const decided = new Int32Array(1);
    const topUps = new Int32Array(new SharedArrayBuffer(4));
    const bridge = new ThreadBridge(
      1,
      threadSide,
      sync.port1,
      new Int32Array(2),
      decided,
      topUps,
      null,
    );
    const ch = new BridgedChan<unknown>(
      bridge,
      bridge.register({ [P.CHANNEL_KEY]: 0, capacity: 4, name: undefined, credit: 3 }),
      4,
      undefined,
    );
    const bad = ch.send(() => 1);
    const good = ch.send(5);
    bridge.flush();
    const batches: unknown[][] = [];
    for (
      let m = receiveMessageOnPort(mainSide);
      m !== undefined;
      m = receiveMessageOnPort(mainSide)
    ) {
      batches.push((m.message as unknown[]).slice(2));
    }
    expect(batches).toEqual([[[P.VOID_CREDIT, 0]], [[P.SEND_CREDIT, 0, 5]]]);
    expect(((await rejection(bad)) as Error).name).toBe('DataCloneError');
    await expect(good).resolves.toBeUndefined();
    expect(decided[0]).toBe(2); // both numbers decided: the main side counts both
    expect(bridge.credit[0]).toBe(1);
    bridge.end();
    for (const port of [threadSide, mainSide, sync.port1, sync.port2]) port.close();
  });
});
