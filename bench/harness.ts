/** Timing, rounds and statistics shared by every benchmark. */

/** One implementation of one benchmark: runs `n` operations, returns nanoseconds per operation. */
export interface Case {
  readonly bench: string;
  readonly impl: string;
  run(n: number): Promise<number>;
}

/** A measurement parsed from a child process or the Go reference. */
export interface Sample {
  bench: string;
  impl: string;
  /** ns/op, or milliseconds for whole-run benchmarks. */
  value: number;
  /** RSS bytes per goroutine, where measured. */
  bytesPerG?: number;
  /** Heap bytes per goroutine, where measured. */
  heapPerG?: number;
  /** Which of the benchmark's processes measured it (channel benchmarks), from 0. */
  proc?: number;
}

/** Monotonic time in nanoseconds (a double: enough precision for runs under a few days). */
export function now(): number {
  return Number(process.hrtime.bigint());
}

/**
 * Fails the run when a benchmark computed the wrong result: a figure is published only for work
 * that was verifiably done (every implementation, gorx and peers alike, checks its result).
 */
export function verify(ok: boolean, what: string): void {
  if (!ok) fail(what);
}

/**
 * Fails the run (see `verify`). Checks inside a timed loop call it behind their own test, so that
 * the message is built only on failure: a template literal per operation costs every row the same
 * 30 to 60 instructions, which is not what the benchmark measures and narrows every ratio.
 */
export function fail(what: string): never {
  throw new Error(`benchmark result is wrong: ${what}`);
}

/** Sum of 0..n-1: what every receive loop over a producer of 0..n-1 must add up to. */
export function sumBelow(n: number): number {
  return (n * (n - 1)) / 2;
}

let sinkValue = 0;

/** Consumes a result so the JIT cannot drop the work that produced it. */
export function sink(v: unknown): void {
  if (typeof v === 'number') sinkValue += v;
  else if (v === sinkValue) sinkValue++;
}

/** Lets pending timers, I/O and `setImmediate` callbacks run between measurements. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Summary of one (benchmark, implementation) series. */
export interface Stats {
  median: number;
  min: number;
  max: number;
  /** First and third quartiles: half the samples lie between them. */
  q1: number;
  q3: number;
  count: number;
}

/** Quantile `q` of sorted values (linear interpolation between closest ranks). */
function quantile(v: readonly number[], q: number): number {
  const pos = (v.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

export function stats(values: readonly number[]): Stats {
  const v = [...values].sort((a, b) => a - b);
  return {
    median: quantile(v, 0.5),
    min: v[0]!,
    max: v[v.length - 1]!,
    q1: quantile(v, 0.25),
    q3: quantile(v, 0.75),
    count: v.length,
  };
}

/** Results keyed `bench` -> `impl` -> samples. */
export class Results {
  readonly data = new Map<string, Map<string, Sample[]>>();

  add(s: Sample): void {
    let byImpl = this.data.get(s.bench);
    if (byImpl === undefined) this.data.set(s.bench, (byImpl = new Map()));
    let list = byImpl.get(s.impl);
    if (list === undefined) byImpl.set(s.impl, (list = []));
    list.push(s);
  }

  median(bench: string, impl: string): number | undefined {
    const list = this.data.get(bench)?.get(impl);
    return list === undefined || list.length === 0
      ? undefined
      : stats(list.map((s) => s.value)).median;
  }

  /**
   * The ratio of `impl`'s median to `ref`'s in each process that measured both (samples tagged
   * `proc`), in process order: how far one process's verdict is from another's.
   */
  perProcessRatios(bench: string, impl: string, ref: string): number[] {
    const byProc = (name: string): Map<number, number[]> => {
      const m = new Map<number, number[]>();
      for (const s of this.data.get(bench)?.get(name) ?? []) {
        if (s.proc === undefined) continue;
        let list = m.get(s.proc);
        if (list === undefined) m.set(s.proc, (list = []));
        list.push(s.value);
      }
      return m;
    };
    const a = byProc(impl);
    const b = byProc(ref);
    const out: number[] = [];
    for (const [proc, xs] of [...a].sort((x, y) => x[0] - y[0])) {
      const ys = b.get(proc);
      if (ys !== undefined) out.push(stats(xs).median / stats(ys).median);
    }
    return out;
  }

  /** Arithmetic mean of the samples (every round's garbage collection counted in proportion). */
  mean(bench: string, impl: string): number | undefined {
    const list = this.data.get(bench)?.get(impl);
    if (list === undefined || list.length === 0) return undefined;
    let sum = 0;
    for (const s of list) sum += s.value;
    return sum / list.length;
  }

  /**
   * Median over the rounds of `a`'s sample divided by `b`'s sample of the same round (samples are
   * added in round order): less sensitive to the machine's drift than a ratio of two medians,
   * since both samples of a round ran at nearly the same time.
   */
  pairedRatio(bench: string, a: string, b: string): number | undefined {
    const xs = this.data.get(bench)?.get(a);
    const ys = this.data.get(bench)?.get(b);
    if (xs === undefined || ys === undefined || xs.length !== ys.length || xs.length === 0) {
      return undefined;
    }
    return stats(xs.map((x, i) => x.value / ys[i]!.value)).median;
  }
}

/**
 * Runs every case once per round, rotating the starting case each round so that GC pauses, JIT
 * tiering and machine noise fall on all implementations alike.
 */
export async function roundRobin(
  cases: readonly Case[],
  n: number,
  warmup: number,
  rounds: number,
  results: Results,
): Promise<void> {
  for (let r = 0; r < warmup + rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + r) % cases.length]!;
      const ns = await c.run(n);
      await settle();
      if (r >= warmup) results.add({ bench: c.bench, impl: c.impl, value: ns });
    }
  }
}
