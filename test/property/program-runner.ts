/**
 * Runs a random program (random-program.ts) against gorx and the reference model, and reports
 * every broken guarantee with a trace. The run is split along its seams:
 * - run-state.ts: the channels, actors, promises and trace one run shares;
 * - scheduler.ts: actors and gates, the moves (open a gate, settle a promise, abort, kill,
 *   hand-off-then-kill), the end of the run;
 * - operations.ts: each op performed against gorx and recorded in the model;
 * - oracle.ts + channel-model.ts: what Go's rules allow (waiting) and the value accounting.
 *
 * Why one move per step matters for the model: an op moves at most one value into a channel (a
 * send committing, or a parked sender pulled into the buffer) and at most one out of it, so the
 * order in which commits and receives are observed is the order in which they happened. Callback
 * ops may re-enter with a trySend/tryRecv and a range loop may drain several buffered values in
 * one step; the model then compares orders only across steps.
 */
import { parkedCount } from '../../src/internal/park.js';
import { flush, macrotask } from '../helpers/turns.js';
import { checkQuiescent } from './oracle.js';
import type { Program } from './random-program.js';
import { RunState } from './run-state.js';
import { ACTOR_DEPTH, finish, schedule, startActor, tearDown } from './scheduler.js';
import { withSeededRandom } from './seeded-random.js';

async function run(program: Program): Promise<void> {
  await macrotask(); // a fresh per-turn op budget: no completion is deferred mid-run
  const s = new RunState(program);
  s.trace.expect(parkedCount() === 0, `${parkedCount()} ops parked before the run started`);
  const done = s.actors.map((a) => startActor(s, a, program.actors[a.id]!));
  try {
    await flush(ACTOR_DEPTH);
    checkQuiescent(s);
    await schedule(s, () => checkQuiescent(s));
    await finish(s);
    s.trace.throwIfViolated();
    await Promise.all(done);
    s.model.checkFinal();
    s.trace.throwIfViolated();
  } finally {
    // A failing run must not leave parked ops or goroutines behind for the next (shrinking) run.
    await tearDown(s);
  }
}

/** Runs `program`; throws an Error listing the broken guarantees and the trace. */
export async function runProgram(program: Program): Promise<void> {
  await withSeededRandom(program.seed, () => run(program));
}
