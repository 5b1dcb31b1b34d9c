/**
 * Makes a kill that does not take effect visible: an async goroutine that does not pass `ctx` to
 * its operations cannot be interrupted, and its `kill()` would wait forever without a word. A
 * goroutine still running `KILL_GRACE_MS` after its kill gets one process warning
 * (`GORX_KILL_PENDING`), naming it and what it is in.
 *
 * Cost: a kill that has not ended synchronously is pushed on a list; one `setImmediate` per
 * macrotask turn drops the finished ones and arms the single grace timer only if some kill is
 * still pending by then (unref'd: it never keeps the process alive), so a kill that ends in
 * microtasks (the common case) arms no timer and reads no clock.
 *
 * Invariant: `pending` holds every killed goroutine that has not finished (and maybe some that
 * have, dropped lazily); `timer` is armed only while some unfinished member has not been warned.
 */
import { setImmediate as realSetImmediate } from 'node:timers';
import { parkedOps } from './park.js';

/** How long a killed goroutine may keep running before gorx warns. */
export const KILL_GRACE_MS = 1000;

/** What the watch needs of a goroutine. */
export interface Killed {
  readonly id: number;
  readonly name: string;
  /** When it was killed (Date.now(), stamped one macrotask later), 0 until then. */
  killedAt: number;
  warned: boolean;
  readonly finished: boolean;
  blockedOn(): string | null;
}

/** Killed goroutines not known to have finished (checked lazily: no work when a kill ends). */
let pending: Killed[] = [];
let checkQueued = false;
let timer: ReturnType<typeof setTimeout> | null = null;
let clear: (t: ReturnType<typeof setTimeout>) => void = clearTimeout;

/** A kill did not end its goroutine synchronously. */
export function watchKill(g: Killed): void {
  pending.push(g);
  if (!checkQueued) {
    checkQueued = true;
    realSetImmediate(stampAndArm);
  }
}

/** One macrotask after kills: forget the finished, stamp the rest, arm the timer if needed. */
function stampAndArm(): void {
  checkQueued = false;
  const now = Date.now();
  let k = 0;
  for (const g of pending) {
    if (g.finished) continue;
    if (g.killedAt === 0) g.killedAt = now;
    pending[k++] = g;
  }
  pending.length = k;
  if (timer === null) arm();
}

function arm(): void {
  let first = Infinity;
  for (const g of pending) if (!g.warned && g.killedAt < first) first = g.killedAt;
  if (first === Infinity) return;
  timer = setTimeout(check, Math.max(0, first + KILL_GRACE_MS - Date.now()));
  clear = clearTimeout; // the one matching the setTimeout above, even if fake timers are swapped
  (timer as { unref?: () => void }).unref?.();
}

/** The goroutine finished: disarm the timer once nothing unwarned is left. */
export function unwatchKill(): void {
  if (timer === null) return;
  for (const g of pending) if (!g.finished && !g.warned) return;
  clear(timer);
  timer = null;
  pending = pending.filter((g) => !g.finished);
}

function check(): void {
  timer = null;
  const now = Date.now();
  pending = pending.filter((g) => !g.finished);
  for (const g of pending) {
    if (!g.warned && now - g.killedAt >= KILL_GRACE_MS) {
      g.warned = true;
      warn(g, now - g.killedAt);
    }
  }
  arm();
}

/** Parked operations tied to no goroutine: candidates for what an untied async body waits on. */
function untied(): string[] {
  return parkedOps()
    .filter((op) => op.owner === null && !op.listener)
    .reverse()
    .map((op) => op.describe());
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
