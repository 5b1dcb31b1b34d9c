/**
 * Random programs for the channel property test: a few channels, 3-5 actors, each running a
 * list of channel operations, and the scheduler's choices that decide which actor moves next.
 * Every generated value prints as something a person can read in a shrunk counterexample.
 */
import fc from 'fast-check';

/** When the scheduler aborts a blocking op: never (only at the final clean-up), before it
 *  starts (an already-aborted signal), or at a scheduler-chosen step while it is parked. */
export type AbortMode = 'never' | 'before' | 'while-parked';

/** One channel case of a select: `ch === null` is Go's nil channel (never ready). */
export interface CaseSpec {
  readonly dir: 'recv' | 'send';
  readonly ch: number | null;
}

/** A `recv(promise)` case on the program's promise `p`. */
export interface PromiseCaseSpec {
  readonly dir: 'promise';
  readonly p: number;
}

export type AnyCaseSpec = CaseSpec | PromiseCaseSpec;

/** A non-blocking op that a callback runs synchronously, inside the hand-off (re-entrancy). */
export interface FollowUp {
  readonly kind: 'trySend' | 'tryRecv';
  readonly ch: number;
}

export type OpSpec =
  | { readonly kind: 'send' | 'recv'; readonly ch: number; readonly abort: AbortMode }
  | {
      readonly kind: 'recvCallback';
      readonly ch: number;
      readonly abort: AbortMode;
      readonly then: FollowUp | null;
    }
  | {
      readonly kind: 'selectCallback';
      readonly cases: readonly AnyCaseSpec[];
      readonly abort: AbortMode;
      readonly then: FollowUp | null;
    }
  | { readonly kind: 'trySend' | 'tryRecv'; readonly ch: number }
  | { readonly kind: 'close'; readonly ch: number; readonly withError: boolean }
  | { readonly kind: 'select'; readonly cases: readonly AnyCaseSpec[]; readonly abort: AbortMode }
  | { readonly kind: 'trySelect'; readonly cases: readonly AnyCaseSpec[] }
  /** `for await (const v of range(ch, ...))`, leaving the loop after `max` values. */
  | {
      readonly kind: 'range';
      readonly ch: number;
      readonly max: number;
      readonly abort: AbortMode;
    };

/**
 * How an actor runs: a plain async function (its blocking ops take an AbortSignal), an async
 * goroutine (`go(async (ctx) => ...)`: its blocking ops are bound to it with `ch.recv(ctx)`), or a
 * generator goroutine (`go(function* () {...})`: it yields each op, a kill stops it at the yield).
 * The scheduler may kill a goroutine actor while it is parked.
 */
export type ActorKind = 'plain' | 'async' | 'generator';

export interface Program {
  /** Capacity of each channel `c0`, `c1`, ... */
  readonly capacities: readonly number[];
  /** Promises `p0`, `p1`, ... for `recv(promise)` cases, and how the scheduler settles each. */
  readonly promises: readonly ('resolve' | 'reject')[];
  /** The op list of each actor `a0`, `a1`, ... */
  readonly actors: readonly (readonly OpSpec[])[];
  /** How each actor runs (missing entries: 'plain'). */
  readonly kinds: readonly ActorKind[];
  /**
   * Scheduler choices: step `k` performs move `picks[k] % (number of possible moves)`. Past the
   * end of `picks`, choices come from a generator seeded by `seed`, so long runs keep varying
   * their interleavings (shrinking still shortens `picks` first).
   */
  readonly picks: readonly number[];
  /** Seed of `Math.random` (select's choice among ready cases). */
  readonly seed: number;
}

export const CAPACITIES = [0, 1, 3, Infinity] as const;

const MAX_CHANNELS = 3;

const abortMode: fc.Arbitrary<AbortMode> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('never' as const) },
  { weight: 2, arbitrary: fc.constant('while-parked' as const) },
  { weight: 1, arbitrary: fc.constant('before' as const) },
);

// Channel indices are drawn from 0..MAX_CHANNELS-1 and folded onto the real channel count once
// the whole program is known, so shrinking the channel list never invalidates an op.
const chIndex = fc.nat({ max: MAX_CHANNELS - 1 });

const MAX_PROMISES = 2;

const caseSpec: fc.Arbitrary<AnyCaseSpec> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      dir: fc.constantFrom<'recv' | 'send'>('recv', 'send'),
      ch: fc.option(chIndex, { freq: 6, nil: null }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      dir: fc.constant('promise' as const),
      p: fc.nat({ max: MAX_PROMISES - 1 }),
    }),
  },
);

const cases = fc.array(caseSpec, { minLength: 1, maxLength: 4 });

const followUp: fc.Arbitrary<FollowUp | null> = fc.option(
  fc.record({ kind: fc.constantFrom<'trySend' | 'tryRecv'>('trySend', 'tryRecv'), ch: chIndex }),
  { freq: 2, nil: null },
);

const opSpec: fc.Arbitrary<OpSpec> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('send' as const), ch: chIndex, abort: abortMode }),
  },
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('recv' as const), ch: chIndex, abort: abortMode }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('trySend' as const), ch: chIndex }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tryRecv' as const), ch: chIndex }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('close' as const),
      ch: chIndex,
      withError: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('select' as const), cases, abort: abortMode }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('trySelect' as const), cases }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('range' as const),
      ch: chIndex,
      max: fc.integer({ min: 1, max: 3 }),
      abort: abortMode,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('recvCallback' as const),
      ch: chIndex,
      abort: abortMode,
      then: followUp,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('selectCallback' as const),
      cases,
      abort: abortMode,
      then: followUp,
    }),
  },
);

function foldCase(c: AnyCaseSpec, n: number, promises: number): AnyCaseSpec {
  if (c.dir !== 'promise') return { ...c, ch: c.ch === null ? null : c.ch % n };
  return promises === 0 ? { dir: 'recv', ch: null } : { ...c, p: c.p % promises };
}

function fold(op: OpSpec, n: number, promises: number): OpSpec {
  const then = 'then' in op && op.then !== null ? { then: { ...op.then, ch: op.then.ch % n } } : {};
  if (op.kind === 'select' || op.kind === 'trySelect' || op.kind === 'selectCallback') {
    const folded = op.cases.map((c) => foldCase(c, n, promises));
    return { ...op, cases: folded, ...then };
  }
  return { ...op, ch: op.ch % n, ...then };
}

const showAbort = (abort: AbortMode): string => (abort === 'never' ? '' : ` (abort ${abort})`);
const showThen = (then: FollowUp | null): string =>
  then === null ? '' : ` then ${then.kind} c${then.ch}`;

/** Readable form of a select case, e.g. `recv c1`, `send nil`. */
export function showCase(c: AnyCaseSpec): string {
  if (c.dir === 'promise') return `recv p${c.p}`;
  return `${c.dir} ${c.ch === null ? 'nil' : `c${c.ch}`}`;
}

/** Readable form of an op, e.g. `send c0 (abort while-parked)`, `select[recv c0, send nil]`. */
export function showOp(op: OpSpec): string {
  switch (op.kind) {
    case 'send':
    case 'recv':
      return `${op.kind} c${op.ch}${op.abort === 'never' ? '' : ` (abort ${op.abort})`}`;
    case 'trySend':
    case 'tryRecv':
      return `${op.kind} c${op.ch}`;
    case 'close':
      return `close c${op.ch}${op.withError ? ' with error' : ''}`;
    case 'select':
      return `select[${op.cases.map(showCase).join(', ')}]${op.abort === 'never' ? '' : ` (abort ${op.abort})`}`;
    case 'trySelect':
      return `trySelect[${op.cases.map(showCase).join(', ')}]`;
    case 'range':
      return `range c${op.ch} (up to ${op.max})${showAbort(op.abort)}`;
    case 'recvCallback':
      return `recvCallback c${op.ch}${showThen(op.then)}${showAbort(op.abort)}`;
    case 'selectCallback':
      return `selectCallback[${op.cases.map(showCase).join(', ')}]${showThen(op.then)}${showAbort(op.abort)}`;
  }
}

const showKind = (kind: ActorKind | undefined): string =>
  kind === undefined || kind === 'plain' ? '' : ` (${kind} goroutine)`;

/** Multi-line description printed by fast-check for a counterexample. */
export function showProgram(p: Program): string {
  const lines = [
    `channels: ${p.capacities.map((c, i) => `c${i} cap ${c}`).join(', ')}` +
      (p.promises.length === 0
        ? ''
        : `; promises: ${p.promises.map((o, i) => `p${i} ${o}s`).join(', ')}`),
    ...p.actors.map(
      (ops, i) =>
        `a${i}${showKind(p.kinds[i])}: ${ops.length === 0 ? '(nothing)' : ops.map(showOp).join('; ')}`,
    ),
    `picks: [${p.picks.join(', ')}], seed: ${p.seed}`,
  ];
  return `\n  ${lines.join('\n  ')}`;
}

/** Gives `program` the readable form fast-check prints in a counterexample. */
export function printable(program: Program): Program {
  return Object.assign(program, { [fc.toStringMethod]: () => showProgram(program) });
}

/** A random program: 1-3 channels, 3-5 actors (plain or goroutines) of up to `maxOps` ops each. */
export function programArb(maxOps = 8): fc.Arbitrary<Program> {
  return fc
    .record({
      capacities: fc.array(fc.constantFrom(...CAPACITIES), {
        minLength: 1,
        maxLength: MAX_CHANNELS,
      }),
      promises: fc.array(fc.constantFrom<'resolve' | 'reject'>('resolve', 'reject'), {
        maxLength: MAX_PROMISES,
      }),
      actors: fc.array(fc.array(opSpec, { maxLength: maxOps }), { minLength: 3, maxLength: 5 }),
      kinds: fc.array(
        fc.oneof(
          { weight: 2, arbitrary: fc.constant<ActorKind>('plain') },
          { weight: 1, arbitrary: fc.constant<ActorKind>('async') },
          { weight: 1, arbitrary: fc.constant<ActorKind>('generator') },
        ),
        { maxLength: 5 },
      ),
      picks: fc.array(fc.nat({ max: 99 }), { maxLength: 5 * maxOps * 2 }),
      seed: fc.integer(),
    })
    .map((raw) => {
      const n = raw.capacities.length;
      const program: Program = {
        ...raw,
        actors: raw.actors.map((ops) => ops.map((op) => fold(op, n, raw.promises.length))),
      };
      return printable(program);
    });
}
