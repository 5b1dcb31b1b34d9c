// A benchmark replica: holds a singleton (gorx/cluster lease) or an advisory-lock singleton and
// reports over IPC when it starts holding. Started by index.ts.
import pg from 'pg';
import { sleep } from 'gorx';
import { postgresStore, singleton } from 'gorx/cluster';

const url = process.env.DATABASE_URL!;
const mode = process.env.MODE!;
const ttlMs = Number(process.env.TTL_MS);
const pollMs = Number(process.env.POLL_MS);
const at = (): number => performance.timeOrigin + performance.now();

if (mode === 'lease') {
  const store = postgresStore({ connectionString: url, pollIntervalMs: pollMs });
  for (;;) {
    const g = singleton(
      store,
      'bench-takeover',
      async (ctx) => {
        process.send!({ held: String(ctx.fence), at: at() });
        await sleep(3_600_000, ctx);
      },
      { ttlMs },
    );
    await g.done.catch(() => {});
  }
} else {
  // The advisory-lock singleton: one session keeps the lock; waiters retry every pollMs.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (;;) {
    const r = await client.query('SELECT pg_try_advisory_lock(4242) AS ok');
    if (r.rows[0].ok === true) {
      process.send!({ held: 'advisory', at: at() });
      await new Promise(() => {});
    }
    await sleep(pollMs);
  }
}
