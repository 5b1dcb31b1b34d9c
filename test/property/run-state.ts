/**
 * The state one run of a random program shares between its scheduler (scheduler.ts), its
 * operations (operations.ts) and its oracle (oracle.ts): the real channels, the reference model
 * (channel-model.ts), the actors and what each one is parked in, and the trace.
 */
import { chan, type Chan, type GoContext, type Goroutine } from 'gorx';
import { ChannelModel } from './channel-model.js';
import type { ActorKind, Program } from './random-program.js';
import { seededRandom } from './seeded-random.js';
import { Trace } from './trace.js';

/** A blocking op an actor is (or was) parked in. */
export interface Parked {
  readonly label: string;
  readonly recvOn: readonly number[];
  readonly sendOn: readonly number[];
  readonly controller: AbortController;
  readonly reason: Error;
  /** The scheduler may abort it while parked. */
  readonly abortable: boolean;
  /** A kill interrupts it: a ctx-bound op of an async goroutine, any yield of a generator. */
  readonly killable: boolean;
  /** Promises it waits on through `recv(promise)` cases. */
  readonly promisesOn: readonly number[];
  /** Rank among parked ops, by when each was first seen parked (0: never parked). */
  order: number;
  /** The channel and direction through which it moved a value, once it has. */
  served: { dir: 'recv' | 'send'; ch: number } | null;
}

/** A promise of the program: the scheduler settles it at a step of its choosing. */
export interface PromiseSlot {
  readonly promise: Promise<string>;
  readonly outcome: 'resolve' | 'reject';
  readonly value: string;
  readonly error: Error;
  readonly settle: () => void;
  settledAt: number | null;
  /** First step at which a select named it: gorx learns a promise's state a microtask later. */
  firstNamed: number | null;
}

function promiseSlot(outcome: 'resolve' | 'reject', k: number): PromiseSlot {
  let resolve!: (v: string) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a rejection nobody selects on is not an unhandled rejection
  const value = `p${k}`;
  const error = new Error(`p${k} rejected`);
  return {
    promise,
    outcome,
    value,
    error,
    settle: () => (outcome === 'resolve' ? resolve(value) : reject(error)),
    settledAt: null,
    firstNamed: null,
  };
}

export interface Actor {
  readonly id: number;
  readonly kind: ActorKind;
  state: 'running' | 'idle' | 'parked' | 'done';
  release: (() => void) | null;
  parked: Parked | null;
  seq: number;
  /** The goroutine running a goroutine actor, and its context. */
  goroutine: Goroutine<void> | null;
  ctx: GoContext | null;
  /** Set when the scheduler killed it; its `kill()` must resolve within the step. */
  killed: { resolved: boolean } | null;
}

export type SelectOutcome = { index: number; value: unknown; ok: boolean };

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown; aborted: boolean };

export class RunState {
  readonly trace = new Trace();
  readonly model: ChannelModel;
  readonly chans: Chan<string>[];
  readonly actors: Actor[];
  readonly promises: PromiseSlot[];
  /** Set by the final clean-up: actors stop at their next gate. */
  stopping = false;
  /** Ops parked at the previous step, and the rank the next newly parked op gets. */
  watched: Parked[] = [];
  parkOrder = 0;
  /** Values the scheduler itself sends (hand-off-then-kill moves). */
  schedulerSeq = 0;
  /** Scheduler choices past the end of `program.picks`. */
  private readonly morePicks: () => number;

  constructor(readonly program: Program) {
    this.model = new ChannelModel(program.capacities, this.trace);
    this.chans = program.capacities.map((cap, i) => chan<string>(cap, { name: `c${i}` }));
    this.promises = program.promises.map(promiseSlot);
    this.actors = program.actors.map((_, id) => ({
      id,
      kind: program.kinds[id] ?? 'plain',
      state: 'running',
      release: null,
      parked: null,
      seq: 0,
      goroutine: null,
      ctx: null,
      killed: null,
    }));
    // A stream of its own: select's Math.random is seeded by `seed` too.
    this.morePicks = seededRandom(program.seed ^ 0x5bd1e995);
  }

  get step(): number {
    return this.trace.step;
  }

  set step(step: number) {
    this.trace.step = step;
  }

  /** The scheduler's choice for the current step, in [0, 100). */
  pick(): number {
    return this.program.picks[this.step] ?? Math.floor(this.morePicks() * 100);
  }

  nextValue(a: Actor): string {
    return `a${a.id}.${a.seq++}`;
  }

  parkedOps(): Parked[] {
    return this.actors.flatMap((a) => (a.parked === null ? [] : [a.parked]));
  }
}
