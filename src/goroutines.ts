/**
 * Diagnostics: snapshots of live goroutines and the deadlock report.
 * @module
 */
import { line, snapshot } from './internal/report.js';
import type { GoroutineInfo } from './types.js';

/**
 * A snapshot of the live goroutines, oldest first.
 *
 * @example
 * ```ts
 * import { chan, go, goroutines } from 'gorx';
 *
 * const ch = chan<number>(0, { name: 'jobs' });
 * const g = go(async (ctx) => ch.recv({ signal: ctx.signal }), { name: 'worker' });
 * console.log(goroutines().map((i) => `${i.name}: ${i.blockedOn}`)); // ['worker: recv on chan "jobs"']
 * await g.kill();
 * ```
 */
export function goroutines(): GoroutineInfo[] {
  return snapshot();
}

/**
 * Renders `goroutines()` for logs, one goroutine per line, Go-style.
 *
 * @example
 * ```ts
 * import { dumpGoroutines } from 'gorx';
 *
 * console.log(dumpGoroutines()); // e.g. 'goroutine 3 "worker" [blocked, 1200 ms]: recv on chan "jobs"'
 * ```
 */
export function dumpGoroutines(): string {
  const infos = goroutines();
  if (infos.length === 0) return 'no live goroutines';
  return infos.map(line).join('\n');
}
