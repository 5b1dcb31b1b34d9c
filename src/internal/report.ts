/**
 * The snapshot behind `goroutines()` and the deadlock report. Installed into park.ts by `go()` at
 * its first call (`installReporter`), so importing gorx has no side effect a bundler could drop.
 */
import type { GoroutineInfo } from '../types.js';
import { live } from './goroutine.js';
import { type Parked, setDeadlockReporter } from './park.js';

/** The live goroutines, oldest first. */
export function snapshot(): GoroutineInfo[] {
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

/** One goroutine, Go-style, for logs. */
export function line(i: GoroutineInfo): string {
  const parent = i.parentId !== null ? `, child of ${i.parentId}` : '';
  return `goroutine ${i.id} "${i.name}" [${i.state}, ${i.ageMs} ms${parent}]: ${i.blockedOn ?? 'not in a gorx operation'}`;
}

/**
 * The deadlock message body: every live goroutine, then the main program's blocked operations,
 * then the callback receivers that are listening (not blocked, never failed).
 */
function report(blocked: Parked[], listening: Parked[]): string {
  const infos = snapshot();
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

let installed = false;

/** Makes deadlock reports list goroutines. Cheap to call on every `go()`. */
export function installReporter(): void {
  if (installed) return;
  installed = true;
  setDeadlockReporter(report);
}
