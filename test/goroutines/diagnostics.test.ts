// goroutines() / dumpGoroutines() / util.inspect: what a stuck program looks like from outside.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { inspect } from 'node:util';
import {
  chan,
  dumpGoroutines,
  go,
  goroutines,
  recv,
  select,
  send,
  sleep,
  WaitGroup,
  type Goroutine,
} from 'gorx';
import { flush } from '../helpers/leaks.js';
import { cleanUp } from './support.js';

afterEach(cleanUp);

describe('goroutines()', () => {
  it('lists each live goroutine with name, state, what it is blocked on, age and parent', async () => {
    jest.useFakeTimers();
    const jobs = chan<number>(0, { name: 'jobs' });
    const out = chan<string>(0, { name: 'out' });
    const wg = new WaitGroup();
    wg.add(1);
    const never = new Promise<never>(() => {});
    let releaseBusy!: () => void;
    const busy = new Promise<void>((resolve) => (releaseBusy = resolve));
    const gs: Goroutine<unknown>[] = [
      go(async (ctx) => jobs.recv({ signal: ctx.signal }), { name: 'receiver' }),
      go(
        function* () {
          yield out.send('x');
        },
        { name: 'sender' },
      ),
      go(
        function* () {
          yield select([recv(jobs), send(out, 'y')]);
        },
        { name: 'selector' },
      ),
      go(async (ctx) => sleep(100, { signal: ctx.signal }), { name: 'sleeper' }),
      go(async (ctx) => wg.wait({ signal: ctx.signal }), { name: 'waiter' }),
      go(
        function* () {
          yield never;
        },
        { name: 'generator on a promise' },
      ),
      go(async () => busy, { name: 'async on a promise' }),
      go(
        function* (ctx) {
          ctx.go(async (c) => jobs.recv({ signal: c.signal }), { name: 'child' });
          yield never;
        },
        { name: 'parent' },
      ),
    ];
    await jest.advanceTimersByTimeAsync(40);
    const infos = goroutines();
    const byName = Object.fromEntries(infos.map((i) => [i.name, i]));
    expect(infos.map((i) => [i.name, i.state, i.blockedOn])).toEqual([
      ['receiver', 'blocked', 'recv on chan "jobs"'],
      ['sender', 'blocked', 'send on chan "out"'],
      ['selector', 'blocked', 'select [recv on chan "jobs", send on chan "out"]'],
      ['sleeper', 'blocked', 'sleep(100 ms)'],
      ['waiter', 'blocked', 'WaitGroup.wait (counter 1)'],
      ['generator on a promise', 'blocked', 'a promise'],
      // An async body awaiting something that is not a gorx op is opaque to gorx.
      ['async on a promise', 'running', null],
      ['parent', 'blocked', 'a promise'],
      ['child', 'blocked', 'recv on chan "jobs"'],
    ]);
    expect(infos.every((i) => i.ageMs === 40)).toBe(true);
    expect(byName['child']!.parentId).toBe(byName['parent']!.id);
    expect(byName['parent']!.parentId).toBeNull();
    releaseBusy();
    wg.done();
    await Promise.all(gs.map((g) => g.kill()));
  });

  it('an unnamed goroutine and channel get default names', async () => {
    const ch = chan<number>();
    const g = go(function* () {
      yield ch.recv();
    });
    expect(goroutines()).toEqual([
      expect.objectContaining({
        name: `goroutine-${g.id}`,
        blockedOn: expect.stringMatching(/^recv on chan #\d+$/),
      }),
    ]);
    await g.kill();
  });

  it('is empty once every goroutine has ended', async () => {
    const g = go(async () => 1);
    await g.done;
    expect(goroutines()).toEqual([]);
    expect(dumpGoroutines()).toBe('no live goroutines');
  });
});

describe('dumpGoroutines()', () => {
  it('renders one Go-style line per goroutine', async () => {
    jest.useFakeTimers();
    const jobs = chan<number>(0, { name: 'jobs' });
    const parent = go(
      function* (ctx) {
        ctx.go(async (c) => jobs.recv({ signal: c.signal }), { name: 'worker' });
        yield sleep(5000);
      },
      { name: 'supervisor' },
    );
    await jest.advanceTimersByTimeAsync(1200);
    const child = goroutines()[1]!;
    expect(dumpGoroutines()).toBe(
      [
        `goroutine ${parent.id} "supervisor" [blocked, 1200 ms]: sleep(5000 ms)`,
        `goroutine ${child.id} "worker" [blocked, 1200 ms, child of ${parent.id}]: recv on chan "jobs"`,
      ].join('\n'),
    );
    await parent.kill();
  });
});

describe('util.inspect', () => {
  it('shows a goroutine with its name, state and what it is blocked on', async () => {
    const jobs = chan<number>(0, { name: 'jobs' });
    const g = go(async (ctx) => jobs.recv({ signal: ctx.signal }), { name: 'worker' });
    expect(inspect(g)).toBe(
      `Goroutine #${g.id} "worker" { state: blocked, blockedOn: "recv on chan \\"jobs\\"" }`,
    );
    await g.kill();
    expect(inspect(g)).toBe(`Goroutine #${g.id} "worker" { state: killed }`);
  });

  it('shows a channel with its capacity, length and waiters', async () => {
    const jobs = chan<number>(2, { name: 'jobs' });
    jobs.trySend(1);
    expect(inspect(jobs)).toBe(
      'Chan "jobs" { capacity: 2, length: 1, closed: false, waitingReceivers: 0, waitingSenders: 0 }',
    );
    const empty = chan<number>(0, { name: 'empty' });
    const receivers = [go(async (ctx) => empty.recv({ signal: ctx.signal }))];
    receivers.push(go(async (ctx) => empty.recv({ signal: ctx.signal })));
    expect(inspect(empty)).toContain('waitingReceivers: 2');
    await Promise.all(receivers.map((g) => g.kill()));
    expect(inspect(empty)).toContain('waitingReceivers: 0');
  });
});

describe('Goroutine.state', () => {
  it('moves from running to blocked to returned', async () => {
    const ch = chan<number>(0, { name: 'in' });
    const states: string[] = [];
    const self: { g?: Goroutine<number> } = {};
    self.g = go(async (ctx) => {
      await Promise.resolve();
      states.push(self.g!.state);
      return ch.recv({ signal: ctx.signal });
    });
    await flush();
    states.push(self.g.state);
    ch.trySend(3);
    await self.g.done;
    states.push(self.g.state);
    expect(states).toEqual(['running', 'blocked', 'returned']);
  });
});
