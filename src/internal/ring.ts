/**
 * A growable FIFO ring buffer (the `buf` of Go's `hchan`).
 *
 * Invariants: `a.length` is a power of two and `n <= a.length`; live slots are
 * `a[(h + i) & (a.length - 1)]` for `0 <= i < n`; every other slot holds `undefined`, so a value
 * that left the buffer is never retained. With `shrinks`, `a.length` comes back down towards its
 * initial size as the ring drains (at most 4x what it holds), so a burst does not pin memory.
 */
export class Ring<T> {
  private a: (T | undefined)[];
  private h = 0;
  private readonly min: number;
  /** Number of values held. */
  n = 0;

  constructor(
    initial = 4,
    private readonly shrinks = false,
  ) {
    let size = 1;
    while (size < initial) size <<= 1;
    this.a = new Array<T | undefined>(size);
    this.min = Math.max(size, 16);
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
    // Halve when a quarter full: amortized O(1), and no thrashing at the boundary.
    if (this.shrinks && this.n < this.a.length >> 2 && this.a.length > this.min)
      this.resize(this.a.length >> 1);
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
