// gorx/nest cluster integration against a real PostgreSQL: two Nest applications in this process
// act as two replicas, each with its own lease store (own connections). Multi-process failure
// guarantees are proven in failover.test.ts; this file covers the Nest wiring: standby, fences,
// events, heartbeat details handed over through the store, health, outages, cluster supersede.
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { sleep, SupersededError } from 'gorx';
import { postgresStore, type LeaseStore } from 'gorx/cluster';
import {
  BackgroundWorker,
  GorxHealthIndicator,
  Supersede,
  supersedeContext,
  type SingletonWorkerContext,
} from 'gorx/nest';
import { expectNothingLeft } from '../helpers/leaks.js';
import { startPostgres, waitFor, type TestPostgres } from '../helpers/postgres.js';
import { createApp, trace, type TestApp } from '../nest/nest-helpers.js';

let db: TestPostgres;
let apps: TestApp[] = [];
let stores: LeaseStore[] = [];

beforeAll(async () => {
  db = await startPostgres();
}, 60_000);
afterEach(async () => {
  for (const t of apps) await t.app.close();
  await Promise.all(stores.map((s) => s.close()));
  apps = [];
  stores = [];
  expectNothingLeft();
});
afterAll(async () => {
  await db?.destroy();
});

/** Progress seen by every replica's worker, in this process. */
const seen: { app: string; fence: bigint; lastHeartbeat: unknown }[] = [];

@Injectable()
class Ledger {
  static appName = '';
  readonly app = Ledger.appName;
  @BackgroundWorker({
    name: 'ledger',
    singleton: true,
    leaseTtlMs: 1000,
    backoff: { initialMs: 50, maxMs: 100 },
  })
  async sync(ctx: SingletonWorkerContext<{ cursor: number }>): Promise<void> {
    seen.push({ app: this.app, fence: ctx.fence, lastHeartbeat: ctx.lastHeartbeat });
    let cursor = ctx.lastHeartbeat?.cursor ?? 0;
    for (;;) {
      ctx.heartbeat({ cursor: ++cursor });
      await sleep(20, ctx);
    }
  }
}

@Injectable()
class Reports {
  static appName = '';
  readonly app = Reports.appName;
  readonly log: string[] = [];
  @Supersede({ scope: 'cluster', key: (id: string) => id })
  async render(id: string, holdMs: number): Promise<string> {
    const run = supersedeContext()!;
    this.log.push(`${this.app} start ${id} fence ${run.fence}`);
    try {
      await sleep(holdMs, { signal: run.signal });
      return `${this.app} rendered ${id}`;
    } finally {
      this.log.push(`${this.app} finally ${id}`);
    }
  }
}

async function replica(
  name: string,
  providers: (typeof Ledger | typeof Reports)[],
): Promise<TestApp> {
  Ledger.appName = name;
  Reports.appName = name;
  const store = postgresStore({ connectionString: db.url, pollIntervalMs: 100 });
  stores.push(store);
  const t = await createApp({ providers }, { cluster: { store } });
  apps.push(t);
  return t;
}

describe('@BackgroundWorker({ singleton: true })', () => {
  it('runs on one replica (the other in standby), hands over with a higher fence and the last heartbeat', async () => {
    seen.length = 0;
    const a = await replica('a', [Ledger]);
    await waitFor('a holds', () => a.registry.get('ledger')!.lease?.state === 'held');
    const b = await replica('b', [Ledger]);
    await waitFor('b waits', () => b.registry.get('ledger')!.state === 'standby');
    expect(a.registry.get('ledger')!.state).toBe('running');
    expect(trace(a.events, 'ledger')).toEqual(['started ledger#1', 'lease-acquired ledger#1']);
    const health = a.app.get(GorxHealthIndicator).isHealthy();
    expect(health.gorx.status).toBe('up');
    expect(health.gorx.workers['ledger']!.lease).toEqual({
      state: 'held',
      fence: String(seen[0]!.fence),
    });
    expect(health.gorx.cluster?.store).toMatchObject({ kind: 'postgres', reachable: true });
    expect(JSON.stringify(health)).not.toContain(db.password);
    // Let a's progress reach the store, then shut a down: b takes over.
    await waitFor('a saved progress', async () => {
      const info = await stores[0]!.inspect('lease', 'ledger');
      return ((info?.details as { cursor: number } | undefined)?.cursor ?? 0) >= 3;
    });
    await a.app.close();
    apps.splice(apps.indexOf(a), 1);
    await waitFor('b holds', () => b.registry.get('ledger')!.lease?.state === 'held');
    expect(seen.map((s) => s.app)).toEqual(['a', 'b']);
    expect(seen[1]!.fence).toBeGreaterThan(seen[0]!.fence);
    expect((seen[1]!.lastHeartbeat as { cursor: number }).cursor).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it('a store outage is reported (not down), the holder loses its lease, the standby replica is not restarted', async () => {
    const a = await replica('a', [Ledger]);
    await waitFor('a holds', () => a.registry.get('ledger')!.lease?.state === 'held');
    const b = await replica('b', [Ledger]);
    await waitFor('b waits', () => b.registry.get('ledger')!.state === 'standby');
    await db.stop();
    try {
      await waitFor('a lost its lease', () => a.events.some((e) => e.type === 'lease-lost'));
      await waitFor(
        'outage reported',
        () => a.app.get(GorxHealthIndicator).isHealthy().gorx.cluster?.store.reachable === false,
      );
      const health = a.app.get(GorxHealthIndicator).isHealthy();
      expect(health.gorx.status).toBe('up');
      expect(JSON.stringify(health)).not.toContain(db.password);
      expect(b.registry.get('ledger')!.restarts).toBe(0);
      expect(b.events.some((e) => e.type === 'failed' || e.type === 'restarted')).toBe(false);
    } finally {
      await db.start();
    }
    await waitFor('someone holds again', () =>
      [a, b].some((t) => t.registry.get('ledger')!.lease?.state === 'held'),
    );
  }, 30_000);

  it('singleton: true without a cluster store fails the bootstrap with a clear error', async () => {
    @Injectable()
    class Lonely {
      @BackgroundWorker({ singleton: true })
      async run(): Promise<void> {}
    }
    await expect(createApp({ providers: [Lonely] })).rejects.toThrow(
      /singleton: true needs a lease store/,
    );
  });
});

describe("@Supersede({ scope: 'cluster' })", () => {
  it("scope 'cluster' without a cluster store fails the bootstrap with a clear error", async () => {
    @Injectable()
    class Lonely {
      @Supersede({ scope: 'cluster' })
      async run(): Promise<void> {}
    }
    await expect(createApp({ providers: [Lonely] })).rejects.toThrow(
      /scope 'cluster' needs a lease store/,
    );
  });

  it("a call on replica b kills a's running call; a's finally runs before b starts", async () => {
    const a = await replica('a', [Reports]);
    const b = await replica('b', [Reports]);
    const ra = a.app.get(Reports);
    const rb = b.app.get(Reports);
    const first = ra.render('r1', 60_000);
    await waitFor('a running', () => ra.log.length === 1);
    const second = rb.render('r1', 0);
    await expect(first).rejects.toBeInstanceOf(SupersededError);
    await expect(second).resolves.toBe('b rendered r1');
    expect([...ra.log, ...rb.log]).toEqual([
      'a start r1 fence 1',
      'a finally r1',
      'b start r1 fence 2',
      'b finally r1',
    ]);
  }, 30_000);

  it('app.close() kills a running cluster call and releases its lease', async () => {
    const a = await replica('a', [Reports]);
    const ra = a.app.get(Reports);
    const call = ra.render('r2', 60_000);
    await waitFor('a running', () => ra.log.length === 1);
    await a.app.close();
    apps.splice(apps.indexOf(a), 1);
    await expect(call).rejects.toMatchObject({ code: 'ERR_APPLICATION_SHUTDOWN' });
    expect(ra.log).toEqual(['a start r2 fence 1', 'a finally r2']);
    expect((await stores[0]!.inspect('supersede', 'Reports.render(r2)'))?.holder).toBeNull();
  }, 30_000);
});
