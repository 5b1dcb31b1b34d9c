/**
 * Makes a kill that does not take effect visible: an async goroutine that does not pass `ctx` to
 * its operations cannot be interrupted, and its `kill()` would wait forever without a word. A
 * goroutine still running `KILL_GRACE_MS` after its kill gets one process warning
 * (`GORX_KILL_PENDING`), naming it and what it is in.
 *
 * Cost: a kill that has not ended synchronously joins a set; one `setImmediate` per macrotask turn
 * arms the single grace timer only if some kill is still pending by then (unref'd: it never keeps
 * the process alive), so a kill that ends in microtasks (the common case) arms no timer.
 *
 * Invariant: `pending` holds exactly the killed goroutines that have not finished; `timer` is
 * armed only while some member of `pending` has not been warned.
 */
import { setImmediate as realSetImmediate } from 'node:timers';
import { parkedOps } from './park.js';

/** How long a killed goroutine may keep running before gorx warns. */
export const KILL_GRACE_MS = 1000;

/** What the watch needs of a goroutine. */
export interface Killed {
  readonly id: number;
  readonly name: string;
  /** When it was killed (Date.now()). */
  killedAt: number;
  warned: boolean;
  blockedOn(): string | null;
}

const pending = new Set<Killed>();
let checkQueued = false;
let timer: ReturnType<typeof setTimeout> | null = null;
let clear: (t: ReturnType<typeof setTimeout>) => void = clearTimeout;
/** Parked operations tied to no goroutine: candidates for what an untied async body waits on. */
function untied(): string[] {
  return parkedOps()
    .filter((op) => op.owner === null && !op.listener)
    .reverse()
    .map((op) => op.describe());
}

/** A kill did not end its goroutine synchronously. */
export function watchKill(g: Killed): void {
  g.killedAt = Date.now();
  pending.add(g);
  if (!checkQueued && timer === null) {
    checkQueued = true;
    realSetImmediate(armIfPending);
  }
}

/** The goroutine finished. */
export function unwatchKill(g: Killed): void {
  if (!pending.delete(g) || timer === null) return;
  for (const k of pending) if (!k.warned) return;
  clear(timer);
  timer = null;
}

function armIfPending(): void {
  checkQueued = false;
  if (timer !== null) return;
  let first = Infinity;
  for (const g of pending) if (!g.warned && g.killedAt < first) first = g.killedAt;
  if (first === Infinity) return;
  arm(Math.max(0, first + KILL_GRACE_MS - Date.now()));
}

function arm(ms: number): void {
  timer = setTimeout(check, ms);
  clear = clearTimeout; // the one matching the setTimeout above, even if fake timers are swapped
  (timer as { unref?: () => void }).unref?.();
}

function check(): void {
  timer = null;
  const now = Date.now();
  let next = Infinity;
  for (const g of pending) {
    if (g.warned) continue;
    if (now - g.killedAt >= KILL_GRACE_MS) {
      g.warned = true;
      warn(g, now - g.killedAt);
    } else {
      next = Math.min(next, g.killedAt + KILL_GRACE_MS);
    }
  }
  if (next !== Infinity) arm(next - now);
}

function warn(g: Killed, ms: number): void {
  const on = g.blockedOn();
  const where =
    on !== null
      ? `it is in ${on}`
      : 'it is in no operation tied to it: an async goroutine must pass ctx (or ctx.signal) to ' +
        'its operations to be interruptible';
  const others = untied();
  const candidates =
    on === null && others.length > 0
      ? `; operations tied to no goroutine still waiting: ${others.slice(0, 3).join(', ')}${others.length > 3 ? ', ...' : ''}`
      : '';
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  proc?.emitWarning?.(
    `goroutine ${g.id} "${g.name}" has not ended ${ms} ms after kill(): ${where}${candidates}`,
    { type: 'GorxWarning', code: 'GORX_KILL_PENDING' },
  );
}
