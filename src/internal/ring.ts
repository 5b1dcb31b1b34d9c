/**
 * A growable FIFO ring buffer (the `buf` of Go's `hchan`).
 *
 * Invariants: `a.length` is a power of two and `n <= a.length`; live slots are
 * `a[(h + i) & (a.length - 1)]` for `0 <= i < n`; every other slot holds `undefined`, so a value
 * that left the buffer is never retained.
 */
export class Ring<T> {
  private a: (T | undefined)[];
  private h = 0;
  /** Number of values held. */
  n = 0;

  constructor(initial = 4) {
    let size = 1;
    while (size < initial) size <<= 1;
    this.a = new Array<T | undefined>(size);
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

  /** Removes and returns the head. Precondition: `n > 0`. */
  shift(): T {
    const v = this.a[this.h] as T;
    this.a[this.h] = undefined;
    this.h = (this.h + 1) & (this.a.length - 1);
    this.n--;
    return v;
  }

  /** Values from head to tail (for diagnostics and drop policies). */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.n; i++) out.push(this.a[(this.h + i) & (this.a.length - 1)] as T);
    return out;
  }

  private grow(): void {
    const old = this.a;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.n; i++) next[i] = old[(this.h + i) & (old.length - 1)];
    this.a = next;
    this.h = 0;
  }
}
