// Port of Go's test/chan/select7.go: every pairing of a plain operation, a one-case select and a
// two-case select (with a never-ready channel) as sender and receiver on an unbuffered channel
// completes and hands over the value, whichever side arrives first.
import { afterEach, describe, expect, it } from '@jest/globals';
import { chan, recv, select, send, type Chan } from 'gorx';
import { expectNothingLeft } from '../helpers/leaks.js';
import { expectIdle } from './support.js';
import { settle } from '../helpers/turns.js';

afterEach(() => expectNothingLeft());

// Each side has its own never-ready channel (Go's local c2), so the two selects cannot pair on it.
const idleRecv = chan<number>(0, { name: 'idle-recv' });
const idleSend = chan<number>(0, { name: 'idle-send' });

const receivers: [string, (c: Chan<number>) => Promise<number | undefined>][] = [
  ['plain recv', (c) => c.recv()],
  ['one-case select', async (c) => (await select([recv(c)])).value],
  [
    'two-case select',
    async (c) => {
      const r = await select([recv(c), recv(idleRecv)]);
      expect(r.index).toBe(0);
      return r.value;
    },
  ],
];

const senders: [string, (c: Chan<number>) => Promise<unknown>][] = [
  ['plain send', (c) => c.send(1)],
  ['one-case select', (c) => select([send(c, 1)])],
  ['two-case select', (c) => select([send(c, 1), send(idleSend, 2)])],
];

const pairs = senders.flatMap(([s, sendFn]) =>
  receivers.map(([r, recvFn]) => ({ s, r, sendFn, recvFn })),
);

describe('select7', () => {
  it.each(pairs)('$s pairs with a waiting $r', async ({ sendFn, recvFn }) => {
    const c = chan<number>();
    const got = recvFn(c);
    await settle(); // Go's runtime.Gosched(): the receiver parks first
    await sendFn(c);
    expect(await got).toBe(1);
    expectIdle(c, idleRecv, idleSend);
  });

  it.each(pairs)('a waiting $s pairs with $r', async ({ sendFn, recvFn }) => {
    const c = chan<number>();
    const sent = sendFn(c);
    await settle();
    expect(await recvFn(c)).toBe(1);
    await sent;
    expectIdle(c, idleRecv, idleSend);
  });
});
