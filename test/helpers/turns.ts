/**
 * Letting the event loop move, in three sizes (one name each):
 * - `flush()`: pending microtasks only (promise chains up to `rounds` deep);
 * - `macrotask()`: one REAL macrotask turn (`setImmediate` from node:timers, never faked): Node
 *   reports unhandled rejections there, and gorx delivers completions its starvation guard deferred;
 * - `settle()`: everything that can happen without a timer: microtasks, a macrotask, microtasks.
 *   A promise still pending after it is blocked: only another operation (or a timer) can wake it.
 */
import { setImmediate as realSetImmediate } from 'node:timers';

/** Lets every pending microtask (and promise chain up to `rounds` deep) run. */
export async function flush(rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** One real (never faked) macrotask turn. */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/** Microtasks, one real macrotask turn, microtasks: all that needs no timer and no partner. */
export async function settle(): Promise<void> {
  await flush();
  await macrotask();
  await flush();
}
