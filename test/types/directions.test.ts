// Type tests: channel direction views. Checked by `npm run typecheck`; each `@ts-expect-error`
// fails the type-check if the line it guards ever compiles.
import { afterEach, describe, expect, it } from '@jest/globals';
import { chan, type Chan, type ChanInfo, type RecvChan, type SendChan } from 'gorx';
import { expectNothingLeft } from '../helpers/leaks.js';

afterEach(() => expectNothingLeft());

function producer(out: SendChan<number>): void {
  out.trySend(1);
  // @ts-expect-error a SendChan has no recv
  void out.recv;
  // @ts-expect-error a SendChan has no tryRecv
  void out.tryRecv;
  // @ts-expect-error a SendChan is not iterable
  void out[Symbol.asyncIterator];
  // @ts-expect-error a SendChan has no recvCallback
  void out.recvCallback;
}

function consumer(input: RecvChan<number>): void {
  void input.tryRecv();
  // @ts-expect-error a RecvChan has no send
  void input.send;
  // @ts-expect-error a RecvChan has no trySend
  void input.trySend;
  // @ts-expect-error a RecvChan has no close
  void input.close;
}

describe('channel direction types', () => {
  it('a Chan is assignable to both views, and the views keep the element type', () => {
    const ch: Chan<number> = chan<number>(2);
    const s: SendChan<number> = ch;
    const r: RecvChan<number> = ch;
    const info: ChanInfo = r;
    producer(ch);
    consumer(ch);
    // Never called: these lines only have to fail the type-check.
    const typeOnly = (): void => {
      // @ts-expect-error the element type is kept: a string cannot be sent on a SendChan<number>
      s.trySend('x');
      // @ts-expect-error a RecvChan is not a Chan
      const back: Chan<number> = r;
      void back;
      // @ts-expect-error a SendChan<number> is not a SendChan<string>
      const wrong: SendChan<string> = s;
      void wrong;
      // @ts-expect-error capacity is read-only
      ch.capacity = 3;
    };
    void typeOnly;
    const got = r.tryRecv();
    if (got.ok) {
      const n: number = got.value;
      expect(n).toBe(1);
    } else {
      // @ts-expect-error no value unless ok
      void got.value;
      expect(got.closed).toBe(false);
    }
    expect(info.capacity).toBe(2);
  });

  it('recv() and for await produce the element type', async () => {
    const ch = chan<string>(1);
    ch.trySend('a');
    const v: string = await ch.recv();
    expect(v).toBe('a');
    ch.trySend('b');
    ch.close();
    for await (const x of ch) {
      // @ts-expect-error x is a string
      const y: number = x;
      expect(y).toBe('b');
    }
  });
});
