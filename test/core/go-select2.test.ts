// Port of Go's test/chan/select2.go. Go checks that 100,000 selects do not grow memory; the
// JavaScript equivalent is that a select leaves no waiter behind on the channel it did not fire
// on: after any number of selects the idle channel's queues are empty and nothing is parked.
import { afterEach, describe, expect, it } from '@jest/globals';
import { chan, recv, select, selectCallback, send, trySelect } from 'gorx';
import { parkedCount } from '../../src/internal/park.js';
import { expectNothingLeft } from '../helpers/leaks.js';
import { expectIdle, waiters } from './support.js';
import { settle } from '../helpers/turns.js';

afterEach(() => expectNothingLeft());

const N = 10_000;

describe('select2', () => {
  it('many selects that fire on a busy channel leave no waiter on the idle one', async () => {
    const c = chan<number>();
    const dummy = chan<number>();
    for (let round = 0; round < 2; round++) {
      const sender = (async () => {
        for (let i = 0; i < N; i++) await c.send(1);
      })();
      let fromDummy = 0;
      for (let i = 0; i < N; i++) {
        const r = await select([recv(c), recv(dummy)]);
        if (r.index !== 0) fromDummy++;
      }
      await sender;
      expect(fromDummy).toBe(0);
      expect(waiters(dummy)).toEqual({ receivers: 0, senders: 0 });
      expect(parkedCount()).toBe(0);
    }
    expectIdle(c, dummy);
  });

  it('send selects that fire leave no waiter on the idle channel', async () => {
    const c = chan<number>();
    const dummy = chan<number>();
    const receiver = (async () => {
      for (let i = 0; i < N; i++) await c.recv();
    })();
    for (let i = 0; i < N; i++) await select([send(dummy, 1), send(c, i), recv(dummy)]);
    await receiver;
    expectIdle(c, dummy);
    expect(parkedCount()).toBe(0);
  });

  it('aborted selects leave no waiter behind', async () => {
    const idle = chan<number>();
    const other = chan<string>(0);
    for (let i = 0; i < 1000; i++) {
      const ac = new AbortController();
      const p = select([recv(idle), send(other, 'x'), recv(idle)], { signal: ac.signal });
      ac.abort();
      await expect(p).rejects.toBeDefined();
    }
    expectIdle(idle, other);
    expect(parkedCount()).toBe(0);
  });

  it('cancelled selectCallbacks and default-taking trySelects leave no waiter behind', async () => {
    const idle = chan<number>();
    for (let i = 0; i < 1000; i++) {
      const cancel = selectCallback(
        [recv(idle), send(idle, i)],
        () => {
          throw new Error('must not fire');
        },
        () => {
          throw new Error('must not fail');
        },
      );
      expect(cancel()).toBe(true);
      expect(trySelect([recv(idle), send(idle, i)])).toBeUndefined();
    }
    await settle();
    expectIdle(idle);
  });

  it('selects that fire through a promise case leave no waiter on their channels', async () => {
    const idle = chan<number>();
    for (let i = 0; i < 1000; i++) {
      const r = await select([recv(idle), send(idle, 1), recv(Promise.resolve(i))]);
      expect(r).toEqual({ index: 2, value: i, ok: true });
    }
    expectIdle(idle);
  });
});
