// Port of Go's test/chan/nonblock.go: the non-blocking forms (trySend, tryRecv, trySelect) fail
// on an idle channel and succeed against a parked partner or a buffer, for several value types
// and for unbuffered and one-slot channels.
import { afterEach, describe, expect, it } from '@jest/globals';
import { chan, recv, send, trySelect, type Chan } from 'gorx';
import { expectNothingLeft } from '../helpers/leaks.js';
import { expectIdle } from './support.js';
import { settle } from '../helpers/turns.js';

afterEach(() => expectNothingLeft());

const values: [string, unknown, unknown][] = [
  ['number', 123, 234],
  ['bigint', 123456n, 234567n],
  ['boolean', true, false],
  ['string', 'hello', 'hello again'],
  ['undefined', undefined, undefined],
  ['null', null, null],
  ['object', { a: 1 }, [2]],
];

const cases = [0, 1].flatMap((buffer) => values.map(([type, a, b]) => ({ buffer, type, a, b })));

describe('nonblock', () => {
  it.each(cases)('capacity $buffer, $type: tryRecv on an empty channel fails', ({ buffer }) => {
    const c = chan<unknown>(buffer);
    expect(c.tryRecv()).toEqual({ ok: false, closed: false });
    expect(trySelect([recv(c)])).toBeUndefined();
  });

  it.each(cases)(
    'capacity $buffer, $type: trySend reaches a parked receiver',
    async ({ buffer, a }) => {
      const c = chan<unknown>(buffer);
      const got = c.recv();
      await settle();
      expect(c.trySend(a)).toBe(true);
      expect(await got).toBe(a);
      expectIdle(c);
    },
  );

  it.each(cases)(
    'capacity $buffer, $type: tryRecv takes from a parked or buffered sender',
    async ({ buffer, b }) => {
      const c = chan<unknown>(buffer);
      const sent = c.send(b);
      await settle();
      expect(c.tryRecv()).toEqual({ ok: true, value: b });
      await sent;
      expectIdle(c);
    },
  );

  it.each(cases)(
    'capacity $buffer, $type: trySelect sends to a parked receiver',
    async ({ buffer, a }) => {
      const c = chan<unknown>(buffer);
      const got = c.recv();
      await settle();
      expect(trySelect([send(c, a)])).toEqual({ index: 0, value: undefined, ok: true });
      expect(await got).toBe(a);
      expectIdle(c);
    },
  );

  it.each([0, 1])(
    'capacity %d: trySend fails when nobody waits and the buffer is full',
    (buffer) => {
      const c: Chan<number> = chan<number>(buffer);
      for (let i = 0; i < buffer; i++) expect(c.trySend(i)).toBe(true);
      expect(c.trySend(99)).toBe(false);
      expect(trySelect([send(c, 99)])).toBeUndefined();
      expect(c.length).toBe(buffer);
      for (let i = 0; i < buffer; i++) expect(c.tryRecv()).toEqual({ ok: true, value: i });
      expect(c.tryRecv()).toEqual({ ok: false, closed: false });
    },
  );

  it('a failed trySend or tryRecv never parks anything', () => {
    const c = chan<number>();
    expect(c.trySend(1)).toBe(false);
    expect(c.tryRecv()).toEqual({ ok: false, closed: false });
    expectIdle(c);
  });
});
