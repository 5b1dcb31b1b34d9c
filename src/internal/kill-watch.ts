/**
 * Makes a kill that does not take effect visible: an async goroutine that does not pass `ctx` to
 * its operations cannot be interrupted, and its `kill()` would wait forever without a word. A
 * goroutine still running `KILL_GRACE_MS` after its kill gets one process warning
 * (`GORX_KILL_PENDING`), naming it and what it is in.
 *
 * Cost: a kill that has not ended synchronously is linked into a list through the goroutine record
 * itself (no array to grow and copy); one `setImmediate` per macrotask turn drops the finished
 * ones and arms the single grace timer only if some kill is still pending by then (unref'd: it
 * never keeps the process alive), so a kill that ends in microtasks (the common case) arms no
 * timer and reads no clock.
 *
 * Invariant: the list holds, in kill order, every killed goroutine that has not finished (and
 * maybe some that have, dropped lazily), each once; `timer` is armed only while some unfinished
 * member has not been warned.
 */
import { setImmediate as realSetImmediate } from 'node:timers';
import { parkedOps } from './park.js';

/** How long a killed goroutine may keep running before gorx warns. */
export const KILL_GRACE_MS = 1000;

/** What the watch needs of a goroutine. */
export interface Killed {
  readonly id: number;
  readonly name: string;
  /**
   * When it was killed (Date.now(), stamped one macrotask later), null until then. Not 0: V8
   * stores a field that only ever held numbers, some not small integers, in a heap number of each
   * record's own (16 B more per goroutine); one that holds null too refers to the shared `now`.
   */
  killedAt: number | null;
  warned: boolean;
  /** The next goroutine in the list of pending kills (null for the last, and when not in it). */
  nextKilled: Killed | null;
  readonly finished: boolean;
  blockedOn(): string | null;
}

/** Killed goroutines not known to have finished, oldest kill first (checked lazily). */
let first: Killed | null = null;
let last: Killed | null = null;
let checkQueued = false;
let timer: ReturnType<typeof setTimeout> | null = null;
let clear: (t: ReturnType<typeof setTimeout>) => void = clearTimeout;

/** A kill did not end its goroutine synchronously. Precondition: `g` is not in the list. */
export function watchKill(g: Killed): void {
  if (last !== null) last.nextKilled = g;
  else first = g;
  last = g;
  if (!checkQueued) {
    checkQueued = true;
    realSetImmediate(stampAndArm);
  }
}

/** Unlinks the finished goroutines; calls `visit` on each one left, in order. */
function dropFinished(visit: ((g: Killed) => void) | null): void {
  let prev: Killed | null = null;
  for (let g = first; g !== null;) {
    const next: Killed | null = g.nextKilled;
    if (g.finished) {
      g.nextKilled = null;
      if (prev !== null) prev.nextKilled = next;
      else first = next;
    } else {
      if (visit !== null) visit(g);
      prev = g;
    }
    g = next;
  }
  last = prev;
}

/** One macrotask after kills: forget the finished, stamp the rest, arm the timer if needed. */
function stampAndArm(): void {
  checkQueued = false;
  const now = Date.now();
  dropFinished((g) => {
    if (g.killedAt === null) g.killedAt = now;
  });
  if (timer === null) arm();
}

function arm(): void {
  let soonest = Infinity;
  for (let g = first; g !== null; g = g.nextKilled) {
    // One not stamped yet is stamped by the stampAndArm queued when it was killed.
    if (!g.warned && g.killedAt !== null && g.killedAt < soonest) soonest = g.killedAt;
  }
  if (soonest === Infinity) return;
  timer = setTimeout(check, Math.max(0, soonest + KILL_GRACE_MS - Date.now()));
  clear = clearTimeout; // the one matching the setTimeout above, even if fake timers are swapped
  (timer as { unref?: () => void }).unref?.();
}

/** The goroutine finished: disarm the timer once nothing unwarned is left. */
export function unwatchKill(): void {
  if (timer === null) return;
  for (let g = first; g !== null; g = g.nextKilled) if (!g.finished && !g.warned) return;
  clear(timer);
  timer = null;
  dropFinished(null);
}

function check(): void {
  timer = null;
  const now = Date.now();
  dropFinished((g) => {
    if (!g.warned && g.killedAt !== null && now - g.killedAt >= KILL_GRACE_MS) {
      g.warned = true;
      warn(g, now - g.killedAt);
    }
  });
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
