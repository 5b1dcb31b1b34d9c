/**
 * The send ring of a run: a single-producer (the thread), single-consumer (the main thread) ring
 * in shared memory that carries the thread's sends on credit of small values (numbers, short
 * strings, booleans, null, undefined). A value written there is visible to the main thread at
 * once, without a message, so:
 * - a send on credit resolves as soon as it is written, and a producer loop runs through its
 *   credit without a message per value: the main side takes whatever accumulated each time it
 *   looks (one RING op, posted only when the main side has stopped looking, see WAKE below);
 * - a value written is never lost: a close on the main side, and the end of the run (a terminate
 *   or crash included), read the ring synchronously.
 *
 * Layout (SharedArrayBuffer): a 16-byte header of Int32 words (WRITE position, READ position,
 * WAKE flag), then SLOTS slots of 16 bytes. Positions count slots and wrap modulo 2^32; the slot
 * of a position is `pos & (SLOTS - 1)`. An entry is one slot: Int32 `tag | id << 3`, and for a
 * number the Float64 in the slot's second half; a string stores its length in the second Int32
 * and its UTF-16 code units in the slots that follow (8 per slot). An entry never wraps: a PAD
 * entry skips to the end of the data area.
 *
 * Invariants:
 * - `0 <= WRITE - READ <= SLOTS`; the thread writes only WRITE (after the entry), the main thread
 *   only READ (after reading the entries);
 * - WAKE is 1 from the thread's write that found it 0 (and posted a RING op) until the main side,
 *   which then looks at the ring once per event-loop turn while it finds entries, finds none; it
 *   clears WAKE and then reads everything written by then (after applying the batches the
 *   thread posted before those entries, MainBridge.readRing), so no entry is left unread
 *   without a RING op on its way or a look scheduled, and a steady flow costs no message.
 */

export const SLOTS = 4096;
const MASK = SLOTS - 1;
export const RING_BYTES = 16 + SLOTS * 16;
const WRITE = 0;
const READ = 1;
const WAKE = 2;

const PAD = 1;
const NUM = 2;
const STR = 3;
const TRUE = 4;
const FALSE = 5;
const NULL = 6;
const UNDEF = 7;

/** Longest string carried inline (longer ones travel by message). */
const MAX_CHARS = 64;

/** Slots an entry for `v` takes, or 0 when `v` does not travel in the ring. */
function slotsFor(v: unknown): number {
  switch (typeof v) {
    case 'number':
    case 'boolean':
    case 'undefined':
      return 1;
    case 'string':
      return v.length <= MAX_CHARS ? 1 + ((v.length + 7) >> 3) : 0;
    default:
      return v === null ? 1 : 0;
  }
}

class RingViews {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly u16: Uint16Array;
  constructor(readonly buffer: SharedArrayBuffer) {
    this.i32 = new Int32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.u16 = new Uint16Array(buffer);
  }
}

/** The thread's end: writes entries. */
export class RingWriter extends RingViews {
  private w = 0;
  /** READ as last loaded: the reader has read at least this far (reloaded when room runs out). */
  private readSeen = 0;

  /** The position after the last entry written (sent with each batch, see MainBridge). */
  get position(): number {
    return this.w;
  }

  /**
   * Writes a send of `v` on channel `id` and publishes it. Returns false (nothing written) when
   * `v` does not travel in the ring or the ring has no room. Returns 'wake' when the main side
   * must be told (a RING op), else true.
   */
  write(id: number, v: unknown): boolean | 'wake' {
    if (typeof v === 'number') return this.writeNumber(id, v);
    const k = slotsFor(v);
    if (k === 0) return false;
    const i32 = this.i32;
    let w = this.w;
    let s = w & MASK;
    const pad = s + k > SLOTS ? SLOTS - s : 0;
    if (!this.room(w, pad + k)) return false;
    if (pad > 0) {
      i32[4 + 4 * s] = PAD;
      w = (w + pad) | 0;
      s = 0;
    }
    const h = 4 + 4 * s;
    switch (typeof v) {
      case 'number':
        i32[h] = NUM | (id << 3);
        this.f64[2 + 2 * s + 1] = v;
        break;
      case 'string': {
        i32[h] = STR | (id << 3);
        i32[h + 1] = v.length;
        const u16 = this.u16;
        const at = 8 + 8 * (s + 1); // the next slot's first code unit
        for (let i = 0; i < v.length; i++) u16[at + i] = v.charCodeAt(i);
        break;
      }
      case 'boolean':
        i32[h] = (v ? TRUE : FALSE) | (id << 3);
        break;
      case 'undefined':
        i32[h] = UNDEF | (id << 3);
        break;
      default:
        i32[h] = NULL | (id << 3);
    }
    return this.publish((w + k) | 0);
  }

  /** `write` of a number: one slot, never a pad (the hot path of a producer loop). */
  private writeNumber(id: number, v: number): boolean | 'wake' {
    const w = this.w;
    if (!this.room(w, 1)) return false;
    const s = w & MASK;
    this.i32[4 + 4 * s] = NUM | (id << 3);
    this.f64[2 + 2 * s + 1] = v;
    return this.publish((w + 1) | 0);
  }

  /** True when `k` slots from position `w` are free (READ is loaded only when they seem not). */
  private room(w: number, k: number): boolean {
    if (((w - this.readSeen) | 0) + k <= SLOTS) return true;
    this.readSeen = Atomics.load(this.i32, READ);
    return ((w - this.readSeen) | 0) + k <= SLOTS;
  }

  /** Makes the entries before `w` visible to the reader; 'wake' when it must be told. */
  private publish(w: number): boolean | 'wake' {
    const i32 = this.i32;
    this.w = w;
    Atomics.store(i32, WRITE, w);
    if (Atomics.load(i32, WAKE) === 0 && Atomics.exchange(i32, WAKE, 1) === 0) return 'wake';
    return true;
  }
}

/** The main thread's end: reads entries. */
export class RingReader extends RingViews {
  private r = 0;

  constructor(buffer: SharedArrayBuffer) {
    super(buffer);
  }

  /** The position after the last entry written so far (WRITE). */
  get position(): number {
    return Atomics.load(this.i32, WRITE);
  }

  /** The position after the last entry read. */
  get consumed(): number {
    return this.r;
  }

  /** Clears WAKE (a look found nothing): the reads that follow see every entry written before. */
  woken(): void {
    Atomics.store(this.i32, WAKE, 0);
  }

  /**
   * Hands every entry before position `upTo` (default: everything written) to `deliver(id, v)`,
   * in order. Re-entrant: `deliver` may run code that reads the ring again (a close).
   */
  read(deliver: (id: number, v: unknown) => void, upTo?: number): void {
    const i32 = this.i32;
    const end = upTo ?? Atomics.load(i32, WRITE);
    while (((end - this.r) | 0) > 0) {
      const s = this.r & MASK;
      const h = i32[4 + 4 * s]!;
      const tag = h & 7;
      if (tag === PAD) {
        this.r = (this.r + SLOTS - s) | 0;
        continue;
      }
      let v: unknown;
      let k = 1;
      switch (tag) {
        case NUM:
          v = this.f64[2 + 2 * s + 1];
          break;
        case STR: {
          const n = i32[4 + 4 * s + 1]!;
          const at = 8 + 8 * (s + 1); // the next slot's first code unit
          v = String.fromCharCode.apply(null, this.u16.subarray(at, at + n) as unknown as number[]);
          k = 1 + ((n + 7) >> 3);
          break;
        }
        case TRUE:
          v = true;
          break;
        case FALSE:
          v = false;
          break;
        case NULL:
          v = null;
          break;
        default:
          v = undefined;
      }
      this.r = (this.r + k) | 0;
      deliver(h >>> 3, v);
    }
    Atomics.store(i32, READ, this.r);
  }
}
