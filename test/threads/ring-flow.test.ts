/**
 * The steady flow of sends on credit (send ring + top-up words): both halves of a run's bridge on
 * this thread, on a port pair whose messages the test reads synchronously, so what travels by
 * message and what by shared memory is seen exactly.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { chan, go, type Chan } from 'gorx';
import { goThread, ThreadPool } from 'gorx/threads';
import { BridgedChan, bridgedChannel } from '../../threads/internal/bridged-chan.js';
import { MainBridge } from '../../threads/internal/main-bridge.js';
import * as P from '../../threads/internal/protocol.js';
import { RingWriter } from '../../threads/internal/send-ring.js';
import { ThreadBridge } from '../../threads/internal/thread-bridge.js';
import { flush, macrotask } from '../helpers/turns.js';
import { BASIC, expectNoThreadLeft } from './support.js';

// Real threads on a shared 2-core machine (last test): generous limits; every wait is for an event.
jest.setTimeout(60_000);

afterEach(() => expectNoThreadLeft());

interface Harness {
  main: MainBridge;
  thread: ThreadBridge;
  out: Chan<number>;
  ch: BridgedChan<number>;
  /** The thread's batches posted since the last call (ops only). */
  posted(): unknown[][];
  /** Delivers the thread's batches to the main side, as the port's 'message' event would. */
  deliver(): void;
  /** Delivers the main side's batches to the thread's half. */
  answer(): void;
  wake(): number;
  done(): void;
}

function harness(capacity: number): Harness {
  const { port1: mainSide, port2: threadSide } = new MessageChannel();
  const sync = new MessageChannel();
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const main = new MainBridge(1, mainSide, sync.port1, shared);
  const out = chan<number>(capacity);
  const [d] = main.encodeArgs([out]) as [P.ChannelDescriptor];
  const words = P.runWords(main.decidedBuffer);
  const thread = new ThreadBridge(
    1,
    threadSide,
    sync.port2,
    shared,
    words.decided,
    words.topUps,
    new RingWriter(main.ringBuffer!),
  );
  const ch = bridgedChannel<number>(thread, d);
  const ringWords = new Int32Array(main.ringBuffer!, 0, 4);
  const read = (port: MessagePort): unknown[][] => {
    const got: unknown[][] = [];
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
      got.push(m.message as unknown[]);
    }
    return got;
  };
  let held: unknown[][] = [];
  return {
    main,
    thread,
    out,
    ch: ch as BridgedChan<number>,
    posted: () => {
      held.push(...read(mainSide));
      const ops = held.map((b) => b.slice(2));
      return ops;
    },
    deliver: () => {
      held.push(...read(mainSide));
      const batches = held;
      held = [];
      for (const b of batches) main.receive(b);
    },
    answer: () => {
      for (const b of read(threadSide)) thread.receive(b);
    },
    wake: () => Atomics.load(ringWords, 2),
    done: () => {
      main.end();
      thread.end();
      for (const port of [mainSide, threadSide, sync.port1, sync.port2]) port.close();
    },
  };
}

function drain<T>(ch: Chan<T>): T[] {
  const got: T[] = [];
  for (let r = ch.tryRecv(); r.ok; r = ch.tryRecv()) got.push(r.value);
  return got;
}

describe('the main side polls the send ring while values keep coming', () => {
  it('one RING op starts a flow; later values are found by polling, without a message', async () => {
    const h = harness(64);
    await h.ch.send(0);
    expect(h.posted()).toEqual([[[P.RING]]]);
    h.deliver();
    expect(drain(h.out)).toEqual([0]);
    expect(h.wake()).toBe(1); // still set: the main side looks again on its own
    for (let i = 1; i <= 5; i++) await h.ch.send(i);
    expect(h.posted()).toEqual([]); // no message for them
    await macrotask(); // the main side's look of this turn
    expect(drain(h.out)).toEqual([1, 2, 3, 4, 5]);
    await macrotask(); // a look that finds nothing: the main side stops polling
    expect(h.wake()).toBe(0);
    await h.ch.send(6);
    expect(h.posted()).toEqual([[[P.RING]]]); // the next value wakes it again
    h.deliver();
    expect(drain(h.out)).toEqual([6]);
    await macrotask();
    await macrotask();
    expect(h.wake()).toBe(0);
    h.done();
  });

  it('a value sent by message between values in the ring arrives in the order sent, while the main side polls', async () => {
    const h = harness(64);
    await h.ch.send(0);
    h.deliver(); // RING: polling from now on
    const obj = { n: 2 };
    await h.ch.send(1); // in the ring, no message
    await h.ch.send(obj as unknown as number); // an object travels by message (SEND_CREDIT)
    await h.ch.send(3); // in the ring, written after that batch was posted
    await macrotask(); // the poll applies the batch in the port before reading past it
    expect(drain(h.out)).toEqual([0, 1, obj, 3]);
    await macrotask();
    h.done();
  });
});

describe('send credit comes back through the top-up word', () => {
  it('as the consumer drains, the producer finds credit in shared memory and never asks by message', async () => {
    const h = harness(8);
    for (let i = 0; i < 8; i++) await h.ch.send(i); // the initial credit: 8
    expect(h.thread.credit[0]).toBe(0);
    h.deliver();
    expect(h.out.length).toBe(8);
    expect(await h.out.recv()).toBe(0);
    expect(await h.out.recv()).toBe(1); // a quarter of the capacity taken: 2 credits topped up
    await h.ch.send(8);
    await h.ch.send(9);
    expect(h.posted()).toEqual([]); // both on credit, through the ring
    await macrotask();
    expect(h.out.length).toBe(8);
    const tenth = h.ch.send(10); // out of credit, none topped up: the send waits for the verdict
    await flush(); // the outbox goes at the end of the microtask
    expect(h.posted()).toEqual([[[P.SEND, 1, 0, 10]]]);
    h.deliver();
    await flush();
    expect(h.out.length).toBe(8); // parked: the capacity bounds the buffer
    expect(drain(h.out)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await flush();
    h.answer(); // the send's verdict
    await tenth;
    await macrotask();
    await macrotask();
    h.done();
  });
});

describe('a long flow between real threads', () => {
  it('many times the capacity through the ring and the top-up words: every value once, in order, the bound kept', async () => {
    const cap = 16;
    const n = 3000;
    const out = chan<number>(cap);
    const progress = chan<number>(Infinity);
    const g = goThread(BASIC, 'produceReport', [out, progress, n]);
    let received = 0;
    let maxLead = -Infinity;
    const watch = go(async () => {
      for await (const k of progress) maxLead = Math.max(maxLead, k + 1 - received);
    });
    const got: number[] = [];
    for await (const v of out) {
      got.push(v);
      received++;
    }
    await g.done;
    progress.close();
    await watch.done;
    expect(got).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(maxLead).toBeLessThanOrEqual(cap);
  });

  it('a run that ends while the main side polls the ring leaves no look at the ring scheduled', async () => {
    const pool = new ThreadPool({ size: 1 });
    try {
      for (let run = 0; run < 3; run++) {
        const out = chan<number>(Infinity);
        await pool.go(BASIC, 'burst', [out, 200]).done;
        // The run's DONE is read during a look at the ring: that look must not schedule another.
        expect(process.getActiveResourcesInfo().filter((r) => r === 'Immediate')).toEqual([]);
        expect(out.length).toBe(200);
        expect(Array.from({ length: 200 }, () => out.tryRecv())).toEqual(
          Array.from({ length: 200 }, (_, i) => ({ ok: true, value: i })),
        );
      }
    } finally {
      await pool.close();
    }
  });
});
