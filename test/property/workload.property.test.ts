// A seeded random workload, model-checked: producers (async and generator goroutines counted by a
// WaitGroup) feed a job channel that a closer closes once they are all done; consumers of every
// kind take from it (a Group of range loops, select loops and generator receivers; a plain loop
// with its own AbortSignal; fromChannel with take(n); fromChannelGo; a goroutine ranging over
// toChannel(fromChannel(jobs))), while a seeded chaos script
// kills producers and consumers, aborts the plain loop and unsubscribes the Observables at
// random virtual times. The model is the ledger of values: every value whose send completed is
// seen by exactly one consumer's code or is still in the channel at the end, no value is seen
// twice or invented, every kill() resolves, no unhandled rejection, nothing is left behind.
//
// `npm test` runs it briefly; PROPERTY_RUNS=<n> runs it long. A failure prints the seed, which
// replays the same workload (every choice comes from it).
import { afterEach, beforeEach, describe, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { take, type Subscription } from 'rxjs';
import {
  ChannelClosedError,
  Group,
  GoroutineExit,
  WaitGroup,
  chan,
  go,
  range,
  recv,
  select,
  sleep,
  type Chan,
  type Goroutine,
} from 'gorx';
import { fromChannel, fromChannelGo, toChannel } from 'gorx/rxjs';
import { expectNothingLeft } from '../helpers/leaks.js';
import { propertyRuns } from '../helpers/property-runs.js';
import { flush, macrotask } from '../helpers/turns.js';
import { watchUnhandled } from '../goroutines/support.js';
import { seededRandom } from './seeded-random.js';

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
});
afterEach(() => {
  try {
    expectNothingLeft();
  } finally {
    jest.useRealTimers();
  }
});

type ConsumerKind =
  'range' | 'select' | 'generator' | 'plain' | 'fromChannel' | 'fromChannelGo' | 'toChannel';
const KINDS: ConsumerKind[] = [
  'range',
  'select',
  'generator',
  'plain',
  'fromChannel',
  'fromChannelGo',
  'toChannel',
];

/** What the workload saw; checked against the model at the end. */
class Ledger {
  /** Values offered by producers (their send started). */
  readonly attempted = new Set<string>();
  /** Values whose send completed, as the producer's code saw it. */
  readonly sent = new Set<string>();
  /** Value -> the consumer whose code saw it. */
  readonly seen = new Map<string, string>();
  readonly problems: string[] = [];
  readonly log: string[] = [];

  see(v: string, who: string): void {
    this.log.push(`${who} <- ${v}`);
    const before = this.seen.get(v);
    if (before !== undefined) this.problems.push(`${v} seen twice: by ${before} and ${who}`);
    if (!this.attempted.has(v)) this.problems.push(`${who} saw ${v}, which nobody sent`);
    this.seen.set(v, who);
  }
}

async function runWorkload(seed: number): Promise<void> {
  const rnd = seededRandom(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const capacity = [0, 1, 3, Infinity][int(4)]!;
  const jobs = chan<string>(capacity, { name: 'jobs' });
  const ledger = new Ledger();
  const unhandled = watchUnhandled();
  const killable: { name: string; g: Goroutine<unknown> }[] = [];
  const kills: Promise<void>[] = [];
  const teardowns: (() => void)[] = [];

  // Producers, counted by a WaitGroup; the closer closes the channel once they are all done.
  const wg = new WaitGroup();
  const producers = 1 + int(3);
  for (let i = 0; i < producers; i++) {
    const values = Array.from({ length: 1 + int(6) }, (_, k) => `p${i}.${k}`);
    const pauses = values.map(() => int(3));
    wg.add(1);
    const g =
      int(2) === 0
        ? go(
            async (ctx) => {
              try {
                for (let k = 0; k < values.length; k++) {
                  await sleep(pauses[k]!, ctx);
                  ledger.attempted.add(values[k]!);
                  await jobs.send(values[k]!, ctx);
                  ledger.sent.add(values[k]!);
                }
              } finally {
                wg.done();
              }
            },
            { name: `p${i}` },
          )
        : go(
            function* () {
              try {
                for (let k = 0; k < values.length; k++) {
                  yield sleep(pauses[k]!);
                  ledger.attempted.add(values[k]!);
                  yield jobs.send(values[k]!);
                  ledger.sent.add(values[k]!);
                }
              } finally {
                wg.done();
              }
            },
            { name: `p${i}` },
          );
    g.done.catch(() => {});
    killable.push({ name: `p${i}`, g });
  }
  const closer = go(
    async (ctx) => {
      await wg.wait(ctx);
      jobs.close();
    },
    { name: 'closer' },
  );
  closer.done.catch(() => {});

  // Consumers.
  const group = new Group();
  const consumers = 1 + int(4);
  const plainAborts: AbortController[] = [];
  const plainLoops: Promise<void>[] = [];
  /** toChannel(fromChannel(jobs)) bridges: values in them are still in a channel. */
  const bridges: Chan<string>[] = [];
  for (let j = 0; j < consumers; j++) {
    const who = `c${j}`;
    const kind = KINDS[int(KINDS.length)]!;
    const pause = int(3);
    switch (kind) {
      case 'range':
        killable.push({
          name: who,
          g: group.go(
            async (ctx) => {
              for await (const v of range(jobs, ctx)) {
                ledger.see(v, who);
                await sleep(pause, ctx);
              }
            },
            { name: who },
          ),
        });
        break;
      case 'select': {
        const quiet = chan<never>(); // never ready: a second case the select must not take from
        killable.push({
          name: who,
          g: group.go(
            async (ctx) => {
              for (;;) {
                const r = await select([recv(jobs), recv(quiet)], ctx);
                if (!r.ok) return;
                ledger.see(r.value as string, who);
                await sleep(pause, ctx);
              }
            },
            { name: who },
          ),
        });
        break;
      }
      case 'generator':
        killable.push({
          name: who,
          g: group.go(
            function* () {
              for (;;) {
                let v: string;
                try {
                  v = (yield jobs.recv()) as string;
                } catch (e) {
                  if (e instanceof ChannelClosedError) return;
                  throw e;
                }
                ledger.see(v, who);
                yield sleep(pause);
              }
            },
            { name: who },
          ),
        });
        break;
      case 'plain': {
        const ac = new AbortController();
        plainAborts.push(ac);
        plainLoops.push(
          (async () => {
            try {
              for await (const v of range(jobs, { signal: ac.signal })) ledger.see(v, who);
            } catch (e) {
              if (e !== ac.signal.reason) ledger.problems.push(`${who} failed: ${String(e)}`);
            }
          })(),
        );
        break;
      }
      case 'fromChannel': {
        const n = 1 + int(4);
        const sub: Subscription = fromChannel(jobs)
          .pipe(take(n))
          .subscribe({
            next: (v) => ledger.see(v, who),
            error: (e: unknown) => ledger.problems.push(`${who} errored: ${String(e)}`),
          });
        teardowns.push(() => sub.unsubscribe());
        break;
      }
      case 'toChannel': {
        // Round trip through RxJS: fromChannel into an unbounded toChannel, ranged by a goroutine.
        const bridge = toChannel(fromChannel(jobs), {
          overflow: 'unbounded',
          name: `${who}-bridge`,
        });
        bridges.push(bridge);
        killable.push({
          name: who,
          g: group.go(
            async (ctx) => {
              for await (const v of range(bridge, ctx)) {
                ledger.see(v, who);
                await sleep(pause, ctx);
              }
            },
            { name: who },
          ),
        });
        break;
      }
      case 'fromChannelGo': {
        const sub = fromChannelGo(
          jobs,
          async (v, ctx) => {
            ledger.see(v, who);
            await sleep(pause, ctx);
            return v;
          },
          { concurrency: 1 + int(2) },
        ).subscribe({
          error: (e: unknown) => ledger.problems.push(`${who} errored: ${String(e)}`),
        });
        teardowns.push(() => sub.unsubscribe());
        break;
      }
    }
  }
  const groupDone = group.wait().then(
    () => 'ok',
    (e: unknown) => (e instanceof GoroutineExit ? 'killed' : `failed: ${String(e)}`),
  );

  // Chaos: kills, aborts, unsubscribes at random virtual times.
  const events = 1 + int(5);
  for (let e = 0; e < events; e++) {
    await jest.advanceTimersByTimeAsync(int(6));
    const what = int(3);
    if (what === 0 && killable.length > 0) {
      const victim = killable[int(killable.length)]!;
      ledger.log.push(`kill ${victim.name}`);
      kills.push(victim.g.kill());
    } else if (what === 1 && plainAborts.length > 0) {
      ledger.log.push('abort a plain loop');
      plainAborts[int(plainAborts.length)]!.abort(new Error('aborted'));
    } else if (teardowns.length > 0) {
      ledger.log.push('unsubscribe an Observable consumer');
      teardowns[int(teardowns.length)]!();
    }
  }
  await jest.advanceTimersByTimeAsync(100);

  // The end: stop whatever still runs, then account for every value.
  for (const { g } of killable) kills.push(g.kill());
  for (const ac of plainAborts) ac.abort(new Error('aborted'));
  for (const t of teardowns) t();
  await jest.advanceTimersByTimeAsync(10);
  await Promise.all(kills);
  await Promise.all(plainLoops);
  const groupOutcome = await groupDone;
  await closer.kill();
  await flush();
  const rest: string[] = [];
  for (const ch of [jobs, ...bridges]) {
    if (!ch.closed) ch.close(); // a bridge's close unsubscribes its fromChannel
    for (let r = ch.tryRecv(); r.ok; r = ch.tryRecv()) rest.push(r.value);
  }
  await macrotask();
  unhandled.stop();

  const problems = [...ledger.problems];
  if (!['ok', 'killed'].includes(groupOutcome)) problems.push(`group.wait(): ${groupOutcome}`);
  for (const v of rest) {
    if (ledger.seen.has(v))
      problems.push(`${v} was seen by ${ledger.seen.get(v)} and is still in the channel`);
    if (!ledger.attempted.has(v)) problems.push(`${v} is in the channel but nobody sent it`);
  }
  for (const v of ledger.sent) {
    if (!ledger.seen.has(v) && !rest.includes(v))
      problems.push(`${v} was sent (the send completed) but is lost`);
  }
  if (unhandled.reasons.length > 0) {
    problems.push(`unhandled rejections: ${unhandled.reasons.map(String).join(', ')}`);
  }
  if (problems.length > 0) {
    throw new Error(
      `seed ${seed} (capacity ${capacity}):\n${problems.join('\n')}\n--- log ---\n${ledger.log.join('\n')}` +
        `\nleft in the channel: [${rest.join(' ')}]`,
    );
  }
}

describe('a random workload of goroutines, kills, aborts, closes, selects, WaitGroup, Group and adapters', () => {
  it('no value whose send completed is lost, none is seen twice or invented; every kill resolves; no unhandled rejection; nothing is left', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), (seed) => runWorkload(seed)),
      { numRuns: propertyRuns(60) },
    );
  }, 600_000);
});
