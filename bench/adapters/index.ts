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

/** Fails the run (non-zero exit, no table) when a benchmark computed the wrong result. */
function verify(ok: boolean, what: string): void {
  if (!ok) throw new Error(`benchmark result is wrong: ${what}`);
}

/** Sum of 0..n-1: what every case that delivers 0..n-1 must add up to. */
const sumBelow = (n: number): number => (n * (n - 1)) / 2;

/** Checks that a case delivered exactly 0..n-1 (their sum and count), and keeps the sum. */
function checkDelivered(what: string, n: number, sum: number, count: number): void {
  verify(
    count === n && sum === sumBelow(n),
    `${what}: ${count} values summing to ${sum}, want ${n} summing to ${sumBelow(n)}`,
  );
  sinkValue += sum;
}

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
// Each case counts and sums what its subscriber received and checks it after the timed part.
const subjectPush = async () => {
  const s = new Subject<number>();
  let sum = 0;
  let count = 0;
  const sub = s.subscribe((v) => {
    sum += v;
    count++;
  });
  const ns = await nsPerOp(N, () => {
    for (let i = 0; i < N; i++) s.next(i);
    sub.unsubscribe();
  });
  checkDelivered('Subject.next', N, sum, count);
  return ns;
};
const channelTrySend = async () => {
  const ch = chan<number>();
  let sum = 0;
  let count = 0;
  let refused = 0;
  const sub = fromChannel(ch).subscribe((v) => {
    sum += v;
    count++;
  });
  const ns = await nsPerOp(N, () => {
    for (let i = 0; i < N; i++) if (!ch.trySend(i)) refused++;
    sub.unsubscribe();
  });
  verify(refused === 0, `trySend -> fromChannel: ${refused} trySend calls found no receiver`);
  checkDelivered('trySend -> fromChannel', N, sum, count);
  return ns;
};
const channelAwaitSend = async () => {
  const ch = chan<number>();
  let sum = 0;
  let count = 0;
  const sub = fromChannel(ch).subscribe((v) => {
    sum += v;
    count++;
  });
  const ns = await nsPerOp(N, async () => {
    for (let i = 0; i < N; i++) await ch.send(i);
    sub.unsubscribe();
  });
  checkDelivered('await send -> fromChannel', N, sum, count);
  return ns;
};
const bufferedDrain = async () => {
  const ch = chan<number>(N);
  for (let i = 0; i < N; i++) ch.trySend(i);
  let sum = 0;
  let count = 0;
  const ns = await nsPerOp(N, () => {
    fromChannel(ch)
      .subscribe((v) => {
        sum += v;
        count++;
      })
      .unsubscribe();
  });
  verify(ch.length === 0, `buffered drain left ${ch.length} values in the channel`);
  checkDelivered('buffered channel -> fromChannel', N, sum, count);
  return ns;
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
/** Times a `for await` over `it` (n values, 0..n-1) and checks what it received. */
async function forAwait(what: string, n: number, it: AsyncIterable<number>): Promise<number> {
  let sum = 0;
  let count = 0;
  const ns = await nsPerOp(n, async () => {
    for await (const v of it) {
      sum += v;
      count++;
    }
  });
  checkDelivered(what, n, sum, count);
  return ns;
}
const toChannelRange = () =>
  forAwait('range -> toChannel', N_SYNC, toChannel(range(0, N_SYNC), { overflow: 'unbounded' }));
const eachValueRange = () =>
  forAwait('range -> eachValueFrom', N_SYNC, eachValueFrom(range(0, N_SYNC)));
const toChannelBursts = () =>
  forAwait('bursts -> toChannel', N, toChannel(bursts(N), { overflow: 'unbounded' }));
const eachValueBursts = () => forAwait('bursts -> eachValueFrom', N, eachValueFrom(bursts(N)));

// 3. switchGo churn: each value really starts a goroutine, which the next value supersedes.
async function churn(
  count: number,
): Promise<{ nsPerSupersede: number; heapBefore: number; heapAfter: number; live: number }> {
  const never = chan<never>();
  const values = new Subject<number>();
  let started: () => void = () => {};
  let starts = 0;
  let aborted = 0;
  let emitted = 0;
  const sub = values
    .pipe(
      switchGo(async (_v: number, ctx) => {
        starts++;
        started();
        try {
          await never.recv({ signal: ctx.signal });
        } catch (e) {
          if (ctx.signal.aborted) aborted++; // superseded: killed while blocked
          throw e;
        }
        return 0;
      }),
    )
    .subscribe({ next: () => emitted++ });
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
  // Every value started its goroutine, every one but the last was superseded while blocked (and
  // the last one by the unsubscribe), none emitted, and none is left.
  const total = 1000 + count;
  verify(starts === total, `switchGo churn: ${starts} goroutines started, want ${total}`);
  verify(
    aborted === total,
    `switchGo churn: ${aborted} ended aborted while blocked, want ${total}`,
  );
  verify(emitted === 0, `switchGo churn: ${emitted} values emitted, want none`);
  verify(live === 1, `switchGo churn: ${live} goroutines live before the unsubscribe, want 1`);
  verify(goroutines().length === 0, `switchGo churn: ${goroutines().length} goroutines left`);
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
