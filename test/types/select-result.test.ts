// Type tests: select results narrow on `index`. Checked by `npm run typecheck`.
import { afterEach, describe, expect, it } from '@jest/globals';
import { chan, recv, select, send, trySelect, type SelectResult } from 'gorx';
import { expectNothingLeft } from '../helpers/leaks.js';

afterEach(() => expectNothingLeft());

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_ok: T): void {}

describe('select result types', () => {
  it('narrow the value to the case type on index, and to undefined when ok is false', async () => {
    const nums = chan<number>(1);
    const strs = chan<string>(1);
    const out = chan<boolean>(1);
    nums.trySend(1);
    const r = await select([recv(nums), recv(strs), send(out, true), recv(Promise.resolve(1n))]);
    switch (r.index) {
      case 0:
        if (r.ok) {
          assertType<Equal<typeof r.value, number>>(true);
          expect(r.value).toBe(1);
        } else {
          assertType<Equal<typeof r.value, undefined>>(true);
        }
        break;
      case 1:
        if (r.ok) assertType<Equal<typeof r.value, string>>(true);
        // @ts-expect-error without checking ok the value may be undefined
        void (() => r.value.toUpperCase());
        break;
      case 2:
        assertType<Equal<typeof r.value, undefined>>(true);
        assertType<Equal<typeof r.ok, true>>(true);
        break;
      case 3:
        if (r.ok) assertType<Equal<typeof r.value, bigint>>(true);
        break;
      default:
        assertType<Equal<typeof r, never>>(true);
    }
    expect(r.index === 0 || r.index === 2).toBe(true);
    out.tryRecv();
  });

  it('trySelect may return undefined; the index is a literal union', () => {
    const a = chan<number>(1);
    const r = trySelect([recv(a), recv(null)]);
    // @ts-expect-error r may be undefined
    void (() => r.index);
    if (r !== undefined) assertType<Equal<typeof r.index, 0 | 1>>(true);
    expect(r).toBeUndefined();
  });

  it('a select over an array of unknown length gives a number index', async () => {
    const cs = [chan<number>(1), chan<number>(1)];
    cs[1]!.trySend(2);
    const r = await select(cs.map((c) => recv(c)));
    assertType<Equal<typeof r.index, number>>(true);
    type R = SelectResult<ReturnType<typeof recv<number>>[]>;
    assertType<Equal<typeof r, R>>(true);
    expect(r).toEqual({ index: 1, value: 2, ok: true });
  });

  it('a send case value must match the channel type', () => {
    const c = chan<number>(1);
    // @ts-expect-error a string cannot be offered on a Chan<number>
    void (() => send(c, 'x'));
    // @ts-expect-error recv() of a SendChan-only view is rejected
    void (() => recv(c as import('gorx').SendChan<number>));
    expect(trySelect([send(c, 1)])?.index).toBe(0);
  });
});
