// A second, independent check of gorx/nest's guarantees (issue 13 item 5): random sequences of
// run behaviours (return, crash, hang, beat at random rates) and commands (stop, start) on virtual
// time, against a model of the supervisor written from the documentation, not from the code:
// runs never overlap; a heartbeat kill comes no sooner than heartbeatTimeoutMs after the last sign
// of life and no later than twice it; every (re)start happens exactly when the policy, the
// restart intensity and the backoff say, and never otherwise. And random supersede calls: runs of
// one key never overlap, start in call order, and each call resolves or rejects as documented.
// PROPERTY_RUNS=<n> overrides every run count, for a longer bug hunt.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { HeartbeatTimeoutError, SupersededError, sleep } from 'gorx';
import { ShutdownError, WorkerRegistry, type RestartPolicy, type WorkerContext } from 'gorx/nest';
import type { LogSink } from '../../nest-module/internal/host.js';
import { WorkerSupervisor } from '../../nest-module/worker.supervisor.js';
import { expectNothingLeft, flush } from '../helpers/leaks.js';
import { useFakeTime } from './nest-helpers.js';

const runs = (n: number): number => Number(process.env.PROPERTY_RUNS ?? n);

afterEach(() => {
  jest.useRealTimers();
});

const quiet: LogSink = { log() {}, debug() {}, verbose() {}, warn() {}, error() {} };

function supervisor(): { sup: WorkerSupervisor; registry: WorkerRegistry } {
  const sup = new WorkerSupervisor({ shutdownGraceMs: 1_000 });
  (sup as unknown as { logger: LogSink }).logger = quiet;
  sup.onApplicationBootstrap();
  return { sup, registry: new WorkerRegistry(sup) };
}

async function shutdown(sup: WorkerSupervisor): Promise<void> {
  const done = sup.beginShutdown();
  await jest.advanceTimersByTimeAsync(2_000);
  await done;
  sup.onApplicationShutdown();
  await flush();
  expectNothingLeft();
}

// ---------------------------------------------------------------------------------------------
// Supervision

const L = 100; // heartbeatTimeoutMs
const BACKOFF = { initialMs: 50, maxMs: 400, factor: 2, jitter: 0 };
const HORIZON = 3_000;

/** What run n does: beat every `beatEvery` ms (0: never) for `after` ms, then end that way. */
interface Behaviour {
  end: 'return' | 'crash' | 'hang';
  after: number;
  beatEvery: number;
}
interface Command {
  at: number;
  op: 'stop' | 'start';
}
interface Scenario {
  policy: RestartPolicy;
  maxRestarts: { count: number; withinMs: number };
  behaviours: Behaviour[];
  commands: Command[];
}

// Times are multiples of 5 ms, so commands and timers do coincide: the model says which goes first.
const behaviourArb: fc.Arbitrary<Behaviour> = fc.record({
  end: fc.constantFrom('return', 'crash', 'hang'),
  after: fc.integer({ min: 0, max: 40 }).map((n) => n * 10),
  beatEvery: fc.constantFrom(0, 20, 50, 90, 150),
});
const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  policy: fc.constantFrom<RestartPolicy>('permanent', 'transient', 'temporary'),
  maxRestarts: fc.record({
    count: fc.integer({ min: 0, max: 6 }),
    withinMs: fc.constantFrom(300, 1_000, 5_000),
  }),
  behaviours: fc.array(behaviourArb, { minLength: 1, maxLength: 12 }),
  commands: fc
    .array(
      fc.record({
        at: fc.integer({ min: 0, max: 290 }).map((n) => n * 10 + 5),
        op: fc.constantFrom<'stop' | 'start'>('stop', 'start'),
      }),
      { maxLength: 5 },
    )
    .map((cs) => [...cs].sort((a, b) => a.at - b.at)),
});

interface Run {
  attempt: number;
  start: number;
  /** Start, then every beat. */
  alive: number[];
  end: number | null;
  how: 'returned' | 'crashed' | 'killed' | null;
  killReason?: unknown;
}

async function runScenario(s: Scenario): Promise<Run[]> {
  useFakeTime();
  jest.setSystemTime(0);
  const { sup, registry } = supervisor();
  const recorded: Run[] = [];
  const body = function* (ctx: WorkerContext): Generator<unknown, void, unknown> {
    const run: Run = {
      attempt: ctx.attempt,
      start: Date.now(),
      alive: [Date.now()],
      end: null,
      how: null,
    };
    recorded.push(run);
    const b = s.behaviours[ctx.attempt - 1] ?? { end: 'hang', after: 1_000_000, beatEvery: 20 };
    try {
      let t = 0;
      while (t < b.after) {
        const step = b.beatEvery > 0 ? Math.min(b.beatEvery, b.after - t) : b.after - t;
        yield sleep(step);
        t += step;
        if (b.beatEvery > 0) {
          ctx.heartbeat();
          run.alive.push(Date.now());
        }
      }
      if (b.end === 'crash') throw new Error('crash');
      if (b.end === 'hang') yield new Promise<never>(() => {});
      run.how = 'returned';
    } catch (e) {
      run.how = 'crashed';
      throw e;
    } finally {
      if (run.how === null) {
        run.how = 'killed';
        run.killReason = ctx.signal.reason;
      }
      run.end = Date.now();
    }
  };
  registry.spawn('w', body, {
    heartbeatTimeoutMs: L,
    restart: s.policy,
    backoff: BACKOFF,
    maxRestarts: s.maxRestarts,
  });
  for (const c of s.commands) {
    await jest.advanceTimersByTimeAsync(c.at - Date.now());
    if (c.op === 'stop') await registry.stop('w');
    else await registry.start('w');
  }
  await jest.advanceTimersByTimeAsync(HORIZON - Date.now());
  await shutdown(sup);
  return recorded;
}

/**
 * The model: from the observed end of each run and the commands, when must the next run start?
 * Written from docs/nest.md: policies, restart intensity, backoff, manual start/stop.
 */
function checkAgainstModel(s: Scenario, observed: Run[]): void {
  const runsSoFar = observed.filter((r) => r.start < HORIZON);
  let restartTimes: number[] = [];
  let consumed = 0;
  for (let i = 0; i < runsSoFar.length; i++) {
    const run = runsSoFar[i]!;
    expect(run.attempt).toBe(i + 1);
    // Runs never overlap: each starts after the previous one's finally ran.
    if (i > 0) expect(run.start).toBeGreaterThanOrEqual(runsSoFar[i - 1]!.end!);
    // Heartbeat kills: never before L of silence, never after 2L; silence of 2L always kills.
    const until = run.end ?? HORIZON;
    const hungKill = run.how === 'killed' && run.killReason instanceof HeartbeatTimeoutError;
    const lastAlive = run.alive.filter((t) => t <= until).at(-1)!;
    if (hungKill) {
      expect(until - lastAlive).toBeGreaterThanOrEqual(L);
      expect(until - lastAlive).toBeLessThanOrEqual(2 * L);
    }
    const proofs = [...run.alive.filter((t) => t <= until), until];
    for (let k = 1; k < proofs.length; k++) {
      expect(proofs[k]! - proofs[k - 1]!).toBeLessThanOrEqual(2 * L);
    }
    // When must the next run start?
    const next = runsSoFar[i + 1];
    if (run.end === null || run.killReason instanceof ShutdownError) {
      expect(next).toBeUndefined();
      continue;
    }
    const stoppedByCommand = run.how === 'killed' && !hungKill;
    // Commands run in their order (several may share a time); timers due at a command's time
    // fire before it (the test advances time, then commands). `consumed` commands are past.
    const startFrom = (index: number): number | undefined => {
      const j = s.commands.findIndex((c, k) => k >= index && c.op === 'start');
      consumed = j < 0 ? s.commands.length : j + 1;
      return j < 0 ? undefined : s.commands[j]!.at;
    };
    let expected: number | undefined;
    if (stoppedByCommand) {
      const stopIndex = s.commands.findIndex(
        (c, k) => k >= consumed && c.op === 'stop' && c.at === run.end,
      );
      expect(stopIndex).toBeGreaterThanOrEqual(0);
      expected = startFrom(stopIndex + 1);
      restartTimes = [];
    } else {
      const outcome =
        run.how === 'returned' ? 'returned' : run.how === 'crashed' ? 'failed' : 'hung';
      const restart =
        s.policy === 'permanent' || (s.policy === 'transient' && outcome !== 'returned');
      const window = restartTimes.filter((t) => t > run.end! - s.maxRestarts.withinMs);
      let due: number | undefined;
      if (restart && window.length < s.maxRestarts.count) {
        window.push(run.end);
        due =
          run.end +
          Math.min(BACKOFF.maxMs, BACKOFF.initialMs * BACKOFF.factor ** (window.length - 1));
      }
      const firstIndex = s.commands.findIndex((c, k) => k >= consumed && c.at >= run.end!);
      const first = firstIndex < 0 ? undefined : s.commands[firstIndex]!;
      if (due !== undefined && (first === undefined || first.at >= due)) {
        expected = due;
        restartTimes = window;
      } else if (first === undefined) {
        expected = undefined;
      } else if (due !== undefined && first.op === 'start') {
        expected = startFrom(firstIndex); // a manual start during backoff starts at once
        restartTimes = [];
      } else {
        // No restart, or a stop cancelled the pending one: only a later start runs it again.
        expected = startFrom(firstIndex);
        restartTimes = [];
      }
    }
    if (expected === undefined || expected >= HORIZON) expect(next).toBeUndefined();
    else expect(next?.start).toBe(expected);
  }
}

describe('supervision against a model', () => {
  it('random runs and commands: runs never overlap, hangs are caught within [L, 2L], (re)starts happen exactly when the model says', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const observed = await runScenario(s);
        checkAgainstModel(s, observed);
      }),
      { numRuns: runs(100) },
    );
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
// Supersede ordering

const callsArb = fc
  .array(
    fc.record({
      at: fc.integer({ min: 0, max: 60 }).map((n) => n * 10),
      key: fc.constantFrom<'a' | 'b'>('a', 'b'),
      workMs: fc.integer({ min: 1, max: 30 }).map((n) => n * 10), // sleep(0) is 1 ms, as in Node
      cleanupMs: fc.integer({ min: 1, max: 10 }).map((n) => n * 10),
    }),
    { minLength: 1, maxLength: 10 },
  )
  .map((cs) => [...cs].sort((a, b) => a.at - b.at));

describe('supersede ordering against a model', () => {
  it('random calls: runs of one key never overlap and start in call order; a call superseded while working rejects SupersededError after its finally finished; one never superseded resolves; shutdown rejects ShutdownError', async () => {
    await fc.assert(
      fc.asyncProperty(callsArb, fc.boolean(), async (calls, closeEarly) => {
        useFakeTime();
        jest.setSystemTime(0);
        const { sup, registry } = supervisor();
        interface Span {
          call: number;
          key: string;
          start: number;
          workEnd?: number;
          cleanedUp?: number;
          end?: number;
        }
        const spans: Span[] = [];
        const outcomes: { value?: unknown; error?: unknown }[] = calls.map(() => ({}));
        for (const [i, c] of calls.entries()) {
          await jest.advanceTimersByTimeAsync(c.at - Date.now());
          registry
            .supersede(c.key, function* (): Generator<unknown, number, unknown> {
              const span: Span = { call: i, key: c.key, start: Date.now() };
              spans.push(span);
              try {
                try {
                  yield sleep(c.workMs);
                  span.workEnd = Date.now();
                  return i;
                } finally {
                  yield sleep(c.cleanupMs);
                  span.cleanedUp = Date.now();
                }
              } finally {
                span.end = Date.now();
              }
            })
            .then(
              (value) => (outcomes[i]!.value = value),
              (error: unknown) => (outcomes[i]!.error = error),
            );
        }
        const closeAt = closeEarly ? Date.now() + 5 : 100_000;
        await jest.advanceTimersByTimeAsync(closeAt - Date.now());
        await shutdown(sup);

        for (const key of ['a', 'b']) {
          const mine = spans.filter((s) => s.key === key);
          for (let k = 1; k < mine.length; k++) {
            expect(mine[k]!.call).toBeGreaterThan(mine[k - 1]!.call); // call order
            expect(mine[k]!.start).toBeGreaterThanOrEqual(mine[k - 1]!.end!); // no overlap
          }
          const callsOfKey = calls.map((c, i) => ({ ...c, i })).filter((c) => c.key === key);
          for (const [n, c] of callsOfKey.entries()) {
            const newer = callsOfKey[n + 1];
            const out = outcomes[c.i]!;
            const span = spans.find((s) => s.call === c.i);
            // The first kill that can reach it: the next call of its key, else the shutdown.
            const killAt = newer !== undefined ? newer.at : closeEarly ? closeAt : Infinity;
            const killError = newer !== undefined ? SupersededError : ShutdownError;
            if (span === undefined) {
              expect(out.error).toBeInstanceOf(killError); // never started
              continue;
            }
            const workEnd = span.start + c.workMs;
            if (killAt > workEnd + c.cleanupMs) {
              expect(out).toEqual({ value: c.i });
              expect(span.cleanedUp).toBe(workEnd + c.cleanupMs);
            } else if (killAt < workEnd) {
              expect(out.error).toBeInstanceOf(killError);
              // Its finally ran to the end before anything after it started.
              expect(span.cleanedUp).toBe(killAt + c.cleanupMs);
            } else {
              // Killed at or after the end of its work, during its own cleanup: a generator's
              // finally is stopped at its yield by the kill (gorx core semantics).
              expect(out.value === c.i || out.error instanceof killError).toBe(true);
            }
          }
          // The newest call of a key always starts, unless shutdown came first.
          const last = callsOfKey.at(-1);
          if (last !== undefined && !closeEarly) {
            expect(spans.some((s) => s.call === last.i)).toBe(true);
          }
        }
      }),
      { numRuns: runs(100) },
    );
  }, 120_000);
});
