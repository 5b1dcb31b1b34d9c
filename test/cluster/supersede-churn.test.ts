// Cluster-wide supersede between two replica processes, and churn: 3 replicas x 20 singletons
// with random SIGKILLs for a bounded time. Real Postgres, real child processes; the fenced-write
// log in Postgres is the witness (see checkFencedLog).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { startPostgres, waitFor, type TestPostgres } from '../helpers/postgres.js';
import { checkFencedLog, createLogTables, readLog, Replica, requireBuild } from './support.js';

let db: TestPostgres;
let log: pg.Pool;
let replicas: Replica[] = [];

beforeAll(async () => {
  requireBuild();
  db = await startPostgres();
  log = await createLogTables(db.url);
}, 60_000);
afterEach(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  replicas = [];
});
afterAll(async () => {
  await log?.end();
  await db?.destroy();
});

async function replica(id: string): Promise<Replica> {
  const r = new Replica(id, db.url);
  replicas.push(r);
  await r.waitMessage('ready', (m) => m.type === 'ready');
  return r;
}

describe('supersedeAcrossCluster between processes', () => {
  it("a call on replica B kills A's run: A's finally is logged before B starts, and A rejects SupersededError", async () => {
    const [a, b] = await Promise.all([replica('sup-a'), replica('sup-b')]);
    a.send({ cmd: 'supersede', key: 'report:7', tag: 'a', hold: true, ttlMs: 5000 });
    await a.waitMessage('a started', (m) => m.type === 'started');
    b.send({ cmd: 'supersede', key: 'report:7', tag: 'b', hold: false, ttlMs: 5000 });
    const ra = await a.waitMessage('a result', (m) => m.type === 'result');
    const rb = await b.waitMessage('b result', (m) => m.type === 'result');
    expect(ra.code).toBe('ERR_SUPERSEDED');
    expect(rb.value).toBe('b');
    const rows = await readLog(log, 'report:7');
    expect(rows.map((r) => `${r.kind} ${r.fence} ${r.accepted}`)).toEqual([
      'start:a 1 true',
      'finally:a 1 true',
      'start:b 2 true',
    ]);
    checkFencedLog(rows, { noOverlap: true });
  }, 30_000);

  it("with A's replica paused, B starts after A's lease expired; A's late finally write is rejected", async () => {
    const [a, b] = await Promise.all([replica('sup2-a'), replica('sup2-b')]);
    a.send({ cmd: 'supersede', key: 'report:8', tag: 'a', hold: true, ttlMs: 1000 });
    await a.waitMessage('a started', (m) => m.type === 'started');
    a.child.kill('SIGSTOP');
    b.send({ cmd: 'supersede', key: 'report:8', tag: 'b', hold: false, ttlMs: 1000 });
    const rb = await b.waitMessage('b result', (m) => m.type === 'result');
    expect(rb.value).toBe('b');
    a.child.kill('SIGCONT');
    const ra = await a.waitMessage('a result', (m) => m.type === 'result');
    // Unreachable, A could not be told: it learns on resuming that its lease is gone.
    expect(ra.code).toBe('ERR_LEASE_LOST');
    const rows = await readLog(log, 'report:8');
    expect(rows.map((r) => `${r.kind} ${r.fence} ${r.accepted}`)).toEqual([
      'start:a 1 true',
      'start:b 2 true',
      'finally:a 1 false',
    ]);
    checkFencedLog(rows, { noOverlap: false });
  }, 30_000);
});

describe('churn', () => {
  it('3 replicas x 20 singletons with random SIGKILLs: never two holders, fences strictly increase', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `churn-${i}`);
    const ttlMs = 1000;
    let seed = Number(process.env.GORX_CHURN_SEED ?? Date.now() % 100_000);
    const seedUsed = seed;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let next = 0;
    const spawn = async (): Promise<Replica> => {
      const r = await replica(`churn-r${next++}`);
      r.send({ cmd: 'singletons', names, ttlMs, writeEveryMs: 200 });
      return r;
    };
    const live = await Promise.all([spawn(), spawn(), spawn()]);
    const maxId = async (): Promise<number> =>
      Number((await log.query(`SELECT coalesce(max(id), 0)::int AS m FROM fenced_log`)).rows[0].m);
    /** Every name has an accepted write after log id `after`: all 20 are held again. */
    const allHeldAfter = (after: number) =>
      waitFor(
        'every singleton held again',
        async () =>
          Number(
            (
              await log.query(
                `SELECT count(DISTINCT name)::int AS n FROM fenced_log WHERE id > $1 AND accepted AND name LIKE 'churn-%'`,
                [after],
              )
            ).rows[0].n,
          ) === names.length,
        30_000,
      );
    await allHeldAfter(0);
    const endAt = performance.now() + 12_000;
    let kills = 0;
    while (performance.now() < endAt) {
      const victim = live.splice(Math.floor(random() * live.length), 1)[0]!;
      const mark = await maxId();
      await victim.kill('SIGKILL');
      kills++;
      live.push(await spawn());
      await allHeldAfter(mark);
    }
    await Promise.all(live.map((r) => r.stop()));
    let takeovers = 0;
    for (const name of names) {
      const rows = await readLog(log, name);
      takeovers += new Set(rows.map((r) => r.fence)).size - 1;
      try {
        checkFencedLog(rows, { noOverlap: true });
      } catch (e) {
        throw new Error(`${name} (seed ${seedUsed}): ${String(e)}`, { cause: e });
      }
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    // The scenario exercised take-overs, not just one holder per name.
    expect(takeovers).toBeGreaterThanOrEqual(kills);
  }, 90_000);
});
