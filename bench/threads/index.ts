/**
 * Threads benchmarks (a section of `npm run bench`; alone: `npm run bench:threads`). Each pair
 * runs alternately, round by round, in one process, and reports medians and their ratio:
 *   1. pooled empty-task round trip: ThreadPool.go(...).done vs piscina run() (target <= 1.5x)
 *   2. one-way small values through a bridged chan(1024), vs a raw MessagePort batched (arrays
 *      of 1024) and unbatched (target >= 250,000 values/s and >= 25% of raw batched); a
 *      diagnostic row gives the CPU time per value of each thread in the bridged runs (Linux)
 *   3. unbuffered bridged round trip vs a raw MessagePort round trip (target <= 2x)
 *   4. kill() to ended, cooperative and terminated (killGraceMs 0)
 * Prints a markdown section on stdout.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { chan } from 'gorx';
import { goThread, ThreadPool } from 'gorx/threads';
import { Piscina } from 'piscina';

const JOBS = new URL('./jobs.js', import.meta.url);
const ROUNDS = Number(
  process.env.BENCH_THREADS_ROUNDS ?? (process.env.BENCH_QUICK === '1' ? 3 : 11),
);
const RT_N = 2_000;
const TP_N = 200_000;
const PP_N = 5_000;
const KILLS = process.env.BENCH_QUICK === '1' ? 3 : 9;

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const nowNs = (): number => Number(process.hrtime.bigint());

async function alternate(fns: (() => Promise<number>)[]): Promise<number[]> {
  for (const f of fns) await f(); // warm-up
  const xs = fns.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < fns.length; i++) {
      await settle();
      xs[i]!.push(await fns[i]!());
    }
  }
  return xs.map(median);
}

async function roundTrip(): Promise<[number, number]> {
  const pool = new ThreadPool({ size: 1 });
  const piscina = new Piscina({
    filename: new URL('./piscina-task.js', import.meta.url).href,
    minThreads: 1,
    maxThreads: 1,
  });
  const gorx = async (): Promise<number> => {
    const t0 = nowNs();
    for (let i = 0; i < RT_N; i++) await pool.go(JOBS, 'empty').done;
    return (nowNs() - t0) / RT_N / 1000;
  };
  const pisc = async (): Promise<number> => {
    const t0 = nowNs();
    for (let i = 0; i < RT_N; i++) await piscina.run(null);
    return (nowNs() - t0) / RT_N / 1000;
  };
  const [a, b] = await alternate([gorx, pisc]);
  await pool.close();
  await piscina.destroy();
  return [a!, b!];
}

/**
 * CPU time in ms of each thread of this process (Linux /proc, 10 ms ticks; empty elsewhere), for
 * the diagnostic row of the bridged run: where its time goes on each side, whatever the load.
 */
function threadCpuMs(): Map<string, number> {
  const m = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const st = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      m.set(tid, (Number(f[11]) + Number(f[12])) * 10); // utime + stime, in ticks of 10 ms
    }
  } catch {
    // not Linux: no row
  }
  return m;
}

/** CPU per value of the bridged runs: [main thread ns, busiest other thread ns], or null. */
let bridgedCpu: [number, number] | null = null;

async function throughput(): Promise<[number, number, number]> {
  const pool = new ThreadPool({ size: 1 });
  const cpu = new Map<string, number>();
  let values = 0;
  const bridged = async (): Promise<number> => {
    const c0 = threadCpuMs();
    const out = chan<number>(1024);
    const t0 = nowNs();
    const g = pool.go(JOBS, 'produce', [out, TP_N]);
    let n = 0;
    for await (const v of out) n += v >= 0 ? 1 : 0;
    await g.done;
    if (n !== TP_N) throw new Error('lost values');
    const rate = TP_N / ((nowNs() - t0) / 1e9);
    for (const [tid, ms] of threadCpuMs())
      cpu.set(tid, (cpu.get(tid) ?? 0) + ms - (c0.get(tid) ?? ms));
    values += TP_N;
    return rate;
  };
  const raw = (batch: number) => async (): Promise<number> => {
    const { port1, port2 } = new MessageChannel();
    const t0 = nowNs();
    let n = 0;
    const done = new Promise<void>((resolve) => {
      port1.on('message', (m: number | number[] | null) => {
        if (m === null) {
          port1.close();
          resolve();
        } else n += Array.isArray(m) ? m.length : 1;
      });
    });
    const g = pool.go(JOBS, 'produceRaw', [port2, TP_N, batch], { transfer: [port2] });
    await done;
    await g.done;
    if (n !== TP_N) throw new Error('lost values');
    return TP_N / ((nowNs() - t0) / 1e9);
  };
  const r = await alternate([bridged, raw(1024), raw(1)]);
  await pool.close();
  const main = cpu.get(String(process.pid));
  const other = Math.max(
    0,
    ...[...cpu].filter(([t]) => t !== String(process.pid)).map(([, v]) => v),
  );
  if (main !== undefined) bridgedCpu = [(main * 1e6) / values, (other * 1e6) / values];
  return [r[0]!, r[1]!, r[2]!];
}

async function pingPong(): Promise<[number, number]> {
  const pool = new ThreadPool({ size: 1 });
  const bridged = async (): Promise<number> => {
    const ping = chan<number>();
    const back = chan<number>();
    const g = pool.go(JOBS, 'pong', [ping, back]);
    await ping.send(-1);
    await back.recv();
    const t0 = nowNs();
    for (let i = 0; i < PP_N; i++) {
      await ping.send(i);
      await back.recv();
    }
    const us = (nowNs() - t0) / PP_N / 1000;
    ping.close();
    await g.done;
    return us;
  };
  const raw = async (): Promise<number> => {
    const { port1, port2 } = new MessageChannel();
    const g = pool.go(JOBS, 'pongRaw', [port2], { transfer: [port2] });
    let wake: (() => void) | null = null;
    port1.on('message', () => wake?.());
    const rt = (i: number): Promise<void> =>
      new Promise<void>((resolve) => {
        wake = resolve;
        port1.postMessage(i);
      });
    await rt(-1);
    const t0 = nowNs();
    for (let i = 0; i < PP_N; i++) await rt(i);
    const us = (nowNs() - t0) / PP_N / 1000;
    port1.postMessage(null);
    port1.close();
    await g.done;
    return us;
  };
  const [a, b] = await alternate([bridged, raw]);
  await pool.close();
  return [a!, b!];
}

async function killToEnded(mode: 'cooperative' | 'terminated'): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < KILLS; i++) {
    const started = chan<number>(1);
    const g = goThread(JOBS, mode === 'cooperative' ? 'waitForKill' : 'spin', [started], {
      killGraceMs: mode === 'cooperative' ? 10_000 : 0,
    });
    await started.recv();
    const t0 = nowNs();
    await g.kill();
    xs.push((nowNs() - t0) / 1e6);
    if (g.killMode !== mode) throw new Error(`expected ${mode}, got ${g.killMode}`);
    await settle();
  }
  return median(xs);
}

const f = (x: number, d = 1): string => x.toLocaleString('en-US', { maximumFractionDigits: d });

async function main(): Promise<void> {
  const log = (m: string): void => void process.stderr.write(`threads bench: ${m}\n`);
  const [rtGorx, rtPiscina] = await roundTrip();
  log('round trip done');
  const [tpBridged, tpBatched, tpUnbatched] = await throughput();
  log('throughput done');
  const [ppBridged, ppRaw] = await pingPong();
  log('ping-pong done');
  const coop = await killToEnded('cooperative');
  const term = await killToEnded('terminated');
  log('kills done');
  const ok = (b: boolean): string => (b ? 'met' : 'NOT met');
  const lines = [
    '## Threads (`gorx/threads`)',
    '',
    `Medians of ${ROUNDS} alternating rounds in one process; kills: median of ${KILLS}.`,
    '',
    '| benchmark | gorx | reference | ratio | target |',
    '| --- | --- | --- | --- | --- |',
    `| pooled empty-task round trip (1 thread, sequential) | ${f(rtGorx)} µs | piscina run(): ${f(rtPiscina)} µs | ${f(rtGorx / rtPiscina, 2)}x | <= 1.5x: ${ok(rtGorx / rtPiscina <= 1.5)} |`,
    `| one-way small values, bridged chan(1024) | ${f(tpBridged, 0)} /s | raw MessagePort batched: ${f(tpBatched, 0)} /s | ${f((100 * tpBridged) / tpBatched, 0)}% | >= 250,000/s: ${ok(tpBridged >= 250_000)}; >= 25%: ${ok(tpBridged >= 0.25 * tpBatched)} |`,
    `| (same) | | raw MessagePort unbatched: ${f(tpUnbatched, 0)} /s | ${f((100 * tpBridged) / tpUnbatched, 0)}% | |`,
    ...(bridgedCpu === null
      ? []
      : [
          `| (diagnostic) CPU per value of the bridged runs | main thread ${f(bridgedCpu[0], 0)} ns, worker thread ${f(bridgedCpu[1], 0)} ns | | | |`,
        ]),
    `| unbuffered round trip (send + reply) | ${f(ppBridged)} µs | raw MessagePort: ${f(ppRaw)} µs | ${f(ppBridged / ppRaw, 2)}x | <= 2x: ${ok(ppBridged / ppRaw <= 2)} |`,
    `| kill() to ended, cooperative | ${f(coop, 2)} ms | | | |`,
    `| kill() to ended, terminated (killGraceMs 0) | ${f(term, 2)} ms | | | |`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
