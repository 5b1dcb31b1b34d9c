// The starvation guard (issue 2 item 6): two loops that ping-pong over unbuffered channels form an
// endless microtask chain, which would keep Node from ever running timers or I/O. gorx delivers
// one completion per OPS_PER_TURN operations through setImmediate, so a macrotask scheduled before
// the ping-pong runs after a bounded number of operations. The bounds below are counts of
// completed channel operations, not times. Each loop also stops at a hard cap, so a broken guard
// makes the test fail instead of hanging the process.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { ChannelClosedError, chan, recv, select, send, type Chan } from 'gorx';
import { OPS_PER_TURN } from '../../src/internal/yield.js';
import { expectNothingLeft } from '../helpers/leaks.js';
import { macrotask } from '../helpers/turns.js';

afterEach(() => expectNothingLeft());

const CAP = 200 * OPS_PER_TURN;

interface Counter {
  ops: number;
  stop: boolean;
}

type Style = (ping: Chan<number>, pong: Chan<number>, n: Counter) => Promise<void>[];

/** Every operation awaited: `await ch.send(v)`, `await ch.recv()`. */
const idiomatic: Style = (ping, pong, n) => [
  (async () => {
    for (let i = 0; !n.stop && n.ops < CAP; i++) {
      await ping.send(i);
      n.ops++;
      await pong.recv();
      n.ops++;
    }
    ping.close();
  })(),
  (async () => {
    for await (const v of ping) {
      n.ops++;
      await pong.send(v);
      n.ops++;
    }
  })(),
];

/** Synchronous trySend/tryRecv first, awaiting only when the operation would block. */
const fastPath: Style = (ping, pong, n) => {
  const recvFast = async (ch: Chan<number>): Promise<number> => {
    const r = ch.tryRecv();
    if (r.ok) return r.value;
    if (r.closed) throw new ChannelClosedError();
    return ch.recv();
  };
  const sendFast = async (ch: Chan<number>, v: number): Promise<void> => {
    if (!ch.trySend(v)) await ch.send(v);
  };
  return [
    (async () => {
      for (let i = 0; !n.stop && n.ops < CAP; i++) {
        await sendFast(ping, i);
        n.ops++;
        await recvFast(pong);
        n.ops++;
      }
      ping.close();
    })(),
    (async () => {
      for (;;) {
        let v: number;
        try {
          v = await recvFast(ping);
        } catch (e) {
          if (e instanceof ChannelClosedError) return;
          throw e;
        }
        n.ops++;
        await sendFast(pong, v);
        n.ops++;
      }
    })(),
  ];
};

/** Both loops select: the partner's side of the hand-off is a parked select. */
const selecting: Style = (ping, pong, n) => [
  (async () => {
    for (let i = 0; !n.stop && n.ops < CAP; i++) {
      await select([send(ping, i)]);
      n.ops++;
      await select([recv(pong)]);
      n.ops++;
    }
    ping.close();
  })(),
  (async () => {
    for (;;) {
      const r = await select([recv(ping)]);
      if (!r.ok) return;
      n.ops++;
      await select([send(pong, r.value)]);
      n.ops++;
    }
  })(),
];

const styles: [string, Style][] = [
  ['send/recv and for-await (idiomatic)', idiomatic],
  ['trySend/tryRecv-first (fast-path)', fastPath],
  ['select-based', selecting],
];

/** Blocks the thread (not the test's timeline) so a setTimeout(0) is surely due afterwards. */
function blockThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('starvation guard', () => {
  it.each(styles)(
    'a setImmediate scheduled before a %s ping-pong runs within 2 * OPS_PER_TURN operations',
    async (_name, style) => {
      await macrotask(); // start on a fresh turn budget
      const n: Counter = { ops: 0, stop: false };
      let opsWhenRun = -1;
      setImmediate(() => {
        opsWhenRun = n.ops;
        n.stop = true;
      });
      await Promise.all(style(chan<number>(), chan<number>(), n));
      expect(opsWhenRun).toBeGreaterThanOrEqual(0);
      expect(opsWhenRun).toBeLessThanOrEqual(2 * OPS_PER_TURN);
    },
  );

  it.each(styles)(
    'a due setTimeout(0) runs during a %s ping-pong within 3 * OPS_PER_TURN operations',
    async (_name, style) => {
      await macrotask();
      const n: Counter = { ops: 0, stop: false };
      let opsWhenRun = -1;
      setTimeout(() => {
        opsWhenRun = n.ops;
        n.stop = true;
      }, 0);
      blockThread(5);
      await Promise.all(style(chan<number>(), chan<number>(), n));
      expect(opsWhenRun).toBeGreaterThanOrEqual(0);
      expect(opsWhenRun).toBeLessThanOrEqual(3 * OPS_PER_TURN);
    },
  );

  it('the guard does not defer a short exchange: 100 round trips finish in one turn', async () => {
    await macrotask();
    const n: Counter = { ops: 0, stop: false };
    let ranBefore = false;
    setImmediate(() => (ranBefore = n.ops < 400));
    const ping = chan<number>();
    const pong = chan<number>();
    const loops = [
      (async () => {
        for (let i = 0; i < 100; i++) {
          await ping.send(i);
          n.ops++;
          await pong.recv();
          n.ops++;
        }
        ping.close();
      })(),
      (async () => {
        for await (const v of ping) {
          n.ops++;
          await pong.send(v);
          n.ops++;
        }
      })(),
    ];
    await Promise.all(loops);
    expect(n.ops).toBe(400);
    await macrotask();
    expect(ranBefore).toBe(false);
  });

  it('under Jest fake timers a long ping-pong still completes: deferred hand-offs use the real setImmediate', async () => {
    jest.useFakeTimers();
    try {
      const n: Counter = { ops: 0, stop: false };
      const rounds = 3 * OPS_PER_TURN;
      const ping = chan<number>();
      const pong = chan<number>();
      const loops = [
        (async () => {
          for (let i = 0; i < rounds; i++) {
            await ping.send(i);
            await pong.recv();
            n.ops += 2;
          }
          ping.close();
        })(),
        (async () => {
          for await (const v of ping) await pong.send(v);
        })(),
      ];
      await Promise.all(loops);
      expect(n.ops).toBe(2 * rounds);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
