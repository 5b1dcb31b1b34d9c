/**
 * The unbuffered reply path: what each half of the bridge does to keep a rendezvous across threads
 * to its four messages (the thread's operation, the main side's answer, and back). Each half is
 * driven alone on a port pair, so its messages are read synchronously and the order of events is
 * exact.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { chan } from 'gorx';
import { expectNoThreadLeft, rejection } from './support.js';
import { BridgedChan } from '../../threads/internal/bridged-chan.js';
import { MainBridge } from '../../threads/internal/main-bridge.js';
import * as P from '../../threads/internal/protocol.js';
import { ThreadBridge } from '../../threads/internal/thread-bridge.js';

afterEach(() => expectNoThreadLeft());

const posted = (port: MessagePort): unknown => receiveMessageOnPort(port)?.message;
const immediates = (): number =>
  process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length;

describe('the main side answers a batch of the thread before it resumes main-side code', () => {
  it("a thread's send taken by a waiting receive: the verdict is posted before the receiver's code runs", async () => {
    const { port1: mainSide, port2: threadSide } = new MessageChannel();
    const sync = new MessageChannel();
    const bridge = new MainBridge(1, mainSide, sync.port1, new Int32Array(2));
    const back = chan<number>();
    const [d] = bridge.encodeArgs([back]) as [P.ChannelDescriptor];
    // What the receiver's continuation finds in the thread's port when it runs.
    const got = back.recv().then((v) => [v, posted(threadSide)]);
    bridge.receiveNow([1, 0, [P.SEND, 1, d[P.CHANNEL_KEY], 7]]);
    expect(await got).toEqual([7, [1, [P.SEND, 1, true, 0, undefined]]]);
    bridge.end();
    for (const port of [mainSide, threadSide, sync.port1, sync.port2]) port.close();
  });

  it("a thread's receive that takes a waiting send: the value is posted before the sender's code runs", async () => {
    const { port1: mainSide, port2: threadSide } = new MessageChannel();
    const sync = new MessageChannel();
    const bridge = new MainBridge(1, mainSide, sync.port1, new Int32Array(2));
    const ping = chan<number>();
    const [d] = bridge.encodeArgs([ping]) as [P.ChannelDescriptor];
    const sent = ping.send(5).then(() => posted(threadSide));
    bridge.receiveNow([1, 0, [P.RECV, 2, d[P.CHANNEL_KEY]]]);
    expect(await sent).toEqual([1, [P.RECV, 2, true, 5]]);
    expect(bridge.unacknowledged).toBe(1);
    bridge.receiveNow([1, 0, [P.ACK, 2]]);
    expect(bridge.unacknowledged).toBe(0);
    bridge.end();
    expect(ping.tryRecv()).toEqual({ ok: false, closed: false }); // acknowledged: not put back
    for (const port of [mainSide, threadSide, sync.port1, sync.port2]) port.close();
  });

  it('a batch that got no answer (sends on credit) leaves what is queued to the end of the microtask', async () => {
    const { port1: mainSide, port2: threadSide } = new MessageChannel();
    const sync = new MessageChannel();
    const bridge = new MainBridge(1, mainSide, sync.port1, new Int32Array(2));
    const ch = chan<number>(2);
    const [d] = bridge.encodeArgs([ch]) as [P.ChannelDescriptor];
    const id = d[P.CHANNEL_KEY];
    expect(d.credit).toBe(2);
    bridge.kill(new Error('stop')); // queued: it goes with the microtask's other pushes
    bridge.receiveNow([1, 0, [P.SEND_CREDIT, id, 1]]);
    expect(posted(threadSide)).toBeUndefined(); // no answer in that batch: nothing posted yet
    expect(ch.tryRecv()).toEqual({ ok: true, value: 1 });
    // The slot comes back to the thread as credit in its top-up word, not in a message.
    expect(Atomics.load(P.runWords(bridge.decidedBuffer).topUps, id)).toBe(1);
    await Promise.resolve();
    expect(posted(threadSide)).toEqual([1, [P.KILL, expect.anything()]]);
    expect(posted(threadSide)).toBeUndefined();
    bridge.end();
    for (const port of [mainSide, threadSide, sync.port1, sync.port2]) port.close();
  });
});

describe('acknowledgements on the thread side', () => {
  function threadHalf(): {
    bridge: ThreadBridge;
    ping: BridgedChan<number>;
    back: BridgedChan<number>;
    mainSide: MessagePort;
    close(): void;
  } {
    const { port1: threadSide, port2: mainSide } = new MessageChannel();
    const sync = new MessageChannel();
    const words = P.runWords(new SharedArrayBuffer(16));
    const bridge = new ThreadBridge(
      1,
      threadSide,
      sync.port1,
      new Int32Array(2),
      words.decided,
      words.topUps,
      null,
    );
    const chanOf = (id: number): BridgedChan<number> =>
      new BridgedChan<number>(
        bridge,
        bridge.register({ [P.CHANNEL_KEY]: id, capacity: 0, name: undefined, credit: 0 }),
        0,
        undefined,
      );
    const close = (): void => {
      for (const port of [threadSide, mainSide, sync.port1, sync.port2]) port.close();
    };
    return { bridge, ping: chanOf(0), back: chanOf(1), mainSide, close };
  }

  it('an ack that rides on the next batch leaves no end-of-turn post pending', async () => {
    const { bridge, ping, back, mainSide, close } = threadHalf();
    const r = ping.recv();
    bridge.flush();
    expect(posted(mainSide)).toEqual([1, 0, [P.RECV, 1, 0]]);
    const before = immediates();
    bridge.receive([1, [P.RECV, 1, true, 42]]);
    expect(immediates()).toBe(before + 1); // the ack's end-of-turn post
    const s = back.send(42); // in the same turn, as `for await (...) await back.send(v)` does
    bridge.flush();
    expect(posted(mainSide)).toEqual([1, 0, [P.ACK, 1], [P.SEND, 2, 1, 42]]);
    expect(immediates()).toBe(before); // carried: the end-of-turn post is cancelled
    expect(await r).toBe(42);
    bridge.receive([1, [P.SEND, 2, true, 0, undefined]]);
    await expect(s).resolves.toBeUndefined();
    expect(posted(mainSide)).toBeUndefined(); // the ack went once
    bridge.end();
    close();
  });

  it('an ack with no batch to ride on is posted at the end of the event-loop turn', async () => {
    const { bridge, ping, mainSide, close } = threadHalf();
    const r = ping.recv();
    bridge.flush();
    posted(mainSide);
    bridge.receive([1, [P.RECV, 1, true, 42]]);
    expect(posted(mainSide)).toBeUndefined();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(posted(mainSide)).toEqual([1, 0, [P.ACK, 1]]);
    expect(await r).toBe(42);
    const late = ping.recv(); // the run ends with it pending: it fails, nothing is left
    bridge.end();
    expect(((await rejection(late)) as Error).name).toBe('ChannelClosedError');
    close();
  });
});
