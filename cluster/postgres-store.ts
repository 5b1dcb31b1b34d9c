/**
 * `postgresStore`: the PostgreSQL `LeaseStore`. One row per lease in `schema.table` (created on
 * first use), expiry decided by the server's `clock_timestamp()`, fences kept in the row so they
 * keep growing across server restarts, LISTEN/NOTIFY for prompt hand-over.
 * @module
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type pg from 'pg';
import { ClusterError } from './errors.js';
import type {
  AcquireResult,
  LeaseInfo,
  LeaseScope,
  LeaseStore,
  RenewResult,
  StoreHealth,
} from './lease-store.js';
import { checkout } from './internal/pg-checkout.js';
import { PgListener, type ListenConnection } from './internal/pg-listener.js';
import { CHANNEL, IDENTIFIER, leaseSql, type LeaseSql } from './internal/pg-sql.js';
import { scrub } from './internal/scrub.js';
import { checkOptions, invalid } from './internal/validate.js';

/** Options of `postgresStore`. Give exactly one of `pool` and `connectionString`. */
export interface PostgresStoreOptions {
  /** A `pg.Pool` to use; the store borrows one connection from it for LISTEN, and never ends it. */
  pool?: pg.Pool | undefined;
  /** A connection string; the store opens (and `close()` ends) its own small pool. */
  connectionString?: string | undefined;
  /** Schema of the lease table (default `'public'`); created if missing. */
  schema?: string | undefined;
  /** Lease table (default `'gorx_leases'`); created if missing. */
  table?: string | undefined;
  /** Safety-net polling interval of waiters, in ms (default 1000): a NOTIFY can be missed. */
  pollIntervalMs?: number | undefined;
}

const FN = 'postgresStore';
/** Bound on any one store query (ms); lease operations use their ttl. */
const QUERY_TIMEOUT_MS = 30_000;
const OPTION_KEYS = ['pool', 'connectionString', 'schema', 'table', 'pollIntervalMs'] as const;

/**
 * Creates a PostgreSQL lease store. Nothing touches the database until the first operation,
 * which creates the schema and table if needed.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { postgresStore, singleton } from 'gorx/cluster';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const store = postgresStore({ pool, table: 'app_leases' });
 * const g = singleton(store, 'nightly-report', async (ctx) => console.log('fence', ctx.fence), {
 *   ttlMs: 15_000,
 * });
 * await g.done;
 * await store.close();
 * await pool.end();
 * ```
 */
export function postgresStore(options: PostgresStoreOptions): LeaseStore {
  checkOptions(FN, options, OPTION_KEYS, true);
  const o = options as PostgresStoreOptions;
  const hasPool = o.pool !== undefined;
  const hasUrl = o.connectionString !== undefined;
  if (hasPool === hasUrl) throw invalid(FN, 'give exactly one of `pool` and `connectionString`');
  if (hasPool) {
    const p = o.pool as unknown as Record<string, unknown> | null;
    if (
      p === null ||
      typeof p !== 'object' ||
      typeof p.query !== 'function' ||
      typeof p.connect !== 'function'
    ) {
      throw invalid(FN, '`pool` must be a pg.Pool');
    }
  }
  // The connection string itself never appears in an error: it may hold a password.
  if (hasUrl && (typeof o.connectionString !== 'string' || o.connectionString.length === 0)) {
    throw invalid(FN, '`connectionString` must be a non-empty string');
  }
  const schema = checkIdentifier('schema', o.schema ?? 'public');
  const table = checkIdentifier('table', o.table ?? 'gorx_leases');
  const pollIntervalMs = o.pollIntervalMs ?? 1000;
  if (
    typeof pollIntervalMs !== 'number' ||
    !Number.isInteger(pollIntervalMs) ||
    pollIntervalMs < 10 ||
    pollIntervalMs > 600_000
  ) {
    throw invalid(FN, '`pollIntervalMs` must be an integer in [10, 600000]');
  }
  return new PostgresLeaseStore(o.pool, o.connectionString, schema, table, pollIntervalMs);
}

function checkIdentifier(what: string, v: unknown): string {
  if (typeof v !== 'string' || !IDENTIFIER.test(v)) {
    throw invalid(
      FN,
      `\`${what}\` must be an identifier (letters, digits, _; not starting with a digit; at most 63 characters)`,
    );
  }
  return v;
}

/** The row key: sha256 of scope and name, so any name (any length, any characters) is one key. */
function leaseKey(scope: LeaseScope, name: string): Buffer {
  return createHash('sha256').update(`${scope}\u0000${name}`, 'utf8').digest();
}

/** Human-readable copy of the name for the table (text cannot hold NUL); never used to look up. */
function displayName(name: string): string {
  return name.split('\u0000').join('\uFFFD');
}

class PostgresLeaseStore implements LeaseStore {
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly sql: LeaseSql;
  private readonly listener: PgListener;
  private readonly secrets: string[];
  private ready: Promise<void> | null = null;
  private closed = false;
  private reachable = true;
  private lastError: string | undefined;
  private readonly onPoolError = (e: Error): void => void this.fail(e);

  constructor(
    pool: pg.Pool | undefined,
    connectionString: string | undefined,
    readonly schema: string,
    readonly table: string,
    readonly pollIntervalMs: number,
  ) {
    this.ownsPool = pool === undefined;
    this.pool =
      pool ??
      new (loadPg().Pool)({
        connectionString,
        max: 4,
        connectionTimeoutMillis: 5_000,
        idleTimeoutMillis: 10_000,
      });
    this.secrets = collectSecrets(connectionString, this.pool);
    // An idle pooled connection that dies (server restart) emits 'error' on the pool; without a
    // listener that would crash the process.
    this.pool.on('error', this.onPoolError);
    this.sql = leaseSql(schema, table);
    this.listener = new PgListener(
      async (onError): Promise<ListenConnection> => {
        const c = await checkout(this.pool, onError);
        return { client: c.client, release: () => c.release(true) };
      },
      (e) => void this.fail(e),
    );
  }

  health(): StoreHealth {
    return {
      kind: 'postgres',
      reachable: this.reachable,
      notifications: this.listener.listening,
      lastError: this.lastError,
    };
  }

  async tryAcquire(
    scope: LeaseScope,
    name: string,
    holder: string,
    ttlMs: number,
  ): Promise<AcquireResult> {
    const key = leaseKey(scope, name);
    const r = await this.query(
      this.sql.tryAcquire,
      [key, scope, displayName(name), holder, ttlMs],
      ttlMs,
    );
    if (r.rows.length === 1) {
      return {
        acquired: true,
        fence: BigInt(r.rows[0].fence),
        details: parseDetails(r.rows[0].details),
      };
    }
    return this.notAcquired(key, undefined);
  }

  async takeTicket(scope: LeaseScope, name: string): Promise<bigint> {
    const r = await this.query(this.sql.takeTicket, [
      leaseKey(scope, name),
      scope,
      displayName(name),
      CHANNEL,
    ]);
    return BigInt(r.rows[0].fence);
  }

  async tryStart(
    scope: LeaseScope,
    name: string,
    holder: string,
    fence: bigint,
    ttlMs: number,
  ): Promise<AcquireResult> {
    const key = leaseKey(scope, name);
    const r = await this.query(this.sql.tryStart, [key, holder, fence.toString(), ttlMs], ttlMs);
    if (r.rows.length === 1)
      return { acquired: true, fence, details: parseDetails(r.rows[0].details) };
    return this.notAcquired(key, fence);
  }

  private async notAcquired(key: Buffer, ticket: bigint | undefined): Promise<AcquireResult> {
    const w = await this.query(this.sql.waitInfo, [key]);
    if (w.rows.length === 0) return { acquired: false, retryInMs: 0, superseded: false };
    const latest = BigInt(w.rows[0].fence);
    return {
      acquired: false,
      retryInMs: Number(w.rows[0].wait_ms),
      superseded: ticket !== undefined && latest > ticket,
    };
  }

  async renew(
    scope: LeaseScope,
    name: string,
    holder: string,
    fence: bigint,
    ttlMs: number,
  ): Promise<RenewResult> {
    const r = await this.query(
      this.sql.renew,
      [leaseKey(scope, name), holder, fence.toString(), ttlMs],
      ttlMs,
    );
    return r.rows.length === 1
      ? { held: true, latestFence: BigInt(r.rows[0].latest) }
      : { held: false };
  }

  async release(scope: LeaseScope, name: string, holder: string, fence: bigint): Promise<void> {
    await this.query(this.sql.release, [leaseKey(scope, name), holder, fence.toString(), CHANNEL]);
  }

  async saveDetails(
    scope: LeaseScope,
    name: string,
    holder: string,
    fence: bigint,
    details: unknown,
  ): Promise<boolean> {
    const json = details === undefined ? null : JSON.stringify(details);
    const r = await this.query(this.sql.saveDetails, [
      leaseKey(scope, name),
      holder,
      fence.toString(),
      json,
    ]);
    return r.rowCount === 1;
  }

  async inspect(scope: LeaseScope, name: string): Promise<LeaseInfo | undefined> {
    const r = await this.query(this.sql.inspect, [leaseKey(scope, name)]);
    if (r.rows.length === 0) return undefined;
    const row = r.rows[0];
    return {
      name,
      scope,
      fence: BigInt(row.fence),
      holder: row.holder ?? null,
      expiresInMs: row.expires_in_ms === null ? null : Number(row.expires_in_ms),
      details: parseDetails(row.details),
    };
  }

  subscribe(scope: LeaseScope, name: string, onChange: () => void): () => void {
    if (this.closed) return () => {};
    return this.listener.subscribe(leaseKey(scope, name).toString('hex'), onChange);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.listener.close();
    await this.ready?.catch(() => {});
    // Our own pool keeps its listener for good: a connection that is still closing can report an
    // error after end() resolved (e.g. the server shutting down), which would otherwise crash.
    if (this.ownsPool) await this.pool.end();
    else this.pool.off('error', this.onPoolError);
  }

  /** Runs one parameterized statement, creating the table first if this store has not yet. */
  private async query(
    text: string,
    params: unknown[],
    timeoutMs = QUERY_TIMEOUT_MS,
  ): Promise<pg.QueryResult> {
    if (this.closed) throw new ClusterError('ERR_LEASE_STORE_CLOSED', 'the lease store is closed');
    try {
      if (this.ready === null) this.ready = this.createTable();
      try {
        await this.ready;
      } catch (e) {
        this.ready = null; // try again on the next call
        throw e;
      }
      // A bounded wait: on a network black hole a query would otherwise hang for good (the pool
      // discards the connection of a timed-out query).
      const r = await this.pool.query({
        text,
        values: params,
        query_timeout: timeoutMs,
      } as pg.QueryConfig);
      this.reachable = true;
      return r;
    } catch (e) {
      throw this.fail(e);
    }
  }

  private async createTable(): Promise<void> {
    // An error the client reports between two statements (no query to fail with it) leaves it
    // unqueryable: the next statement fails with a vaguer error, so this one is rethrown.
    let lost: Error | undefined;
    const c = await checkout(this.pool, (e) => {
      lost ??= e;
    });
    const client = c.client;
    try {
      // Replicas starting together would race on CREATE ... IF NOT EXISTS (a unique violation
      // in the catalog): serialize them on a transaction-scoped advisory lock.
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['gorx.cluster.ddl']);
      for (const ddl of this.sql.ddl) {
        await client.query({ text: ddl, query_timeout: QUERY_TIMEOUT_MS } as pg.QueryConfig);
      }
      await client.query('COMMIT');
      c.release(false);
    } catch (e) {
      c.release(true);
      throw lost ?? e;
    }
  }

  /** Records a failure and returns it as a ClusterError whose text holds no secret. */
  private fail(e: unknown): ClusterError {
    if (e instanceof ClusterError) return e;
    const raw = e instanceof Error ? e.message : String(e);
    const code = (e as { code?: unknown } | null)?.code;
    const message = scrub(raw, this.secrets);
    this.reachable = false;
    this.lastError = message;
    return new ClusterError(
      'ERR_LEASE_STORE',
      `lease store (postgres): ${message}`,
      typeof code === 'string' ? code : undefined,
    );
  }
}

function parseDetails(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * `pg` is an optional peer: loaded when a store makes its own pool, so importing gorx/cluster (as
 * gorx/nest does) works in an app that has no `pg` installed.
 */
function loadPg(): typeof pg {
  return createRequire(import.meta.url)('pg') as typeof pg;
}

function collectSecrets(connectionString: string | undefined, pool: pg.Pool): string[] {
  const out: string[] = [];
  if (connectionString !== undefined) {
    out.push(connectionString);
    try {
      const u = new URL(connectionString);
      if (u.password) out.push(u.password, decodeURIComponent(u.password));
    } catch {}
  }
  const pw = (pool as unknown as { options?: { password?: unknown } }).options?.password;
  if (typeof pw === 'string' && pw.length > 0) out.push(pw);
  return out.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
}
