// Singleton failover between real replica processes against a real PostgreSQL. Each test keeps a
// fenced-write log in Postgres and checks it with checkFencedLog: no stale-fence write accepted
// after a newer fence wrote, fences strictly increasing, and (where no process was paused) never
// two holders acting at once. Synchronization waits on conditions (IPC messages, log rows);
// no fixed sleeps.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { startPostgres, waitFor, type TestPostgres } from '../helpers/postgres.js';
import {
  checkFencedLog,
  createLogTables,
  PartitionProxy,
  readLog,
  Replica,
  requireBuild,
} from './support.js';

let db: TestPostgres;
let log: pg.Pool;
let replicas: Replica[] = [];
let tmp: string;

beforeAll(async () => {
  requireBuild();
  db = await startPostgres();
  log = await createLogTables(db.url);
  tmp = mkdtempSync(join(tmpdir(), 'gorx-stall-'));
}, 60_000);
afterEach(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  replicas = [];
});
afterAll(async () => {
  await log?.end();
  await db?.destroy();
  rmSync(tmp, { recursive: true, force: true });
});

function replica(id: string, env: Record<string, string> = {}): Replica {
  const r = new Replica(id, db.url, env);
  replicas.push(r);
  return r;
}

/** Starts two replicas running singleton `name`; resolves with [holder, other]. */
async function pair(
  name: string,
  ttlMs: number,
  env: Record<string, string> = {},
): Promise<[Replica, Replica]> {
  const a = replica(`${name}-a`, env);
  const b = replica(`${name}-b`, env);
  await Promise.all([a, b].map((r) => r.waitMessage('ready', (m) => m.type === 'ready')));
  for (const r of [a, b]) r.send({ cmd: 'singletons', names: [name], ttlMs, writeEveryMs: 50 });
  const first = await waitFor('a first holder wrote', async () =>
    (await readLog(log, name)).find((r) => r.kind === 'write'),
  );
  return first.replica === a.id ? [a, b] : [b, a];
}

/** The first accepted write of a holder other than `old`, with a fence above `above`. */
function takeover(name: string, old: Replica, above: bigint, timeoutMs = 20_000) {
  return waitFor(
    `${name}: a new holder wrote with a fence above ${above}`,
    async () =>
      (await readLog(log, name)).find((r) => r.accepted && r.fence > above && r.replica !== old.id),
    timeoutMs,
  );
}

describe('singleton failover between processes (real Postgres)', () => {
  it('SIGKILL of the holder: another replica takes over with a higher fence; no stale write accepted', async () => {
    const ttlMs = 1500;
    const [holder, other] = await pair('kill', ttlMs);
    const oldFence = (await readLog(log, 'kill')).find((r) => r.replica === holder.id)!.fence;
    const killedAt = performance.now();
    await holder.kill('SIGKILL');
    const next = await takeover('kill', holder, oldFence);
    const tookMs = performance.now() - killedAt;
    expect(next.replica).toBe(other.id);
    // Generous bound (the spec is ttl + 1 s; the benchmark measures p50/p99): take-over waits
    // for the server-side expiry, then at most the waiter's expiry hint.
    expect(tookMs).toBeLessThan(ttlMs + 1000 + 3000);
    checkFencedLog(await readLog(log, 'kill'), { noOverlap: true });
  }, 40_000);

  it('network partition between the holder and Postgres: the holder stops acting before anyone else acquires', async () => {
    const ttlMs = 1000;
    const proxy = await PartitionProxy.start(db.port);
    try {
      const storeUrl = db.url.replace(`:${db.port}/`, `:${proxy.port}/`);
      const holder = replica('partition-a', { GORX_STORE_URL: storeUrl });
      await holder.waitMessage('ready', (m) => m.type === 'ready');
      holder.send({ cmd: 'singletons', names: ['partition'], ttlMs, writeEveryMs: 20 });
      const first = await waitFor('holder wrote', async () =>
        (await readLog(log, 'partition')).find((r) => r.kind === 'write'),
      );
      const other = replica('partition-b');
      await other.waitMessage('ready', (m) => m.type === 'ready');
      other.send({ cmd: 'singletons', names: ['partition'], ttlMs, writeEveryMs: 20 });
      // The holder's store traffic stops; its fenced writes (direct to Postgres) still go through,
      // so only its own deadline can stop it before the other replica acquires.
      proxy.partition();
      const ended = await holder.waitMessage('run killed', (m) => m.type === 'ended');
      expect(ended.code).toBe('ERR_LEASE_LOST');
      await takeover('partition', holder, first.fence);
      await holder.kill('SIGKILL');
      checkFencedLog(await readLog(log, 'partition'), { noOverlap: true });
    } finally {
      await proxy.close();
    }
  }, 40_000);

  it('SIGSTOP past the ttl, then SIGCONT: the resumed holder kills its run; its late write is rejected', async () => {
    const ttlMs = 1000;
    const [holder, other] = await pair('pause', ttlMs, { GORX_LATE_WRITE: '1' });
    const oldFence = (await readLog(log, 'pause')).find((r) => r.replica === holder.id)!.fence;
    holder.child.kill('SIGSTOP');
    // Paused past its ttl: the other replica takes over and writes with a newer fence.
    await takeover('pause', holder, oldFence);
    holder.child.kill('SIGCONT');
    const ended = await holder.waitMessage(
      'run killed',
      (m) => m.type === 'ended' && m.name === 'pause',
    );
    expect(ended.code).toBe('ERR_LEASE_LOST');
    const late = await holder.waitMessage('late write', (m) => m.type === 'late');
    expect(late.fence).toBe(String(oldFence));
    expect(late.accepted).toBe(false);
    expect(other.alive).toBe(true);
    checkFencedLog(await readLog(log, 'pause'), { noOverlap: false });
  }, 40_000);

  it('event-loop stall longer than the ttl: the holder kills its run; its late write is rejected', async () => {
    const ttlMs = 1000;
    const [holder] = await pair('stall', ttlMs);
    const oldFence = (await readLog(log, 'stall')).find((r) => r.replica === holder.id)!.fence;
    const file = join(tmp, 'release-stall');
    holder.send({ cmd: 'stall', file });
    // The stall lasts until the other replica has taken over and written: longer than the ttl.
    await takeover('stall', holder, oldFence);
    writeFileSync(file, '');
    const late = await holder.waitMessage('late write', (m) => m.type === 'late');
    expect(late.fence).toBe(String(oldFence));
    expect(late.accepted).toBe(false);
    const ended = await holder.waitMessage(
      'run killed',
      (m) => m.type === 'ended' && m.name === 'stall',
    );
    expect(ended.code).toBe('ERR_LEASE_LOST');
    checkFencedLog(await readLog(log, 'stall'), { noOverlap: false });
  }, 40_000);

  it('Postgres restarted within the margin: the holder keeps its lease and fence, nobody else acquires', async () => {
    const ttlMs = 8000;
    const [holder, other] = await pair('restart-short', ttlMs);
    const rows0 = await readLog(log, 'restart-short');
    const fence = rows0.find((r) => r.replica === holder.id)!.fence;
    const lastId = rows0[rows0.length - 1]!.id;
    await db.stop();
    await db.start();
    // The holder's writes resume with the same fence after the restart.
    await waitFor('holder writes again after the restart', async () => {
      try {
        return (await readLog(log, 'restart-short')).find(
          (r) => r.id > lastId && r.replica === holder.id && r.accepted,
        );
      } catch {
        return undefined;
      }
    });
    const rows = await readLog(log, 'restart-short');
    expect(
      rows.filter((r) => r.id > lastId).every((r) => r.fence === fence && r.replica === holder.id),
    ).toBe(true);
    expect(holder.has((m) => m.type === 'ended')).toBeUndefined();
    expect(other.has((m) => m.type === 'acquired')).toBeUndefined();
    checkFencedLog(rows, { noOverlap: true });
  }, 40_000);

  it('Postgres down past the ttl: the holder kills its run before anyone else can hold; a higher fence follows', async () => {
    const ttlMs = 1000;
    const [holder] = await pair('restart-long', ttlMs);
    const fence = (await readLog(log, 'restart-long')).find((r) => r.replica === holder.id)!.fence;
    await db.stop();
    // Nobody can acquire while the store is down, so the holder's own deadline must end its run.
    const ended = await holder.waitMessage(
      'run killed while the store is down',
      (m) => m.type === 'ended',
    );
    expect(ended.code).toBe('ERR_LEASE_LOST');
    await db.start();
    const next = await waitFor('a new holder after the restart', async () => {
      try {
        return (await readLog(log, 'restart-long')).find(
          (r) => r.kind === 'start' && r.fence > fence,
        );
      } catch {
        return undefined;
      }
    });
    expect(next.fence).toBeGreaterThan(fence);
    checkFencedLog(await readLog(log, 'restart-long'), { noOverlap: true });
  }, 40_000);
});
