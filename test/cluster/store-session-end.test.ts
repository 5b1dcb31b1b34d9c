// gorx/cluster's Postgres store against a real PostgreSQL that ends a session (a server shutting
// down does; pg_terminate_backend here) just as the session becomes ready: the client reads the
// ReadyForQuery and the FATAL in one chunk, so pg reports the FATAL as an 'error' event on a
// client the store holds checked out, with no query to fail. With no listener on that client at
// that moment, the event crashed the process (seen once in nest.test.ts's store outage, during a
// full `npm test` on a loaded machine). The proxy makes the one chunk certain.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ClusterError, postgresStore, type LeaseStore } from 'gorx/cluster';
import { expectNothingLeft } from '../helpers/leaks.js';
import { startPostgres, waitFor, type TestPostgres } from '../helpers/postgres.js';
import { ReadyHoldProxy } from './support.js';

let db: TestPostgres;
let proxy: ReadyHoldProxy | undefined;
const stores: LeaseStore[] = [];

beforeAll(async () => {
  db = await startPostgres();
}, 60_000);
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await proxy?.close();
  proxy = undefined;
  expectNothingLeft();
});
afterAll(async () => {
  await db?.destroy();
});

/** A store whose first connection goes through a fresh ReadyHoldProxy (`holdAt` as there). */
async function heldStore(holdAt = 1): Promise<{ s: LeaseStore; p: ReadyHoldProxy }> {
  const p = (proxy = await ReadyHoldProxy.start(db.port, holdAt));
  const s = postgresStore({
    connectionString: `postgres://postgres:${db.password}@127.0.0.1:${p.port}/postgres`,
  });
  stores.push(s);
  return { s, p };
}

/**
 * Terminates the backend whose ReadyForQuery `p` holds back, then hands the client that
 * ReadyForQuery and the server's FATAL in one chunk.
 */
async function endAtHeldReady(p: ReadyHoldProxy): Promise<void> {
  const pid = await p.heldPid;
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  try {
    const r = await admin.query('SELECT pg_terminate_backend($1) AS ok', [pid]);
    expect(r.rows[0].ok).toBe(true);
  } finally {
    await admin.end();
  }
  await p.serverEnded;
  p.release();
}

describe('a session the server ends with no query running on it does not crash the process', () => {
  it.each([
    ['as it opens', 1],
    ['as LISTEN is answered', 2],
  ])(
    'the LISTEN connection, %s: the error is reported and the store listens again',
    async (_when, heldReady) => {
      const { s, p } = await heldStore(heldReady);
      let woken = 0;
      const unsubscribe = s.subscribe('lease', 'opening', () => void (woken += 1));
      await endAtHeldReady(p);
      await waitFor('the termination reported', () =>
        s.health().lastError?.includes('terminating connection due to administrator command'),
      );
      await waitFor('listening again', () => s.health().notifications);
      // Subscribers are woken once per connection that becomes the listener: only the second does.
      expect(woken).toBe(1);
      unsubscribe();
    },
  );

  it("the store's first connection (creating the table), as it opens: that operation fails with the server's error, the next one works", async () => {
    const { s, p } = await heldStore();
    const first = s.inspect('lease', 'opening').catch((e: unknown) => e);
    await endAtHeldReady(p);
    const e = await first;
    expect(e).toBeInstanceOf(ClusterError);
    expect(e).toMatchObject({ code: 'ERR_LEASE_STORE', storeCode: '57P01' });
    await expect(s.inspect('lease', 'opening')).resolves.toBeUndefined();
  });

  it("between two statements creating the table: that operation fails with the server's error", async () => {
    const { s, p } = await heldStore(2); // the answer to BEGIN
    const first = s.inspect('lease', 'opening').catch((e: unknown) => e);
    await endAtHeldReady(p);
    expect(await first).toMatchObject({ code: 'ERR_LEASE_STORE', storeCode: '57P01' });
    await expect(s.inspect('lease', 'opening')).resolves.toBeUndefined();
  });
});
