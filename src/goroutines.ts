/**
 * Diagnostics: snapshots of live goroutines and the deadlock report.
 * @module
 */
import { live } from './internal/goroutine.js';
import { type Parked, setDeadlockReporter } from './internal/park.js';

/** One live goroutine, as seen by `goroutines()`. */
export interface GoroutineInfo {
  readonly id: number;
  readonly name: string;
  readonly state: 'running' | 'blocked';
  /** What it waits on (`recv on chan "jobs"`, `select [...]`, `sleep(100 ms)`), or null. */
  readonly blockedOn: string | null;
  /** Milliseconds since it started. */
  readonly ageMs: number;
  /** Id of the parent goroutine (`ctx.go`), or null. */
  readonly parentId: number | null;
}

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
  const now = Date.now();
  const out: GoroutineInfo[] = [];
  for (const g of live()) {
    const state = g.state;
    out.push({
      id: g.id,
      name: g.name,
      state: state === 'blocked' ? 'blocked' : 'running',
      blockedOn: g.blockedOn(),
      ageMs: now - g.startedAt,
      parentId: g.parent?.id ?? null,
    });
  }
  return out;
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

function line(i: GoroutineInfo): string {
  const parent = i.parentId !== null ? `, child of ${i.parentId}` : '';
  return `goroutine ${i.id} "${i.name}" [${i.state}, ${i.ageMs} ms${parent}]: ${i.blockedOn ?? 'not in a gorx operation'}`;
}

/**
 * The deadlock message body: every live goroutine, then the main program's blocked operations,
 * then the callback receivers that are listening (not blocked, never failed).
 */
function report(blocked: Parked[], listening: Parked[]): string {
  const infos = goroutines();
  const lines = infos.map(line);
  let mainOps = 0;
  for (const op of blocked) {
    if (op.owner === null) {
      lines.push(`main program: blocked in ${op.describe()}`);
      mainOps++;
    }
  }
  if (mainOps > 0 && infos.some((i) => i.blockedOn === null)) {
    lines.push(
      '(an async goroutine shown "not in a gorx operation" may own a "main program" operation: ' +
        'pass ctx.signal to operations inside goroutines so they are tied to them)',
    );
  }
  for (const op of listening) lines.push(`listening (not blocked): ${op.describe()}`);
  return lines.join('\n');
}

setDeadlockReporter(report);
