/** Throws RangeError unless `ms` is a finite, non-negative number of milliseconds. */
export function checkMs(ms: unknown, fn: string, allowZero = true): asserts ms is number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || (!allowZero && ms === 0)) {
    throw new RangeError(
      `${fn}: ms must be a finite number ${allowZero ? '>= 0' : '> 0'}, got ${String(ms)}`,
    );
  }
}
