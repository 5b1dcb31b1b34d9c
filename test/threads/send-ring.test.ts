// The send ring (threads/internal/send-ring.ts) on one thread: writer and reader on one buffer.
import { describe, expect, it } from '@jest/globals';
import { RING_BYTES, RingReader, RingWriter, SLOTS } from '../../threads/internal/send-ring.js';

function pair(): { w: RingWriter; r: RingReader } {
  const sab = new SharedArrayBuffer(RING_BYTES);
  return { w: new RingWriter(sab), r: new RingReader(sab) };
}

function readAll(r: RingReader, upTo?: number): [number, unknown][] {
  const got: [number, unknown][] = [];
  r.read((id, v) => got.push([id, v]), upTo);
  return got;
}

describe('send ring', () => {
  it('carries numbers, short strings, booleans, null and undefined exactly, in order, with their channel ids', () => {
    const { w, r } = pair();
    const values: unknown[] = [
      0,
      -0,
      1.5,
      NaN,
      -Infinity,
      2 ** 53,
      '',
      'a',
      'eight ch',
      'nine char',
      'é ✓ 😀',
      'x'.repeat(64),
      true,
      false,
      null,
      undefined,
    ];
    values.forEach((v, i) => expect(w.write(i * 1000, v)).not.toBe(false));
    const got = readAll(r);
    expect(got.map(([id]) => id)).toEqual(values.map((_, i) => i * 1000));
    got.forEach(([, v], i) => expect(Object.is(v, values[i])).toBe(true));
  });

  it('refuses what does not travel in it (objects, long strings, bigints): nothing is written', () => {
    const { w, r } = pair();
    for (const v of [{ a: 1 }, [1], 'x'.repeat(65), 1n, Symbol('s')]) {
      expect(w.write(0, v)).toBe(false);
    }
    expect(w.position).toBe(0);
    expect(readAll(r)).toEqual([]);
  });

  it('reads only up to a given position (a batch reads the entries written before it was posted)', () => {
    const { w, r } = pair();
    w.write(1, 'a');
    const at = w.position;
    w.write(1, 'b');
    expect(readAll(r, at)).toEqual([[1, 'a']]);
    expect(readAll(r)).toEqual([[1, 'b']]);
  });

  it('refuses a write when full, and takes writes again once read; entries never wrap (a pad skips to the end)', () => {
    const { w, r } = pair();
    let n = 0;
    while (w.write(0, n) !== false) n++;
    expect(n).toBe(SLOTS);
    expect(readAll(r).map(([, v]) => v)).toEqual(Array.from({ length: SLOTS }, (_, i) => i));
    // Fill to 3 slots before the end: a 3-slot string fits there, a 4-slot one pads to the start.
    for (let i = 0; i < SLOTS - 3; i++) w.write(0, i);
    readAll(r);
    expect(w.write(0, 'sixteen chars...')).not.toBe(false); // 3 slots: exactly to the end
    expect(readAll(r)).toEqual([[0, 'sixteen chars...']]);
    for (let i = 0; i < SLOTS - 3; i++) w.write(0, i);
    readAll(r);
    const before = w.position;
    expect(w.write(0, 'seventeen chars..')).not.toBe(false); // 4 slots: pads 3, then 4
    expect(w.position - before).toBe(7);
    expect(readAll(r)).toEqual([[0, 'seventeen chars..']]);
    expect(w.write(0, 'after')).not.toBe(false);
    expect(readAll(r)).toEqual([[0, 'after']]);
  });

  it('asks for a wake only when the ring went from drained to not drained (and the reader was woken)', () => {
    const { w, r } = pair();
    expect(w.write(0, 1)).toBe('wake');
    expect(w.write(0, 2)).toBe(true);
    r.woken();
    readAll(r);
    expect(w.write(0, 3)).toBe('wake');
  });
});
