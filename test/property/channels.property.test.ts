// Property-based tests: random programs of channel operations across concurrent actors, checked
// against a reference model (program-runner.ts), and random selects over several ready cases
// (select-scene.ts). fast-check drives every choice, including select's random pick (seeded), so
// a failure shrinks to a small program and its trace, and replays from the printed seed.
// PROPERTY_RUNS=<n> overrides every run count (test/helpers/property-runs.ts), for a longer bug hunt.
import { afterEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { chan, recv, send, trySelect, type SelectCase } from 'gorx';
import { expectNothingLeft } from '../helpers/leaks.js';
import { propertyRuns } from '../helpers/property-runs.js';
import { runProgram } from './program-runner.js';
import { printable, programArb, type Program } from './random-program.js';
import { runSelectScene, selectSceneArb } from './select-scene.js';
import { withSeededRandom } from './seeded-random.js';

afterEach(() => expectNothingLeft());

/**
 * Programs that once broke gorx, replayed before the random ones. Each names the bug it caught.
 */
const regressions: Program[] = [
  // A promise settling notified every select waiting on it, even one that a callback-mode select
  // notified earlier in the same loop had already completed through a channel (its follow-up
  // trySend): the second select was settled twice ("cb is not a function") and its unpark ran
  // twice, dropping unrelated ops from the parked list.
  printable({
    capacities: [0, 0],
    promises: ['resolve'],
    actors: [
      [
        {
          kind: 'selectCallback',
          cases: [{ dir: 'promise', p: 0 }],
          abort: 'never',
          then: { kind: 'trySend', ch: 0 },
        },
      ],
      [
        {
          kind: 'selectCallback',
          cases: [
            { dir: 'promise', p: 0 },
            { dir: 'recv', ch: 0 },
          ],
          abort: 'never',
          then: null,
        },
      ],
      [{ kind: 'recv', ch: 1, abort: 'never' }],
    ],
    kinds: [],
    picks: [0, 0, 0, 0],
    seed: 0,
  }),
];

describe('channels under random concurrent programs', () => {
  it(
    'no value is received twice, lost or invented; channels are FIFO; close, abort and ' +
      'select keep their contracts; len <= cap at every step; nothing stays parked',
    async () => {
      await fc.assert(fc.asyncProperty(programArb(), runProgram), {
        numRuns: propertyRuns(500),
        examples: regressions.map((p) => [p]),
      });
    },
    600_000,
  );
});

describe('select with several ready cases', () => {
  it('commits exactly one case: every other channel, waiting sender and waiting receiver is untouched', async () => {
    await fc.assert(fc.asyncProperty(selectSceneArb(), runSelectScene), {
      numRuns: propertyRuns(500),
    });
  }, 600_000);
});

/** A case that is never ready: nil, a receive on an empty channel, a send on a full one. */
type Idle = 'recv nil' | 'recv empty' | 'send full';

const fairnessScene = fc.record({
  cases: fc
    .array(
      fc.oneof(
        fc.constant('ready' as const),
        fc.constantFrom<Idle>('recv nil', 'recv empty', 'send full'),
      ),
      {
        minLength: 2,
        maxLength: 6,
      },
    )
    .filter((cs) => cs.filter((c) => c === 'ready').length >= 2),
  seed: fc.integer(),
});

describe('select fairness', () => {
  it('picks among the ready cases at random: each wins a fair share, a case that is not ready never does', async () => {
    await fc.assert(
      fc.asyncProperty(fairnessScene, ({ cases, seed }) =>
        withSeededRandom(seed, async () => {
          // A send to an unbounded channel is always ready, and its length counts its wins.
          const chans = cases.map((c) =>
            chan<number>(c === 'ready' ? Infinity : c === 'send full' ? 1 : 0),
          );
          cases.forEach((c, i) => {
            if (c === 'send full') chans[i]!.trySend(-1);
          });
          const built: SelectCase[] = cases.map((c, i) =>
            c === 'ready'
              ? send(chans[i]!, i)
              : c === 'recv nil'
                ? recv(null)
                : c === 'recv empty'
                  ? recv(chans[i]!)
                  : send(chans[i]!, i),
          );
          const ready = cases.filter((c) => c === 'ready').length;
          const rounds = 200 * ready;
          let notReadyWins = 0;
          for (let k = 0; k < rounds; k++) {
            const r = trySelect(built);
            if (r === undefined || cases[r.index] !== 'ready') notReadyWins++;
          }
          expect(notReadyWins).toBe(0);
          cases.forEach((c, i) => {
            const n = chans[i]!.length;
            // 200 expected wins; 100 is 7 standard deviations away, so a fair pick never fails.
            if (c === 'ready') expect(n).toBeGreaterThanOrEqual(100);
            else expect(n).toBe(c === 'send full' ? 1 : 0);
          });
        }),
      ),
      { numRuns: propertyRuns(100) },
    );
  }, 600_000);
});
