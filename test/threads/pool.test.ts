import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { chan, GoroutineExit } from 'gorx';
import { PoolClosedError, ThreadPool, type ThreadGoroutine } from 'gorx/threads';
import { cpuQuota, defaultThreadCount } from '../../threads/internal/cpu-quota.js';
import { liveThreads } from '../../threads/internal/thread-handle.js';
import { BASIC, expectNoThreadLeft, rejection } from './support.js';

// Real threads on a shared 2-core machine: generous limits; every wait is for an event.
jest.setTimeout(60_000);

afterEach(() => expectNoThreadLeft());

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('ThreadPool', () => {
  it('runs goroutines beyond its size in FIFO order, never more threads than its size', async () => {
    const pool = new ThreadPool({ size: 1 });
    const results = chan<number>(Infinity);
    const gs = [0, 1, 2, 3, 4].map((i) => pool.go<number>(BASIC, 'addReport', [i, results]));
    expect(pool.threadCount).toBe(1);
    expect(pool.queued).toBe(4);
    expect(await Promise.all(gs.map((g) => g.done))).toEqual([0, 1, 2, 3, 4]);
    const order: number[] = [];
    for (let r = results.tryRecv(); r.ok; r = results.tryRecv()) order.push(r.value);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    await pool.close();
  });

  it('replaces a terminated thread: the queued goroutine runs on a new one', async () => {
    const pool = new ThreadPool({ size: 1 });
    const results = chan<number>(Infinity);
    const hung = pool.go(BASIC, 'spinReport', [1, results], { killGraceMs: 10 });
    const next = pool.go<number>(BASIC, 'addReport', [2, results]);
    expect(await results.recv()).toBe(1);
    await hung.kill();
    expect(hung.killMode).toBe('terminated');
    await expect(next.done).resolves.toBe(2);
    expect(pool.threadCount).toBe(1);
    await pool.close();
  });

  it('a goroutine killed while queued never starts', async () => {
    const pool = new ThreadPool({ size: 1 });
    const results = chan<number>(Infinity);
    const first = pool.go(BASIC, 'addReport', [1, results]);
    const queued = pool.go(BASIC, 'addReport', [2, results]);
    await queued.kill();
    expect(queued.killMode).toBe('cooperative');
    expect(await rejection(queued.done)).toBeInstanceOf(GoroutineExit);
    await first.done;
    expect(results.tryRecv()).toEqual({ ok: true, value: 1 });
    expect(results.tryRecv()).toEqual({ ok: false, closed: false });
    await pool.close();
  });

  it('close() kills running and queued goroutines, ends the threads, and refuses new work', async () => {
    const pool = new ThreadPool({ size: 1 });
    const results = chan<number>(Infinity);
    const running = pool.go(BASIC, 'spinReport', [1, results], { killGraceMs: 10 });
    const queued = pool.go(BASIC, 'addReport', [2, results]);
    await results.recv();
    await pool.close();
    const e = (await rejection(running.done)) as GoroutineExit;
    expect(e.reason).toBeInstanceOf(PoolClosedError);
    expect(await rejection(queued.done)).toBeInstanceOf(GoroutineExit);
    expect(() => pool.go(BASIC, 'add', [1, 2])).toThrow(PoolClosedError);
    expect(liveThreads()).toBe(0);
  });

  it('ends idle threads after idleTimeoutMs', async () => {
    const pool = new ThreadPool({ size: 2, idleTimeoutMs: 0 });
    await pool.go(BASIC, 'add', [1, 2]).done;
    for (let i = 0; i < 10_000 && pool.threadCount > 0; i++) await turn();
    expect(pool.threadCount).toBe(0);
    await pool.close();
  });

  it('refuses a bad size or idleTimeoutMs at construction', () => {
    expect(() => new ThreadPool({ size: 0 })).toThrow(RangeError);
    expect(() => new ThreadPool({ size: 1.5 })).toThrow(RangeError);
    expect(() => new ThreadPool({ idleTimeoutMs: -1 })).toThrow(RangeError);
  });

  it('1,000 short goroutines through a pool of 2 with random kills: nothing lost or duplicated, no thread left', async () => {
    const random = seeded(20261129);
    const pool = new ThreadPool({ size: 2 });
    const results = chan<number>(Infinity);
    const gs: ThreadGoroutine<number>[] = [];
    const kills: Promise<void>[] = [];
    const hangs = new Set<number>();
    // Hung goroutines are killed once they report from their thread (so they are terminated);
    // others at a random moment (queued, starting or running).
    const reported: number[] = [];
    const watcher = (async () => {
      for await (const id of results) {
        reported.push(id);
        if (hangs.has(id)) kills.push(gs[id]!.kill());
      }
    })();
    for (let id = 0; id < 1000; id++) {
      const hang = random() < 0.02;
      if (hang) hangs.add(id);
      const g = pool.go<number>(BASIC, hang ? 'spinReport' : 'addReport', [id, results], {
        killGraceMs: 10,
      });
      gs.push(g);
      if (!hang && random() < 0.1) {
        const turns = Math.floor(random() * 4);
        kills.push(
          (async () => {
            for (let t = 0; t < turns; t++) await turn();
            await g.kill();
          })(),
        );
      }
      if (id % 50 === 49) await turn();
    }
    const outcomes = await Promise.all(
      gs.map((g) =>
        g.done.then(
          (v) => ({ ok: true, v }),
          (e: unknown) => ({ ok: false, v: e }),
        ),
      ),
    );
    await Promise.all(kills);
    results.close();
    await watcher;
    expect(gs.filter((g) => g.killMode === 'terminated').length).toBe(hangs.size);
    expect(new Set(reported).size).toBe(reported.length); // nothing duplicated
    const returned = outcomes.flatMap((o, id) => (o.ok ? [id] : []));
    for (const id of returned) expect(outcomes[id]!.v).toBe(id);
    const reportedSet = new Set(reported);
    expect(returned.filter((id) => !reportedSet.has(id))).toEqual([]); // nothing lost
    for (const o of outcomes) if (!o.ok) expect(o.v).toBeInstanceOf(GoroutineExit);
    expect(returned.length).toBeGreaterThan(800);
    await pool.close();
    expect(liveThreads()).toBe(0);
  });
});

describe('default pool size', () => {
  const files = (map: Record<string, string>) => (p: string) => map[p] ?? null;
  it.each([
    ['cgroup v2 quota of 1.5 CPUs', { '/sys/fs/cgroup/cpu.max': '150000 100000\n' }, 1.5],
    ['cgroup v2 without a quota', { '/sys/fs/cgroup/cpu.max': 'max 100000\n' }, null],
    [
      'cgroup v2 quota of the process cgroup',
      {
        '/proc/self/cgroup': '0::/app.slice\n',
        '/sys/fs/cgroup/app.slice/cpu.max': '200000 100000',
      },
      2,
    ],
    [
      'cgroup v1 quota of 3 CPUs',
      {
        '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '300000',
        '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000',
      },
      3,
    ],
    [
      'cgroup v1 without a quota (-1)',
      {
        '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1',
        '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000',
      },
      null,
    ],
    ['no cgroup files', {}, null],
  ])('reads the CPU quota: %s', (_name, map, expected) => {
    expect(cpuQuota(files(map as Record<string, string>))).toBe(expected);
  });

  it.each([
    [8, null, 8],
    [8, 1.5, 2],
    [8, 0.5, 1],
    [2, 16, 2],
    [1, null, 1],
  ])('parallelism %i with quota %p gives %i threads', (parallelism, quota, expected) => {
    expect(defaultThreadCount(parallelism, quota)).toBe(expected);
  });
});
