/**
 * `npm run bench`: gorx against ts-chan, js-csp, Effect, Effection and Go's own channels.
 *
 * Options (argv, or env):
 *   --quick            (BENCH_QUICK=1)      a fast smoke run: few rounds, small chains
 *   --only <a,b>       (BENCH_ONLY=a,b)     only these benchmarks (chan_sync, select, spawn,
 *                                           daisy_chain, blocked, ...); prefix match
 *   --rounds <k>       (BENCH_ROUNDS=k)     measured rounds (a channel benchmark's are shared out
 *                                           among its processes, rounded up)
 *   --goroutine-rounds <k> (BENCH_GOROUTINE_ROUNDS=k)  measured rounds of spawn/kill (default:
 *                                           --rounds; Effection's rounds take seconds each)
 *   --no-go            (BENCH_NO_GO=1)      skip the Go reference
 * Writes the markdown report to stdout and to bench/results.md; a partial run (--only, --quick,
 * --rounds, --goroutine-rounds) writes bench/results-partial.md instead (not committed), so the
 * committed results.md is always a whole run.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild } from './child-benches.js';
import { gorxChannelCases } from './gorx-channels.js';
import { goroutineCases } from './goroutine-cases.js';
import { goReference } from './go-reference.js';
import { type Case, Results, roundRobin, type Sample } from './harness.js';
import { peerChannelCases } from './peer-channels.js';
import { floorCases } from './floor.js';
import { floorSelectCases } from './floor-select.js';
import { CHANNEL_BENCHES, renderReport } from './report.js';

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..', '..');
const argv = process.argv.slice(2);

function option(name: string, env: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  return process.env[env];
}

function flag(name: string, env: string): boolean {
  return argv.includes(`--${name}`) || (process.env[env] ?? '') === '1';
}

const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

async function main(): Promise<void> {
  if (argv[0] === '--child' && argv[1] === 'channels') {
    await channelChild(argv[2]!, Number(argv[3]));
    return;
  }
  if (argv[0] === '--child' && argv[1] === 'goroutines') {
    await goroutineChild(argv[2]!, Number(argv[3]));
    return;
  }
  if (argv[0] === '--child') {
    await runChild(argv[1]!, argv[2]!, Number(argv[3]));
    return;
  }
  const quick = flag('quick', 'BENCH_QUICK');
  const only = option('only', 'BENCH_ONLY')
    ?.split(',')
    .filter((s) => s !== '');
  const wanted = (bench: string): boolean =>
    only === undefined || only.some((o) => bench.startsWith(o));
  const n = 10_000;
  const warmup = quick ? 1 : 5;
  const roundsOption = option('rounds', 'BENCH_ROUNDS');
  const goroutineRoundsOption = option('goroutine-rounds', 'BENCH_GOROUTINE_ROUNDS');
  const rounds = Number(roundsOption ?? (quick ? 3 : 31));
  const goroutineRounds = Number(goroutineRoundsOption ?? rounds);
  const daisyN = quick ? 10_000 : 100_000;
  const daisyRounds = quick ? 1 : 5;
  const blockedSizes = quick ? [10_000] : [100_000, 1_000_000];

  const loadStart = loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  const go = flag('no-go', 'BENCH_NO_GO') ? null : goReference(root, log);
  const results = new Results();

  // The channel benchmarks: each in processes of its own (`channelProcesses` per benchmark, each
  // `warmup` + a share of `rounds` rounds), every implementation of it interleaved round-robin
  // in each. One process for all of them made every result depend on what else ran there: V8
  // shares type feedback and optimised code between the closures of one function literal (the
  // capacities of a receive loop, for instance), and the same build measured gorx's chan_sync at
  // 1.08x the floor in one whole run and 1.53x in the next (docs/benchmarks.md, session 7).
  // Several processes per benchmark show how far one process's verdict is from another's.
  const channelBenches = CHANNEL_BENCHES.filter(wanted);
  const channelProcesses = quick ? 1 : 3;
  const channelPerProcess = Math.max(1, Math.ceil(rounds / channelProcesses));
  if (channelBenches.length > 0) {
    log(
      `channel benchmarks: ${channelBenches.join(', ')}; n=${n}; ${channelProcesses} process(es) x ${channelPerProcess} rounds per benchmark`,
    );
    for (let p = 0; p < channelProcesses; p++) {
      for (const bench of channelBenches) {
        const out = child('channels', bench, n, {
          BENCH_CHILD_WARMUP: String(warmup),
          BENCH_CHILD_ROUNDS: String(channelPerProcess),
        }) as unknown as { samples: Sample[] };
        for (const s of out.samples) results.add({ ...s, proc: p });
      }
      // Go's channels, as many rounds as each benchmark ran in this process round.
      for (let r = 0; go !== null && r < channelPerProcess; r++) {
        for (const s of go.round(n)) if (channelBenches.includes(s.bench)) results.add(s);
      }
      log(`channel process round ${p + 1}/${channelProcesses}`);
    }
  }

  // The goroutine lifecycle benchmarks (spawn, kill): each implementation in processes of its own.
  // A sample leaves tens of thousands of dead goroutines/fibers whose collection is billed to
  // whatever runs next, and one implementation's heap shapes the next one's GC: in one shared
  // process the kill ratio swung from 0.56x to 0.97x depending on which rows ran before it. So
  // `goroutineProcesses` processes per implementation, started in rotating order, each run
  // `warmup` + a share of `goroutineRounds` rounds; samples are paired by process and round.
  // Each benchmark has processes of its own too: a kill round's setup (10,000 blocked goroutines,
  // untimed) allocated about a young generation's worth, so in a process shared with spawn rounds
  // it triggered the scavenges that the spawns' own garbage had brought near, and spawn windows
  // were timed with their collections billed to the kill setup.
  const goroutineBenches = ['spawn', 'kill'].filter(wanted);
  const processes = quick ? 1 : 5;
  const perProcess = Math.max(1, Math.ceil(goroutineRounds / processes));
  if (goroutineBenches.length > 0) {
    const impls = [...new Set(goroutineCases().map((c) => c.impl))];
    log(
      `goroutine benchmarks: ${goroutineBenches.join(', ')}; ${processes} process(es) x ${perProcess} rounds per implementation`,
    );
    for (let p = 0; p < processes; p++) {
      for (const bench of goroutineBenches) {
        for (let k = 0; k < impls.length; k++) {
          const impl = impls[(k + p) % impls.length]!;
          const out = child('goroutines', impl, n, {
            BENCH_CHILD_BENCHES: bench,
            BENCH_CHILD_WARMUP: String(warmup),
            BENCH_CHILD_ROUNDS: String(perProcess),
          }) as unknown as { samples: Sample[] };
          for (const s of out.samples) results.add(s);
        }
      }
      // Go's spawn and kill, as many rounds as each implementation ran in this process round.
      for (let r = 0; go !== null && r < perProcess; r++) {
        for (const s of go.round(n)) if (goroutineBenches.includes(s.bench)) results.add(s);
      }
      log(`goroutine process round ${p + 1}/${processes}`);
    }
  }

  if (wanted('daisy_chain')) {
    const impls = ['gorx idiomatic', 'gorx fast-path', 'gorx go(async)', 'gorx go(generator)'];
    impls.push('ts-chan', 'js-csp', 'Effect Queue');
    for (let r = 0; r < daisyRounds; r++) {
      for (let k = 0; k <= impls.length; k++) {
        const impl = k === impls.length ? 'go' : impls[(k + r) % impls.length]!;
        const o =
          impl === 'go' ? (go?.single('daisy', daisyN) ?? null) : child('daisy', impl, daisyN);
        if (o !== null) {
          results.add({ bench: 'daisy_chain', impl, value: o.ms!, bytesPerG: o.bytesPerG });
        }
      }
      log(`daisy chain round ${r + 1}/${daisyRounds}`);
    }
  }

  if (wanted('blocked')) {
    for (const size of blockedSizes) {
      const bench = `blocked_${size >= 1e6 ? `${size / 1e6}M` : `${size / 1e3}k`}`;
      const impls = [
        'gorx go(async), recv(ctx)',
        'gorx go(async), ctx.signal',
        'gorx go(async), unbound',
        'gorx go(generator)',
      ];
      if (size <= 100_000) impls.push('Effection spawn', 'Effect fork');
      for (const impl of impls) {
        const o = child('blocked', impl, size);
        results.add({ bench, impl, value: 0, heapPerG: o.heapPerG, bytesPerG: o.bytesPerG });
      }
      const g = go?.single('blocked', size) ?? null;
      if (g !== null) {
        results.add({ bench, impl: 'go', value: 0, heapPerG: g.bytesPerG, bytesPerG: g.rssPerG });
      }
      log(`${bench} done`);
    }
  }

  // gorx/threads: its own section (threads and piscina in one process, see bench/threads).
  let threadsSection = '';
  if (wanted('threads')) {
    log('threads benchmarks');
    const r = spawnSync(process.execPath, [join(dirname(self), 'threads', 'index.js')], {
      encoding: 'utf8',
      env: { ...process.env, BENCH_QUICK: quick ? '1' : '' },
      timeout: 10 * 60_000,
    });
    // A failed child fails the run (no report without its section).
    if (r.status !== 0) {
      throw new Error(
        `threads benchmarks failed (status ${r.status}): ${r.stderr?.slice(0, 2000)}`,
      );
    }
    threadsSection = `\n${r.stdout}\n`;
  }

  const report =
    renderReport(results, {
      load: `${loadStart} at start, ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} at end`,
      node: process.version,
      go: go?.version ?? null,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
      n,
      rounds,
      channelProcesses,
      channelRounds: channelPerProcess,
      goroutineRounds: perProcess,
      goroutineProcesses: processes,
      warmup,
      daisyN,
      daisyRounds,
      date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    }) + threadsSection;
  process.stdout.write(report);
  const partial =
    only !== undefined ||
    quick ||
    roundsOption !== undefined ||
    goroutineRoundsOption !== undefined;
  const file = partial ? 'results-partial.md' : 'results.md';
  writeFileSync(join(root, 'bench', file), report);
  log(`written to bench/${file}`);
}

/**
 * Runs one whole-process benchmark in a fresh Node with `--expose-gc`. A failed child (a wrong
 * result, a crash, a timeout) fails the whole run: no figure is published without its cell.
 */
function child(
  kind: string,
  impl: string,
  size: number,
  env: Record<string, string> = {},
): Record<string, number> {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=8192', self, '--child', kind, impl, String(size)],
    { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 10 * 60_000, env: { ...process.env, ...env } },
  );
  const line = r.stdout?.split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || line === undefined) {
    throw new Error(
      `${kind} ${impl} n=${size} failed (status ${r.status}, signal ${r.signal}): ${r.stderr?.slice(0, 2000)}`,
    );
  }
  return JSON.parse(line) as Record<string, number>;
}

/** A channel-benchmark child: every implementation of `bench` (the floors, gorx, the peers). */
async function channelChild(bench: string, n: number): Promise<void> {
  const cases = [
    ...floorCases(),
    ...floorSelectCases(),
    ...gorxChannelCases(),
    ...peerChannelCases(),
  ].filter((c) => c.bench === bench);
  if (cases.length === 0) throw new Error(`no channel benchmark named ${bench}`);
  await runChildCases(cases, n);
}

/** A goroutine-benchmark child: one implementation's spawn/kill cases (BENCH_CHILD_BENCHES). */
async function goroutineChild(impl: string, n: number): Promise<void> {
  const benches = (process.env.BENCH_CHILD_BENCHES ?? '').split(',');
  const cases = goroutineCases().filter((c) => c.impl === impl && benches.includes(c.bench));
  if (cases.length === 0) throw new Error(`no goroutine benchmark for ${impl} in ${benches}`);
  await runChildCases(cases, n);
}

/**
 * Runs a child's cases round-robin for BENCH_CHILD_WARMUP + BENCH_CHILD_ROUNDS rounds and prints
 * the measured samples as one JSON line. A wrong result throws, so the child fails and with it
 * the run.
 */
async function runChildCases(cases: readonly Case[], n: number): Promise<void> {
  const results = new Results();
  const warm = Number(process.env.BENCH_CHILD_WARMUP);
  const rounds = Number(process.env.BENCH_CHILD_ROUNDS);
  await roundRobin(cases, n, warm, rounds, results);
  const samples = [...results.data.values()].flatMap((byImpl) => [...byImpl.values()].flat());
  process.stdout.write(JSON.stringify({ samples }) + '\n');
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
