// Benchmarks of the RxJS adapters (standalone: `npm run build && node scripts/build-aux.mjs
// --skip-core && node dist-aux/bench/adapters/index.js`). Each case runs several rounds and
// reports the median; the table is printed as markdown.
//   1. channel -> fromChannel -> subscriber, against Subject -> subscriber (target: within 1.5x)
//   2. Observable -> toChannel -> for await, against rxjs-for-await's eachValueFrom (target: faster)
//   3. switchGo churn: 100,000 supersedes, heap before/after (target: flat)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chan, goroutines } from 'gorx';
import { fromChannel, switchGo, toChannel } from 'gorx/rxjs';
import { Observable, Subject, range } from 'rxjs';
import { eachValueFrom } from 'rxjs-for-await';

// The heap check needs a collector we can call: re-run this file with --expose-gc.
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}
const collect = gc!;

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const N = Number(process.env.N ?? 200_000);
const CHURN = Number(process.env.CHURN ?? 100_000);
// eachValueFrom buffers a synchronous source in an array it empties with shift(): quadratic, so
// the all-at-once case uses fewer values to keep the run short.
const N_SYNC = Math.min(N, 20_000);

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
let sinkValue = 0;

/** Medians of `a` and `b`, run alternately round by round so drift on a busy machine hits both. */
async function medians(
  a: () => Promise<number>,
  b: () => Promise<number>,
): Promise<[number, number]> {
  await a(); // warm-up
  await b();
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await settle();
    xs.push(await a());
    await settle();
    ys.push(await b());
  }
  const mid = (v: number[]) => v.sort((p, q) => p - q)[v.length >> 1]!;
  return [mid(xs), mid(ys)];
}

/** Runs `body` and returns nanoseconds per value. */
async function nsPerOp(n: number, body: () => Promise<void> | void): Promise<number> {
  const t0 = process.hrtime.bigint();
  await body();
  return Number(process.hrtime.bigint() - t0) / n;
}

// 1. Push throughput into a subscriber.
const subjectPush = () => {
  const s = new Subject<number>();
  const sub = s.subscribe((v) => (sinkValue += v));
  return nsPerOp(N, () => {
    for (let i = 0; i < N; i++) s.next(i);
    sub.unsubscribe();
  });
};
const channelTrySend = () => {
  const ch = chan<number>();
  const sub = fromChannel(ch).subscribe((v) => (sinkValue += v));
  return nsPerOp(N, () => {
    for (let i = 0; i < N; i++) ch.trySend(i);
    sub.unsubscribe();
  });
};
const channelAwaitSend = () => {
  const ch = chan<number>();
  const sub = fromChannel(ch).subscribe((v) => (sinkValue += v));
  return nsPerOp(N, async () => {
    for (let i = 0; i < N; i++) await ch.send(i);
    sub.unsubscribe();
  });
};
const bufferedDrain = () => {
  const ch = chan<number>(N);
  for (let i = 0; i < N; i++) ch.trySend(i);
  return nsPerOp(N, () => {
    fromChannel(ch)
      .subscribe((v) => (sinkValue += v))
      .unsubscribe();
  });
};

// 2. Observable -> for await.
/** Emits 0..n-1 in bursts of 100 values per macrotask: a push source that is not all synchronous. */
const bursts = (n: number) =>
  new Observable<number>((s) => {
    let i = 0;
    let stopped = false;
    const tick = () => {
      if (stopped) return;
      for (let k = 0; k < 100 && i < n; k++) s.next(i++);
      if (i < n) setImmediate(tick);
      else s.complete();
    };
    tick();
    return () => (stopped = true);
  });
const forAwait = async (it: AsyncIterable<number>) => {
  for await (const v of it) sinkValue += v;
};
const toChannelRange = () =>
  nsPerOp(N_SYNC, () => forAwait(toChannel(range(0, N_SYNC), { overflow: 'unbounded' })));
const eachValueRange = () => nsPerOp(N_SYNC, () => forAwait(eachValueFrom(range(0, N_SYNC))));
const toChannelBursts = () =>
  nsPerOp(N, () => forAwait(toChannel(bursts(N), { overflow: 'unbounded' })));
const eachValueBursts = () => nsPerOp(N, () => forAwait(eachValueFrom(bursts(N))));

// 3. switchGo churn: each value really starts a goroutine, which the next value supersedes.
async function churn(
  count: number,
): Promise<{ nsPerSupersede: number; heapBefore: number; heapAfter: number; live: number }> {
  const never = chan<never>();
  const values = new Subject<number>();
  let started: () => void = () => {};
  const sub = values
    .pipe(
      switchGo(async (_v: number, ctx) => {
        started();
        await never.recv({ signal: ctx.signal });
        return 0;
      }),
    )
    .subscribe();
  const step = async (i: number) => {
    const p = new Promise<void>((resolve) => (started = resolve));
    values.next(i);
    await p;
  };
  for (let i = 0; i < 1000; i++) await step(i); // warm-up
  await settle();
  collect();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await step(i);
  const ns = Number(process.hrtime.bigint() - t0) / count;
  await settle();
  collect();
  const heapAfter = process.memoryUsage().heapUsed;
  const live = goroutines().length;
  sub.unsubscribe();
  await settle();
  return { nsPerSupersede: ns, heapBefore, heapAfter, live };
}

const fmt = (ns: number) => (ns >= 100 ? ns.toFixed(0) : ns.toFixed(1));
const rate = (ns: number) => `${(1e3 / ns).toFixed(1)} M/s`;
const rows: string[] = [];
async function compare(
  name: string,
  ours: () => Promise<number>,
  theirs: () => Promise<number>,
  target: string,
) {
  const [a, b] = await medians(ours, theirs);
  rows.push(
    `| ${name} | ${fmt(a)} (${rate(a)}) | ${fmt(b)} (${rate(b)}) | ${(a / b).toFixed(2)}x | ${target} |`,
  );
}

console.log(`node ${process.version}, ${ROUNDS} rounds, median; N = ${N}\n`);
console.log('| benchmark | gorx ns/value | baseline ns/value | gorx / baseline | target |');
console.log('| --- | --- | --- | --- | --- |');
await compare(
  'trySend -> fromChannel -> subscriber vs Subject.next -> subscriber',
  channelTrySend,
  subjectPush,
  '<= 1.5x',
);
await compare(
  'await send -> fromChannel -> subscriber vs Subject.next -> subscriber',
  channelAwaitSend,
  subjectPush,
  'info',
);
await compare(
  'buffered channel drained by fromChannel vs Subject.next -> subscriber',
  bufferedDrain,
  subjectPush,
  'info',
);
await compare(
  `range(0, ${N_SYNC}) -> toChannel(unbounded) -> for await vs eachValueFrom`,
  toChannelRange,
  eachValueRange,
  '< 1x',
);
await compare(
  '100-value bursts per macrotask -> toChannel(unbounded) -> for await vs eachValueFrom',
  toChannelBursts,
  eachValueBursts,
  '< 1x',
);
for (const r of rows) console.log(r);

const c = await churn(CHURN);
const mb = (b: number) => `${(b / 1048576).toFixed(2)} MB`;
console.log('\n| switchGo churn | value |');
console.log('| --- | --- |');
console.log(`| supersedes | ${CHURN} |`);
console.log(
  `| time per supersede (kill + cleanup + start) | ${(c.nsPerSupersede / 1000).toFixed(2)} µs |`,
);
console.log(`| heap before / after (after gc) | ${mb(c.heapBefore)} / ${mb(c.heapAfter)} |`);
console.log(`| heap growth | ${((c.heapAfter - c.heapBefore) / 1024).toFixed(0)} KB |`);
console.log(`| live goroutines at the end | ${c.live} |`);
if (sinkValue === -1) console.log('');
