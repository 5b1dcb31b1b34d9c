// gorx/cluster benchmarks against an embedded PostgreSQL on this machine:
// - take-over after SIGKILL of the holder (p50/p99), leases vs a pg_try_advisory_lock singleton;
// - cluster supersede latency (call on replica A -> old run's finally done on replica B -> new run
//   starts on A), two stores (own connections) in one process;
// - lease operations per second one Postgres sustains (renewals; acquire+release), and the
//   advisory lock's lock+unlock for comparison.
// Build: `npm run build && node scripts/build-aux.mjs --skip-core`; run:
// `node dist-aux/bench/cluster/index.js` (or `npm run bench:cluster`). Numbers vary by machine.
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sleep } from 'gorx';
import { postgresStore, supersedeAcrossCluster, type LeaseStore } from 'gorx/cluster';
import { startPostgres } from './postgres.js';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const TTL_MS = 1000;
const POLL_MS = 1000;
const at = (): number => performance.timeOrigin + performance.now();

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
const f0 = (n: number): string => n.toFixed(0);

interface Held {
  held: string;
  at: number;
}

class Proc {
  readonly child: ChildProcess;
  readonly held: Held[] = [];
  private waiters: (() => void)[] = [];
  constructor(url: string, mode: 'lease' | 'advisory') {
    this.child = fork(join(here, 'replica.js'), [], {
      env: {
        ...process.env,
        DATABASE_URL: url,
        MODE: mode,
        TTL_MS: String(TTL_MS),
        POLL_MS: String(POLL_MS),
      },
    });
    this.child.on('message', (m) => {
      this.held.push(m as Held);
      for (const w of this.waiters.splice(0)) w();
    });
  }
  next(): Promise<Held> {
    const n = this.held.length;
    return new Promise((resolve) => {
      const check = (): void =>
        this.held.length > n ? resolve(this.held[n]!) : void this.waiters.push(check);
      check();
    });
  }
  kill(): Promise<void> {
    return new Promise((r) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return r();
      this.child.once('exit', () => r());
      this.child.kill('SIGKILL');
    });
  }
}

async function takeover(url: string, mode: 'lease' | 'advisory'): Promise<number[]> {
  const times: number[] = [];
  let holder = new Proc(url, mode);
  await holder.next();
  let standby = new Proc(url, mode);
  // Let the standby reach its waiting loop before the first kill.
  await sleep(300);
  for (let i = 0; i < RUNS; i++) {
    const next = standby.next();
    const killedAt = at();
    await holder.kill();
    const h = await next;
    times.push(h.at - killedAt);
    holder = standby;
    standby = new Proc(url, mode);
    await sleep(300);
  }
  await holder.kill();
  await standby.kill();
  return times;
}

async function supersedeLatency(
  a: LeaseStore,
  b: LeaseStore,
): Promise<{ finallyMs: number[]; startMs: number[] }> {
  const finallyMs: number[] = [];
  const startMs: number[] = [];
  for (let i = 0; i < RUNS * 2; i++) {
    const key = `bench-supersede-${i}`;
    let finallyAt = 0;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const old = supersedeAcrossCluster(b, key, async (ctx) => {
      try {
        started();
        await sleep(3_600_000, ctx);
      } finally {
        finallyAt = at();
      }
    }).catch(() => {});
    await running;
    const calledAt = at();
    let startAt = 0;
    await supersedeAcrossCluster(a, key, async () => {
      startAt = at();
    });
    await old;
    finallyMs.push(finallyAt - calledAt);
    startMs.push(startAt - calledAt);
  }
  return { finallyMs, startMs };
}

async function throughput(
  label: string,
  workers: number,
  op: (i: number, n: number) => Promise<unknown>,
): Promise<number> {
  const ms = 4000;
  const end = performance.now() + ms;
  let count = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, i) => {
      for (let n = 0; performance.now() < end; n++) {
        await op(i, n);
        count++;
      }
    }),
  );
  const perSec = (count / ms) * 1000;
  console.log(`  ${label}: ${f0(perSec)} ops/s (${workers} concurrent callers)`);
  return perSec;
}

const db = await startPostgres();
try {
  console.log(
    `gorx/cluster benchmarks (${RUNS} take-over runs, ttl ${TTL_MS} ms, poll ${POLL_MS} ms)\n`,
  );
  console.log('take-over after SIGKILL of the holder (kill -> new holder running):');
  const lease = await takeover(db.url, 'lease');
  console.log(
    `  gorx lease:         p50 ${f0(pct(lease, 50))} ms, p99 ${f0(pct(lease, 99))} ms (ttl ${TTL_MS} ms)`,
  );
  const adv = await takeover(db.url, 'advisory');
  console.log(
    `  pg_try_advisory_lock: p50 ${f0(pct(adv, 50))} ms, p99 ${f0(pct(adv, 99))} ms (retry every ${POLL_MS} ms; no fence)`,
  );

  const a = postgresStore({ connectionString: db.url });
  const b = postgresStore({ connectionString: db.url });
  const s = await supersedeLatency(a, b);
  console.log('\ncluster supersede (call on A -> old finally done on B -> new run starts on A):');
  console.log(
    `  old finally done: p50 ${pct(s.finallyMs, 50).toFixed(1)} ms, p99 ${pct(s.finallyMs, 99).toFixed(1)} ms`,
  );
  console.log(
    `  new run started:  p50 ${pct(s.startMs, 50).toFixed(1)} ms, p99 ${pct(s.startMs, 99).toFixed(1)} ms`,
  );

  console.log('\nstore throughput (one Postgres, 16 connections):');
  const pool = new pg.Pool({ connectionString: db.url, max: 16 });
  pool.on('error', () => {}); // the server stops right after the pool ended
  const store = postgresStore({ pool });
  const holders: { fence: bigint }[] = [];
  const N = 64;
  for (let i = 0; i < N; i++) {
    const r = await store.tryAcquire('lease', `renew-${i}`, `bench-${i}`, 60_000);
    if (!r.acquired) throw new Error('bench: could not acquire');
    holders.push({ fence: r.fence });
  }
  await throughput('lease renewals', N, (i) =>
    store.renew('lease', `renew-${i}`, `bench-${i}`, holders[i]!.fence, 60_000),
  );
  await throughput('lease acquire+release', N, async (i, n) => {
    const r = await store.tryAcquire('lease', `cycle-${i}`, `bench-${i}-${n}`, 60_000);
    if (r.acquired) await store.release('lease', `cycle-${i}`, `bench-${i}-${n}`, r.fence);
  });
  const clients = await Promise.all(Array.from({ length: 16 }, () => pool.connect()));
  await throughput('advisory lock+unlock (session)', 16, async (i) => {
    await clients[i]!.query('SELECT pg_try_advisory_lock($1)', [i]);
    await clients[i]!.query('SELECT pg_advisory_unlock($1)', [i]);
  });
  for (const c of clients) c.release();
  await store.close();
  await pool.end();
  await a.close();
  await b.close();
} finally {
  await db.destroy();
}
process.exit(0);
