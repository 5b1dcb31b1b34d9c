/**
 * A growable FIFO ring buffer (the `buf` of Go's `hchan`).
 *
 * Invariants: `a.length` is a power of two and `n <= a.length`; live slots are
 * `a[(h + i) & (a.length - 1)]` for `0 <= i < n`; every other slot holds `undefined`, so a value
 * that left the buffer is never retained. With `shrinks`, a drained ring (`n === 0`) holding more
 * than `SHRINK_TO` slots goes back to `SHRINK_TO`, so a burst does not pin its memory.
 */

/** Slots a drained shrinking ring keeps (32 KiB of references). */
export const SHRINK_TO = 4096;

export class Ring<T> {
  private a: (T | undefined)[];
  private h = 0;
  /** Number of values held. */
  n = 0;

  constructor(
    initial = 4,
    private readonly shrinks = false,
  ) {
    let size = 1;
    while (size < initial) size <<= 1;
    this.a = new Array<T | undefined>(size);
  }

  /** Slots allocated (diagnostics and tests). */
  get allocated(): number {
    return this.a.length;
  }

  /** Appends at the tail; grows when full (bounded channels never ask for more than `cap`). */
  push(v: T): void {
    if (this.n === this.a.length) this.grow();
    this.a[(this.h + this.n) & (this.a.length - 1)] = v;
    this.n++;
  }

  /** Puts a value back at the head. Precondition: none (grows when full). */
  unshift(v: T): void {
    if (this.n === this.a.length) this.grow();
    this.h = (this.h - 1) & (this.a.length - 1);
    this.a[this.h] = v;
    this.n++;
  }

  /** Inserts `v` so that it becomes the value at position `k` from the head. Precondition: `k <= n`. */
  insert(k: number, v: T): void {
    if (this.n === this.a.length) this.grow();
    const mask = this.a.length - 1;
    this.h = (this.h - 1) & mask;
    for (let i = 0; i < k; i++) this.a[(this.h + i) & mask] = this.a[(this.h + i + 1) & mask];
    this.a[(this.h + k) & mask] = v;
    this.n++;
  }

  /** Removes and returns the head. Precondition: `n > 0`. */
  shift(): T {
    const v = this.a[this.h] as T;
    this.a[this.h] = undefined;
    this.h = (this.h + 1) & (this.a.length - 1);
    this.n--;
    // Drained: give a burst's memory back in one step (no copying), keeping enough slots that a
    // producer running a few thousand values ahead does not regrow on every round.
    if (this.n === 0 && this.shrinks && this.a.length > SHRINK_TO) {
      this.a = new Array<T | undefined>(SHRINK_TO);
      this.h = 0;
    }
    return v;
  }

  /** Values from head to tail (for diagnostics and drop policies). */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.n; i++) out.push(this.a[(this.h + i) & (this.a.length - 1)] as T);
    return out;
  }

  private grow(): void {
    this.resize(this.a.length * 2);
  }

  /** Moves the values to a new array of `size` slots. Precondition: `n <= size`, a power of two. */
  private resize(size: number): void {
    const old = this.a;
    const next = new Array<T | undefined>(size);
    for (let i = 0; i < this.n; i++) next[i] = old[(this.h + i) & (old.length - 1)];
    this.a = next;
    this.h = 0;
  }
}
