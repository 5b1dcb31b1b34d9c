// recvCallback with { repeat: true }: a persistent callback receiver for adapters (fromChannel).
import { afterEach, describe, expect, it } from '@jest/globals';
import { chan } from 'gorx';
import { expectNothingLeft } from '../helpers/leaks.js';

afterEach(() => expectNothingLeft());

describe('recvCallback with repeat', () => {
  it('delivers ready values in a loop and stops the moment the callback returns false', () => {
    const ch = chan<number>(10);
    for (let i = 0; i < 10; i++) ch.trySend(i);
    const got: number[] = [];
    const cancel = ch.recvCallback(
      (v) => {
        got.push(v as number);
        return got.length < 3;
      },
      { repeat: true },
    );
    expect(got).toEqual([0, 1, 2]);
    expect(ch.length).toBe(7);
    expect(cancel()).toBe(false); // nothing was left pending
    ch.close();
  });

  it('stays registered after each hand-off and is withdrawn by cancel', () => {
    const ch = chan<number>();
    const got: number[] = [];
    const cancel = ch.recvCallback((v) => got.push(v as number) > 0, { repeat: true });
    expect(ch.trySend(1)).toBe(true);
    expect(ch.trySend(2)).toBe(true);
    expect(got).toEqual([1, 2]);
    expect(cancel()).toBe(true);
    expect(ch.trySend(3)).toBe(false); // no receiver any more: 3 is not taken
    expect(got).toEqual([1, 2]);
    ch.close();
  });

  it('waits at the tail of the queue after each value, like a receiver that asks again', async () => {
    const ch = chan<string>();
    const got: string[] = [];
    const cancel = ch.recvCallback((v) => got.push(`cb:${v}`) > 0, { repeat: true });
    const other = ch.recv(); // queued behind the callback receiver
    ch.trySend('a'); // to the callback, which re-queues behind `other`
    ch.trySend('b'); // to `other`
    ch.trySend('c'); // to the callback again
    expect(await other).toBe('b');
    expect(got).toEqual(['cb:a', 'cb:c']);
    cancel();
    ch.close();
  });

  it('reports the close once the buffer is drained, and only once', () => {
    const ch = chan<number>(2);
    ch.trySend(1);
    ch.close(new Error('done'));
    const calls: [unknown, boolean, unknown][] = [];
    ch.recvCallback(
      (v, ok, e) => {
        calls.push([v, ok, (e as Error | undefined)?.message]);
        return true;
      },
      { repeat: true },
    );
    expect(calls).toEqual([
      [1, true, undefined],
      [undefined, false, 'done'],
    ]);
  });

  it('without repeat, a callback returning true still receives one value only', () => {
    const ch = chan<number>(3);
    ch.trySend(1);
    ch.trySend(2);
    const got: number[] = [];
    ch.recvCallback((v) => {
      got.push(v as number);
      return true;
    });
    expect(got).toEqual([1]);
    expect(ch.length).toBe(1);
    ch.close();
  });
});
