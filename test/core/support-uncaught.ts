/**
 * Captures errors that gorx deliberately rethrows in a later macrotask (a user callback that
 * threw while gorx was completing a channel operation), so a test can assert on them.
 */
import { macrotask } from '../helpers/turns.js';

/** Runs `fn`, then lets two real macrotask turns pass; returns every uncaught error meanwhile. */
export async function captureUncaught(fn: () => void | Promise<void>): Promise<unknown[]> {
  const caught: unknown[] = [];
  process.setUncaughtExceptionCaptureCallback((e) => caught.push(e));
  try {
    await fn();
    await macrotask();
    await macrotask();
  } finally {
    process.setUncaughtExceptionCaptureCallback(null);
  }
  return caught;
}
