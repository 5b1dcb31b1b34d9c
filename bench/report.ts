/** Renders the results as markdown: a summary matrix, the detailed table and the issue targets. */
import { type Results, stats } from './harness.js';

export interface Facts {
  node: string;
  go: string | null;
  cpus: number;
  cpuModel: string;
  n: number;
  rounds: number;
  /** Processes per channel benchmark (each runs `channelRounds`). */
  channelProcesses: number;
  channelRounds: number;
  /** Measured rounds of the goroutine lifecycle group (spawn, kill). */
  goroutineRounds: number;
  /** Processes per implementation of the spawn/kill benchmarks (each runs goroutineRounds). */
  goroutineProcesses: number;
  warmup: number;
  daisyN: number;
  daisyRounds: number;
  date: string;
  /** Load averages (1, 5, 15 min): the machine may be shared. */
  load: string;
}

const fmt = (x: number | undefined, digits = 0): string =>
  x === undefined || !Number.isFinite(x)
    ? '–'
    : x >= 100
      ? Math.round(x).toLocaleString('en-US')
      : x.toFixed(digits === 0 ? 1 : digits);

const ratio = (x: number | undefined): string =>
  x === undefined || !Number.isFinite(x) ? '–' : `${x.toFixed(2)}x`;

/** Order of rows: the issue's benchmarks first, in the issue's order. */
const BENCH_ORDER = [
  'chan_sync',
  'chan_buff',
  'chan_async',
  'select',
  'select_default',
  'ping_pong',
  'spawn',
  'kill',
  'daisy_chain',
];

function orderedBenches(results: Results): string[] {
  const all = [...results.data.keys()];
  const known = BENCH_ORDER.filter((b) => all.includes(b));
  return [...known, ...all.filter((b) => !known.includes(b)).sort()];
}

const UNIT: Record<string, string> = { daisy_chain: 'ms (whole chain)' };

/** Cells not measured, and why (same code as another column, or results that fail the check). */
const SAME_CODE: Record<string, Record<string, string>> = {
  select_default: {
    'gorx fast-path': 'same code as idiomatic (`trySelect`)',
    'js-csp': 'wrong results (alts takes its own put)',
  },
  select: { 'js-csp': 'wrong results (alts takes its own put)' },
};

/** The floor each gorx style is divided by (issue 14 item 3). */
const FLOOR_OF: Record<string, string> = {
  'gorx idiomatic': 'floor',
  'gorx idiomatic + signal': 'floor',
  'gorx fast-path': 'floor fast-path',
};

/**
 * The selecting floor (floor-select.ts) of each floor: a reference beside the issue's floor for the
 * `select` benchmark only, which says what selecting itself costs (no target is judged against it).
 */
const SELECTING_FLOOR_OF: Record<string, string> = {
  floor: 'selecting floor',
  'floor fast-path': 'selecting floor fast-path',
};

/** select_default is synchronous in every style: its floor is the fast-path one. */
function floorFor(bench: string, impl: string): string | undefined {
  if (bench === 'select_default') return 'floor fast-path';
  return FLOOR_OF[impl];
}

/**
 * Every gorx channel row as a ratio to its floor (over all samples, and in each process), to the
 * selecting floor (`select` only; "–" in the other rows) and to Go, with the spread of its samples.
 */
export function renderFloorRatios(results: Results): string {
  const out = [
    '| benchmark | gorx style | median ns/op (IQR) | floor used | ÷ floor | ÷ floor, each process | ÷ selecting floor | ÷ Go |',
    '|---|---|---:|---|---:|---|---:|---:|',
  ];
  for (const bench of CHANNEL_BENCHES) {
    for (const impl of Object.keys(FLOOR_OF)) {
      const list = results.data.get(bench)?.get(impl);
      if (list === undefined || list.length === 0) continue;
      const st = stats(list.map((x) => x.value));
      const floorImpl = floorFor(bench, impl)!;
      const fl = results.median(bench, floorImpl);
      const go = results.median(bench, 'go');
      const sf = results.median(bench, SELECTING_FLOOR_OF[floorImpl] ?? '');
      out.push(
        `| ${bench} | ${impl} | ${fmt(st.median)} (${fmt(st.q1)}–${fmt(st.q3)}) | ${floorImpl} | ` +
          `${ratio(fl === undefined ? undefined : st.median / fl)} | ` +
          `${results.perProcessRatios(bench, impl, floorImpl).map(ratio).join(', ') || '–'} | ` +
          `${ratio(sf === undefined ? undefined : st.median / sf)} | ` +
          `${ratio(go === undefined ? undefined : st.median / go)} |`,
      );
    }
  }
  return out.join('\n');
}

/** One line per benchmark, one column per implementation: medians, with the ratio to Go. */
export function renderMatrix(
  results: Results,
  benches: readonly string[],
  columns: readonly string[],
): string {
  const present = (impl: string): boolean =>
    benches.some((b) => results.data.get(b)?.has(impl) === true);
  const cols = columns.filter(present);
  const rows = benches.filter((b) => results.data.has(b));
  if (rows.length === 0) return '';
  const out = [
    `| median ns/op (÷ Go) | ${cols.join(' | ')} |`,
    `|---|${cols.map(() => '---:').join('|')}|`,
  ];
  for (const bench of rows) {
    const go = results.median(bench, 'go');
    const cells = cols.map((impl) => {
      const m = results.median(bench, impl);
      if (m === undefined) return SAME_CODE[bench]?.[impl] ?? '–';
      return impl === 'go' || go === undefined ? fmt(m) : `${fmt(m)} (${ratio(m / go)})`;
    });
    out.push(`| ${bench} | ${cells.join(' | ')} |`);
  }
  return out.join('\n');
}

/** The channel benchmarks, in the report's order. */
export const CHANNEL_BENCHES = [
  'chan_sync',
  'chan_buff',
  'chan_async',
  'select',
  'select_default',
  'ping_pong',
];
const CHANNEL_IMPLS = [
  'go',
  'floor',
  'floor fast-path',
  'selecting floor',
  'selecting floor fast-path',
  'gorx idiomatic',
  'gorx idiomatic + signal',
  'gorx fast-path',
  'ts-chan',
  'js-csp',
  'Effect Queue',
];
const GOROUTINE_IMPLS = [
  'go',
  'gorx go(async)',
  'gorx go(generator)',
  'Effection spawn',
  'Effect fork',
];

const IMPL_ORDER = [
  ...CHANNEL_IMPLS,
  'gorx go(async)',
  'gorx go(async), recv(ctx)',
  'gorx go(async), ctx.signal',
  'gorx go(async), unbound',
  'gorx go(generator)',
  'Effection spawn',
  'Effect fork',
];

function sortImpls<V>(byImpl: Map<string, V>): [string, V][] {
  const rank = (impl: string): number => {
    const i = IMPL_ORDER.indexOf(impl);
    return i < 0 ? IMPL_ORDER.length : i;
  };
  return [...byImpl].sort((a, b) => rank(a[0]) - rank(b[0]));
}

export function renderTables(results: Results): string {
  const out: string[] = [];
  out.push(
    '| benchmark | implementation | median | IQR (q1–q3) | min | max | ÷ Go | ts-chan ÷ this |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const bench of orderedBenches(results)) {
    if (bench.startsWith('blocked_')) continue;
    const byImpl = results.data.get(bench)!;
    const go = results.median(bench, 'go');
    const ts = results.median(bench, 'ts-chan');
    for (const [impl, samples] of sortImpls(byImpl)) {
      const s = stats(samples.map((x) => x.value));
      const unit = UNIT[bench] ?? 'ns/op';
      out.push(
        `| ${bench} (${unit}) | ${impl} | ${fmt(s.median)} | ${fmt(s.q1)}–${fmt(s.q3)} | ` +
          `${fmt(s.min)} | ${fmt(s.max)} | ` +
          `${impl === 'go' ? '1.00x' : ratio(go === undefined ? undefined : s.median / go)} | ` +
          `${ratio(ts === undefined ? undefined : ts / s.median)} |`,
      );
    }
  }
  return out.join('\n');
}

/** Memory per goroutine: daisy chain peak RSS and blocked goroutines' heap and RSS. */
export function renderMemory(results: Results): string {
  const out: string[] = [
    '| benchmark | implementation | heap bytes / goroutine | RSS bytes / goroutine |',
    '|---|---|---:|---:|',
  ];
  for (const bench of orderedBenches(results)) {
    if (bench !== 'daisy_chain' && !bench.startsWith('blocked_')) continue;
    for (const [impl, samples] of sortImpls(results.data.get(bench)!)) {
      const heap = samples.map((s) => s.heapPerG).filter((x): x is number => x !== undefined);
      const rss = samples.map((s) => s.bytesPerG).filter((x): x is number => x !== undefined);
      const label = bench === 'daisy_chain' ? 'daisy_chain (peak RSS)' : bench;
      out.push(
        `| ${label} | ${impl} | ${heap.length > 0 ? fmt(stats(heap).median) : '–'} | ` +
          `${rss.length > 0 ? fmt(stats(rss).median) : '–'} |`,
      );
    }
  }
  return out.join('\n');
}

interface Target {
  text: string;
  met: boolean | undefined;
}

/** The targets of issues 2, 3 and 14, checked against this run's medians. */
export function checkTargets(results: Results): Target[] {
  const t: Target[] = [];
  const vsGo = (bench: string, impl: string, limit: number): void => {
    const m = results.median(bench, impl);
    const go = results.median(bench, 'go');
    const r = m !== undefined && go !== undefined ? m / go : undefined;
    t.push({
      text: `${impl} ${bench} <= ${limit}x Go: ${r === undefined ? 'not measured' : `${r.toFixed(2)}x`}`,
      met: r === undefined ? undefined : r <= limit,
    });
  };
  const idi = 'gorx idiomatic';
  const fast = 'gorx fast-path';
  vsGo('chan_sync', idi, 1);
  vsGo('select', idi, 1);
  vsGo('ping_pong', idi, 1);
  vsGo('chan_buff', idi, 2.2);
  vsGo('chan_async', idi, 3);
  for (const b of ['chan_sync', 'chan_buff', 'chan_async', 'select', 'select_default']) {
    vsGo(b, fast, 1);
  }
  for (const impl of [idi, fast]) {
    for (const b of CHANNEL_BENCHES) {
      const m = results.median(b, impl);
      const ts = results.median(b, 'ts-chan');
      const f = m !== undefined && ts !== undefined ? ts / m : undefined;
      t.push({
        text: `${impl} ${b} >= 4x faster than ts-chan: ${f === undefined ? 'not measured' : `${f.toFixed(1)}x`}`,
        met: f === undefined ? undefined : f >= 4,
      });
    }
  }
  // Issue 14 item 4: ratios to the floor, and goroutine lifecycle against Effect.
  // `withMeans`: the ratio of the means beside that of the medians (see spawn and kill below).
  const vs = (bench: string, impl: string, ref: string, limit: number, withMeans = false): void => {
    const m = results.median(bench, impl);
    const r0 = results.median(bench, ref);
    const r = m !== undefined && r0 !== undefined ? m / r0 : undefined;
    let text = `${impl} ${bench} <= ${limit}x ${ref}: ${r === undefined ? 'not measured' : `${r.toFixed(2)}x`}`;
    if (withMeans) {
      const a = results.mean(bench, impl);
      const a0 = results.mean(bench, ref);
      const means = a !== undefined && a0 !== undefined ? `${(a / a0).toFixed(2)}x` : '–';
      text += ` (ratio of the medians; of the means ${means})`;
    }
    t.push({ text, met: r === undefined ? undefined : r <= limit });
  };
  for (const b of ['chan_sync', 'chan_buff', 'chan_async', 'select', 'ping_pong']) {
    vs(b, idi, 'floor', 1.2);
    if (results.data.get(b)?.has('gorx idiomatic + signal')) {
      vs(b, 'gorx idiomatic + signal', 'floor', 1.2);
    }
    vs(b, fast, 'floor fast-path', 1.2);
  }
  // Issue 14 item 1: an operation given an AbortSignal costs at most 1.15x the same without one.
  // Judged on the median of per-round ratios (the two rows of a round ran back to back).
  for (const b of ['chan_sync', 'ping_pong', 'select']) {
    const sig = 'gorx idiomatic + signal';
    if (!results.data.get(b)?.has(sig)) continue;
    const paired = results.pairedRatio(b, sig, idi);
    const m = results.median(b, sig);
    const m0 = results.median(b, idi);
    const ofMedians = m !== undefined && m0 !== undefined ? `${(m / m0).toFixed(2)}x` : '–';
    t.push({
      text:
        `${sig} ${b} <= 1.15x ${idi}: ${paired === undefined ? 'not measured' : `${paired.toFixed(2)}x`}` +
        ` (median of per-round ratios; ratio of the medians ${ofMedians})`,
      met: paired === undefined ? undefined : paired <= 1.15,
    });
  }
  // Spawn and kill against Effect: judged on the medians, with the ratio of the means beside them.
  // A round of 10,000 allocates about one young-generation cycle, so whether a scavenge falls inside
  // a timed window decides a sample, and the median depends on where collections land (see
  // docs/benchmarks.md, "Spawn and kill, session 6"); the mean counts them in proportion.
  vs('spawn', 'gorx go(async)', 'Effect fork', 0.5, true);
  vs('kill', 'gorx go(async)', 'Effect fork', 0.6, true);
  const mem = (bench: string, impl: string, field: 'bytesPerG' | 'heapPerG'): void => {
    const list = results.data.get(bench)?.get(impl);
    const vals = list?.map((s) => s[field]).filter((x): x is number => x !== undefined) ?? [];
    const m = vals.length > 0 ? stats(vals).median : undefined;
    t.push({
      text: `${impl} ${bench} <= 2 KiB per goroutine (${field === 'bytesPerG' ? 'RSS' : 'heap'}): ${m === undefined ? 'not measured' : `${Math.round(m)} B`}`,
      met: m === undefined ? undefined : m <= 2048,
    });
  };
  for (const impl of [idi, fast, 'gorx go(async)', 'gorx go(generator)']) {
    if (results.data.get('daisy_chain')?.has(impl)) mem('daisy_chain', impl, 'bytesPerG');
  }
  for (const bench of [...results.data.keys()].filter((b) => b.startsWith('blocked_'))) {
    for (const impl of ['gorx go(async)', 'gorx go(generator)']) {
      if (results.data.get(bench)?.has(impl)) {
        mem(bench, impl, 'heapPerG');
        mem(bench, impl, 'bytesPerG');
      }
    }
  }
  return t;
}

export function renderReport(results: Results, facts: Facts): string {
  const targets = checkTargets(results)
    .map(
      (x) =>
        `- [${x.met === true ? 'x' : ' '}] ${x.text}${x.met === undefined ? '' : x.met ? '' : ' (not met)'}`,
    )
    .join('\n');
  return [
    `# gorx benchmarks`,
    '',
    `${facts.date}. Node ${facts.node}, ${facts.go ?? 'no Go'}, ${facts.cpus} cores (${facts.cpuModel}), ` +
      `load average ${facts.load}.`,
    `Channel and goroutine benchmarks: n = ${facts.n.toLocaleString('en-US')} operations per sample; ` +
      `channel benchmarks: ${facts.channelProcesses} processes per benchmark, each ${facts.warmup} warm-up + ${facts.channelRounds} measured rounds ` +
      `of every implementation interleaved round-robin; ` +
      `spawn and kill: ${facts.goroutineProcesses} processes per implementation and benchmark (started in rotating order), ` +
      `each ${facts.warmup} warm-up + ${facts.goroutineRounds} measured rounds. ` +
      `Daisy chain: ${facts.daisyN.toLocaleString('en-US')} goroutines, ${facts.daisyRounds} child process(es) per implementation.`,
    '',
    '## Summary (median, and ratio to Go)',
    '',
    renderMatrix(results, CHANNEL_BENCHES, CHANNEL_IMPLS),
    '',
    renderMatrix(results, ['spawn', 'kill'], GOROUTINE_IMPLS),
    '',
    '## gorx against the floor (issue 14)',
    '',
    renderFloorRatios(results),
    '',
    '## Time',
    '',
    renderTables(results),
    '',
    '## Memory',
    '',
    renderMemory(results),
    '',
    '## Targets (issues 2, 3 and 14)',
    '',
    targets,
    '',
  ].join('\n');
}
