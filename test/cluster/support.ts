/**
 * Support for the multi-process cluster tests: replicas as real child processes
 * (test/fixtures/cluster-replica.mjs against the built package), the fenced-write log tables,
 * and the checks every failure test runs on that log.
 */
import { expect } from '@jest/globals';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { waitFor } from '../helpers/postgres.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

export function requireBuild(): void {
  if (!existsSync(join(root, 'dist/cluster/index.js'))) {
    throw new Error(
      'dist/cluster/index.js is missing: the replica fixture imports the built package. ' +
        'Run `npm run build` first (`npm test` does).',
    );
  }
}

export interface ReplicaMessage {
  replica: string;
  type: string;
  name?: string;
  fence?: string;
  code?: string;
  tag?: string;
  value?: unknown;
  accepted?: boolean | null;
}

/** A replica process and every message it sent. */
export class Replica {
  readonly messages: ReplicaMessage[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  constructor(
    readonly id: string,
    url: string,
    env: Record<string, string> = {},
  ) {
    this.child = fork(join(root, 'test/fixtures/cluster-replica.mjs'), [], {
      cwd: root,
      env: { ...process.env, GORX_PG_URL: url, GORX_REPLICA: id, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m) => this.messages.push(m as ReplicaMessage));
    this.exited = new Promise((r) => this.child.once('exit', () => r()));
  }
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
  send(m: Record<string, unknown>): void {
    this.child.send(m);
  }
  has(pred: (m: ReplicaMessage) => boolean): ReplicaMessage | undefined {
    return this.messages.find(pred);
  }
  waitMessage(
    what: string,
    pred: (m: ReplicaMessage) => boolean,
    timeoutMs = 20_000,
  ): Promise<ReplicaMessage> {
    return waitFor(`${this.id}: ${what}`, () => this.has(pred), timeoutMs);
  }
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.alive) this.child.kill(signal);
    await this.exited;
  }
  /** Graceful stop; SIGKILL if it does not exit within the bound. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGCONT');
    if (this.child.connected) this.send({ cmd: 'stop' });
    const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(t);
  }
}

export async function createLogTables(url: string): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => {});
  await pool.query(
    `CREATE TABLE IF NOT EXISTS fence_guard (name text PRIMARY KEY, fence bigint NOT NULL)`,
  );
  await pool.query(`CREATE TABLE IF NOT EXISTS fenced_log (
    id bigserial PRIMARY KEY, name text NOT NULL, fence bigint NOT NULL, replica text NOT NULL,
    kind text NOT NULL, accepted boolean NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  return pool;
}

export interface LogRow {
  id: number;
  name: string;
  fence: bigint;
  replica: string;
  kind: string;
  accepted: boolean;
}

export async function readLog(pool: pg.Pool, name: string): Promise<LogRow[]> {
  const r = await pool.query(
    `SELECT id::int AS id, name, fence::text AS fence, replica, kind, accepted FROM fenced_log WHERE name = $1 ORDER BY id`,
    [name],
  );
  return r.rows.map((row) => ({ ...row, fence: BigInt(row.fence) }));
}

/**
 * The checks every failure test runs on a lease's fenced-write log:
 * - no write with a stale fence was accepted after a newer fence wrote (accepted fences never
 *   go down in the order the guard decided);
 * - fences strictly increase from one holder to the next (each 'start' higher than the last);
 * - with `noOverlap`: no holder even ATTEMPTED a write after a newer holder wrote (never two
 *   holders acting at once), for scenarios without a paused or stalled process.
 */
export function checkFencedLog(rows: readonly LogRow[], opts: { noOverlap: boolean }): void {
  let maxAccepted = -1n;
  for (const r of rows) {
    if (!r.accepted) continue;
    expect({ id: r.id, fence: r.fence, staleAfter: maxAccepted }).toEqual({
      id: r.id,
      fence: r.fence,
      staleAfter: r.fence >= maxAccepted ? maxAccepted : 'accepted stale write',
    });
    maxAccepted = r.fence;
  }
  const starts = rows.filter((r) => r.kind === 'start').map((r) => r.fence);
  for (let i = 1; i < starts.length; i++) expect(starts[i]).toBeGreaterThan(starts[i - 1]!);
  if (opts.noOverlap) {
    let max = -1n;
    for (const r of rows) {
      expect(
        r.fence >= max
          ? 'in order'
          : `replica ${r.replica} wrote with fence ${r.fence} after ${max}`,
      ).toBe('in order');
      if (r.fence > max) max = r.fence;
    }
  }
}

/**
 * A TCP proxy to Postgres that the test can turn into a black hole (a network partition: bytes
 * stop flowing both ways, connections neither close nor refuse).
 */
export class PartitionProxy {
  private readonly sockets = new Set<Socket>();
  private blackhole = false;
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static start(targetPort: number): Promise<PartitionProxy> {
    return new Promise((resolve, reject) => {
      let proxy: PartitionProxy | undefined;
      const server = createServer((client) => {
        const p = proxy!;
        p.track(client);
        if (p.blackhole) {
          client.pause();
          return;
        }
        const upstream = connect(targetPort, '127.0.0.1');
        p.track(upstream);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const addr = server.address();
        proxy = new PartitionProxy(
          server,
          typeof addr === 'object' && addr !== null ? addr.port : 0,
        );
        resolve(proxy);
      });
    });
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('error', () => s.destroy());
    s.on('close', () => this.sockets.delete(s));
  }

  /** Stops all traffic, in both directions, on every current and future connection. */
  partition(): void {
    this.blackhole = true;
    for (const s of this.sockets) {
      s.unpipe();
      s.pause();
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/**
 * A TCP proxy to Postgres that holds back, on its FIRST connection only, every byte the server
 * sends from its `holdAt`-th ReadyForQuery on (1: the end of the startup, 2: the answer to the
 * first statement, ...) until `release()` hands them to the client in one write and closes: the
 * client then reads that ReadyForQuery and whatever the server sent after it (say the FATAL of a
 * terminated session) in one chunk, as a busy process can when the server goes down at that
 * moment. Later connections pass straight through.
 */
export class ReadyHoldProxy {
  private readonly sockets = new Set<Socket>();
  private first = true;
  private readonly held: Buffer[] = [];
  private heldClient: Socket | null = null;
  private onHeld!: (pid: number) => void;
  private onServerEnd!: () => void;
  /** The first connection's backend pid, once the ReadyForQuery is held back. */
  readonly heldPid: Promise<number> = new Promise((r) => (this.onHeld = r));
  /** The server closed the first connection (everything it sent is held). */
  readonly serverEnded: Promise<void> = new Promise((r) => (this.onServerEnd = r));

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly holdAt: number,
  ) {}

  static start(targetPort: number, holdAt = 1): Promise<ReadyHoldProxy> {
    return new Promise((resolve, reject) => {
      let proxy: ReadyHoldProxy | undefined;
      const server = createServer((client) => proxy!.accept(client, targetPort));
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const addr = server.address();
        proxy = new ReadyHoldProxy(
          server,
          typeof addr === 'object' && addr !== null ? addr.port : 0,
          holdAt,
        );
        resolve(proxy);
      });
    });
  }

  private accept(client: Socket, targetPort: number): void {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => this.sockets.delete(s));
    }
    client.pipe(upstream);
    if (!this.first) {
      upstream.pipe(client);
      return;
    }
    this.first = false;
    this.heldClient = client;
    let pending = Buffer.alloc(0);
    let holding = false;
    let readies = 0;
    let pid = -1;
    upstream.on('data', (chunk: Buffer) => {
      if (holding) {
        this.held.push(chunk);
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      // Server messages: a type byte, then an int32 length that counts itself and the body.
      let off = 0;
      while (pending.length - off >= 5) {
        const type = String.fromCharCode(pending[off]!);
        const len = pending.readInt32BE(off + 1);
        if (pending.length - off < 1 + len) break;
        if (type === 'K') pid = pending.readInt32BE(off + 5); // BackendKeyData
        if (type === 'Z' && ++readies === this.holdAt) {
          client.write(pending.subarray(0, off));
          this.held.push(pending.subarray(off));
          holding = true;
          this.onHeld(pid);
          return;
        }
        off += 1 + len;
      }
      client.write(pending.subarray(0, off));
      pending = pending.subarray(off);
    });
    upstream.on('end', () => (holding ? this.onServerEnd() : client.end()));
  }

  /** Writes everything held back to the first connection's client in one write, then closes it. */
  release(): void {
    this.heldClient?.end(Buffer.concat(this.held));
    this.held.length = 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
