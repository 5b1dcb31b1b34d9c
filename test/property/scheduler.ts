/**
 * The scheduler of a random program. Actors (plain async functions or goroutines) wait at a gate
 * before each op; one step opens one gate, settles one promise, aborts one parked op, kills one
 * parked goroutine, or hands a value to parked goroutine receivers and kills them before their
 * code runs (the put-back move). Then the microtask queue is drained, so each step is exactly one
 * move plus everything it wakes. No timers and no wall clock.
 *
 * Which move runs is `picks[step] % moves`; past the end of `picks`, a generator seeded by the
 * program keeps choosing, so long runs keep varying their interleavings.
 */
import { GoroutineExit, go } from 'gorx';
import { parkedCount } from '../../src/internal/park.js';
import { flush } from '../helpers/turns.js';
import { drive, perform, trySendNow } from './operations.js';
import type { OpSpec } from './random-program.js';
import type { Actor, RunState } from './run-state.js';
import { describeError } from './trace.js';

/** Microtask rounds that let every actor reach its next gate (they are a few awaits deep). */
export const ACTOR_DEPTH = 40;

/** Waits at the actor's gate until the scheduler opens it. */
function gate(a: Actor): Promise<void> {
  return new Promise<void>((resolve) => {
    a.state = 'idle';
    a.release = resolve;
  });
}

/** Starts actor `a` running `ops`; the promise settles when it has finished (never rejects). */
export function startActor(s: RunState, a: Actor, ops: readonly OpSpec[]): Promise<void> {
  if (a.kind === 'plain') {
    return (async () => {
      for (const op of ops) {
        await gate(a);
        if (s.stopping) break;
        await drive(perform(s, a, op));
      }
      a.state = 'done';
    })();
  }
  const name = `a${a.id}`;
  const g =
    a.kind === 'async'
      ? go<void>(
          async (ctx) => {
            a.ctx = ctx;
            try {
              for (const op of ops) {
                await gate(a);
                if (s.stopping) break;
                await drive(perform(s, a, op));
                // A killed async goroutine ends with its GoroutineExit, as user code would.
                ctx.signal.throwIfAborted();
              }
            } finally {
              a.state = 'done';
            }
          },
          { name },
        )
      : go<void>(
          function* (ctx) {
            a.ctx = ctx;
            try {
              for (const op of ops) {
                yield gate(a);
                if (s.stopping) break;
                yield* perform(s, a, op);
              }
            } finally {
              a.state = 'done';
            }
          },
          { name },
        );
  a.goroutine = g;
  return g.done.then(
    () => {
      s.trace.expect(
        a.killed === null || a.state === 'done',
        `a${a.id}: killed, yet its goroutine returned normally`,
      );
    },
    (e: unknown) => {
      s.trace.expect(
        a.killed !== null && e instanceof GoroutineExit,
        `a${a.id}: its goroutine ended with ${describeError(e)}` +
          (a.killed === null ? ' although nobody killed it' : ''),
      );
      s.trace.expect(g.state === 'killed', `a${a.id}: killed, but its state is '${g.state}'`);
    },
  );
}

function advance(a: Actor): void {
  a.state = 'running';
  const release = a.release!;
  a.release = null;
  release();
}

function kill(s: RunState, a: Actor): void {
  for (const c of a.parked?.recvOn ?? []) s.model.killedReceiver(c);
  const killed = { resolved: false };
  a.killed = killed;
  void a.goroutine!.kill().then(() => (killed.resolved = true));
}

/** Every move possible now. */
export function moves(s: RunState): (() => void)[] {
  const out: (() => void)[] = [];
  for (const a of s.actors) if (a.state === 'idle') out.push(() => advance(a));
  s.promises.forEach((slot, k) => {
    if (slot.settledAt !== null) return;
    out.push(() => {
      s.trace.note(`p${k} ${slot.outcome}s`);
      slot.settledAt = s.step;
      slot.settle();
    });
  });
  for (const a of s.actors) {
    const p = a.parked;
    if (p === null) continue;
    if (p.abortable && !p.controller.signal.aborted) {
      out.push(() => {
        s.trace.note(`a${a.id} aborted while parked in ${p.label}`);
        p.controller.abort(p.reason);
      });
    }
    if (p.killable && a.killed === null) {
      out.push(() => {
        s.trace.note(`kill a${a.id} while parked in ${p.label}`);
        kill(s, a);
      });
    }
  }
  // Put-back: hand values to the goroutine receivers parked on c, then kill them at once, before
  // their code runs: each value is seen by its code or goes back to the head of c, in order.
  s.chans.forEach((_, c) => {
    if (s.model.isClosed(c)) return;
    const victims = s.actors.filter(
      (a) =>
        a.parked !== null && a.parked.killable && a.killed === null && a.parked.recvOn.includes(c),
    );
    if (victims.length === 0) return;
    out.push(() => {
      s.trace.note(
        `hand ${victims.length} value(s) to c${c}, then kill ${victims.map((v) => `a${v.id}`).join(', ')}`,
      );
      for (let k = 0; k < victims.length; k++) trySendNow(s, null, c, 'scheduler', false);
      for (const v of victims) kill(s, v);
    });
  });
  return out;
}

/** Runs the program's moves until none is left. */
export async function schedule(s: RunState, afterStep: () => void): Promise<void> {
  for (;;) {
    const possible = moves(s);
    if (possible.length === 0) break;
    const pick = s.pick();
    s.step++;
    possible[pick % possible.length]!();
    await flush(ACTOR_DEPTH);
    afterStep();
    s.trace.throwIfViolated();
  }
}

/**
 * Ends the run: kills parked goroutines, aborts other parked ops, lets every actor finish, then
 * drains every channel into the model. Withdrawing must move no value.
 */
export async function finish(s: RunState): Promise<void> {
  s.stopping = true;
  const moved = s.model.counts();
  // An actor whose op was withdrawn reaches its next gate only after a flush: a few rounds.
  for (let round = 0; round < 3; round++) {
    for (const a of s.actors) {
      const p = a.parked;
      if (p === null) continue;
      if (p.killable && a.killed === null) {
        s.trace.note(`a${a.id} killed in ${p.label}`);
        kill(s, a);
      } else if (!p.controller.signal.aborted) {
        s.trace.note(`a${a.id} cancelled in ${p.label}`);
        p.controller.abort(p.reason);
      }
    }
    for (const a of s.actors) if (a.state === 'idle') advance(a);
    await flush(ACTOR_DEPTH);
  }
  s.trace.expect(
    s.actors.every((a) => a.state === 'done'),
    `after cancelling: ${s.actors
      .filter((a) => a.state !== 'done')
      .map((a) => `a${a.id} ${a.state}`)
      .join(', ')} did not finish`,
  );
  s.trace.expect(
    s.actors.every((a) => a.killed === null || a.killed.resolved),
    'after cancelling: a kill() did not resolve',
  );
  s.trace.expect(s.model.counts() === moved, 'withdrawing parked ops moved a value');
  s.trace.expect(parkedCount() === 0, `after cancelling: ${parkedCount()} ops still parked`);
  s.chans.forEach((ch, c) => {
    for (;;) {
      const r = ch.tryRecv();
      if (!r.ok) {
        s.trace.expect(r.closed === s.model.isClosed(c), `drain c${c}: closed=${r.closed}`);
        break;
      }
      s.step++;
      s.trace.note(`drain c${c} -> ${r.value}`);
      s.model.receive(c, r.value, `drain c${c}`);
    }
    s.trace.expect(ch.length === 0, `drain c${c}: length ${ch.length} after draining`);
  });
}

/** After a failure: stop everything so no parked op or goroutine leaks into the next run. */
export async function tearDown(s: RunState): Promise<void> {
  s.stopping = true;
  for (let round = 0; round < 3; round++) {
    for (const a of s.actors) {
      a.parked?.controller.abort(a.parked.reason);
      if (a.goroutine !== null && a.killed === null && a.state !== 'done') kill(s, a);
      a.release?.();
    }
    await flush(ACTOR_DEPTH);
  }
}
