// One replica of the gorx/cluster sample service (started three times by main.ts).
// GET /cluster           which workers this replica holds, with fences, and the store's health
// POST /reindex/:tenant  a cluster-wide supersede: a newer call on any replica kills the running one
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { sleep, SupersededError } from 'gorx';
import { postgresStore } from 'gorx/cluster';
import {
  BackgroundWorker,
  GorxHealthIndicator,
  GorxModule,
  Supersede,
  supersedeContext,
  WorkerRegistry,
  type SingletonWorkerContext,
} from 'gorx/nest';

const replica = process.env.REPLICA ?? 'r?';
const store = postgresStore({ connectionString: process.env.DATABASE_URL!, pollIntervalMs: 250 });

@Injectable()
class Jobs {
  // Exactly one ledger sync in the cluster. Its progress (the cursor) is kept in the lease store,
  // so the replica that takes over continues where the last holder stopped.
  @BackgroundWorker({ name: 'ledger-sync', singleton: true, leaseTtlMs: 2_000 })
  async ledgerSync(ctx: SingletonWorkerContext<{ cursor: number }>): Promise<void> {
    let cursor = ctx.lastHeartbeat?.cursor ?? 0;
    for (;;) {
      cursor++; // a real worker would write with `WHERE fence <= ctx.fence` (docs/cluster.md)
      ctx.heartbeat({ cursor });
      await sleep(100, ctx);
    }
  }

  @BackgroundWorker({ name: 'mail-digest', singleton: true, leaseTtlMs: 2_000 })
  async mailDigest(ctx: SingletonWorkerContext): Promise<void> {
    for (;;) await sleep(1_000, ctx);
  }

  @Supersede({ scope: 'cluster', key: (tenant: string) => tenant })
  async reindex(tenant: string): Promise<string> {
    const run = supersedeContext()!;
    await sleep(3_000, { signal: run.signal });
    return `${replica} reindexed ${tenant} (fence ${run.fence})`;
  }
}

@Controller()
class ClusterController {
  constructor(
    private readonly registry: WorkerRegistry,
    private readonly health: GorxHealthIndicator,
    private readonly jobs: Jobs,
  ) {}

  @Get('cluster')
  status(): unknown {
    const workers = this.registry.list().map((w) => ({
      name: w.name,
      state: w.state,
      fence: w.lease?.fence ?? null,
      cursor: (w.lastHeartbeatDetails as { cursor?: number } | undefined)?.cursor,
    }));
    return {
      replica,
      pid: process.pid,
      workers,
      store: this.health.isHealthy().gorx.cluster?.store,
    };
  }

  @Post('reindex/:tenant')
  async reindex(@Param('tenant') tenant: string): Promise<string> {
    try {
      return await this.jobs.reindex(tenant);
    } catch (e) {
      if (e instanceof SupersededError)
        return `${replica}: superseded by a newer reindex of ${tenant}`;
      throw e;
    }
  }
}

@Module({
  imports: [GorxModule.forRoot({ cluster: { store }, lifecycleLogLevel: 'off' })],
  providers: [Jobs],
  controllers: [ClusterController],
})
class ReplicaModule {}

const app = await NestFactory.create(ReplicaModule, { logger: ['error', 'warn'] });
await app.listen(Number(process.env.PORT), '127.0.0.1');
process.send?.({ ready: true });
// Shutdown: workers are killed (their leases released for the other replicas), then the store
// is closed. Ctrl-C reaches every replica too.
let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    void app
      .close()
      .then(() => store.close())
      .then(() => process.exit(0));
  });
}
