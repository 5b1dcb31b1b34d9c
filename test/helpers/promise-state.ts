/**
 * Looking at a promise without awaiting it: the replacement for Go's time-based "does it block"
 * checks.
 */
import { settle } from './turns.js';

export type Settled<T> =
  { state: 'pending' } | { state: 'fulfilled'; value: T } | { state: 'rejected'; reason: unknown };

/** Records how a promise settles, so a test can look at it without awaiting it. */
export function track<T>(p: Promise<T>): {
  readonly result: Settled<T>;
  readonly promise: Promise<T>;
  /** True once `p` has resolved or rejected. */
  settled(): boolean;
} {
  const box = {
    result: { state: 'pending' } as Settled<T>,
    promise: p,
    settled: () => box.result.state !== 'pending',
  };
  p.then(
    (value) => (box.result = { state: 'fulfilled', value }),
    (reason: unknown) => (box.result = { state: 'rejected', reason }),
  );
  return box;
}

/** True when `p` settles (either way) once everything that needs no partner has run. */
export async function proceeds(p: Promise<unknown>): Promise<boolean> {
  const t = track(p);
  await settle();
  return t.settled();
}

/** The rejection reason of a promise that must reject. */
export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject, it resolved');
}
