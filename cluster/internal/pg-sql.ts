/**
 * The SQL of the Postgres lease store. The only strings spliced into SQL are the schema and table
 * identifiers, validated against IDENTIFIER and quoted; everything else is a `$n` parameter.
 *
 * Row invariants (one row per lease, never deleted, so fences survive restarts):
 * - `fence` is the newest fence issued for the lease; it only ever grows (`fence + 1`);
 * - `holder` is NULL, or `holder_fence <= fence` and `expires_at` is set;
 * - expiry compares `expires_at` with `clock_timestamp()`: the server's clock alone.
 */

/** Unquoted identifiers we accept: Postgres' own rule, ASCII only, at most 63 bytes. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Precondition: `IDENTIFIER.test(id)`. Quotes anyway, so reserved words work too. */
export function quoteIdent(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}

/** The one NOTIFY channel; the payload is the lease key in hex (fixed length, any name). */
export const CHANNEL = 'gorx_cluster';

export interface LeaseSql {
  ddl: string[];
  tryAcquire: string;
  waitInfo: string;
  takeTicket: string;
  tryStart: string;
  renew: string;
  release: string;
  saveDetails: string;
  inspect: string;
}

/** Precondition: both identifiers passed IDENTIFIER. */
export function leaseSql(schema: string, table: string): LeaseSql {
  const t = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const ttl = (n: number): string => `clock_timestamp() + $${n}::float8 * interval '1 millisecond'`;
  return {
    ddl: [
      ...(schema === 'public' ? [] : [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`]),
      `CREATE TABLE IF NOT EXISTS ${t} (
        key bytea PRIMARY KEY,
        scope text NOT NULL,
        name text NOT NULL,
        fence bigint NOT NULL,
        holder text,
        holder_fence bigint,
        expires_at timestamptz,
        details text,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`,
    ],
    // $1 key, $2 scope, $3 name, $4 holder, $5 ttlMs
    tryAcquire: `INSERT INTO ${t} AS l (key, scope, name, fence, holder, holder_fence, expires_at)
      VALUES ($1, $2, $3, 1, $4, 1, ${ttl(5)})
      ON CONFLICT (key) DO UPDATE SET fence = l.fence + 1, holder = excluded.holder,
        holder_fence = l.fence + 1, expires_at = excluded.expires_at, updated_at = clock_timestamp()
      WHERE l.holder IS NULL OR l.expires_at <= clock_timestamp()
      RETURNING holder_fence::text AS fence, details`,
    // $1 key
    waitInfo: `SELECT fence::text AS fence,
        CASE WHEN holder IS NULL OR expires_at <= clock_timestamp() THEN 0
          ELSE ceil(extract(epoch FROM expires_at - clock_timestamp()) * 1000) END AS wait_ms
      FROM ${t} WHERE key = $1`,
    // $1 key, $2 scope, $3 name, $4 channel
    takeTicket: `WITH t AS (
        INSERT INTO ${t} AS l (key, scope, name, fence) VALUES ($1, $2, $3, 1)
        ON CONFLICT (key) DO UPDATE SET fence = l.fence + 1, updated_at = clock_timestamp()
        RETURNING fence, key)
      SELECT fence::text AS fence, pg_notify($4, encode(key, 'hex')) FROM t`,
    // $1 key, $2 holder, $3 fence, $4 ttlMs
    tryStart: `UPDATE ${t} SET holder = $2, holder_fence = $3::bigint, expires_at = ${ttl(4)},
        updated_at = clock_timestamp()
      WHERE key = $1 AND fence = $3::bigint
        AND (holder IS NULL OR expires_at <= clock_timestamp())
      RETURNING details`,
    // $1 key, $2 holder, $3 fence, $4 ttlMs
    renew: `UPDATE ${t} SET expires_at = ${ttl(4)}, updated_at = clock_timestamp()
      WHERE key = $1 AND holder = $2 AND holder_fence = $3::bigint
        AND expires_at > clock_timestamp()
      RETURNING fence::text AS latest`,
    // $1 key, $2 holder, $3 fence, $4 channel
    release: `WITH r AS (
        UPDATE ${t} SET holder = NULL, expires_at = NULL, updated_at = clock_timestamp()
        WHERE key = $1 AND holder = $2 AND holder_fence = $3::bigint RETURNING key)
      SELECT pg_notify($4, encode(key, 'hex')) FROM r`,
    // $1 key, $2 holder, $3 fence, $4 details (JSON text)
    saveDetails: `UPDATE ${t} SET details = $4, updated_at = clock_timestamp()
      WHERE key = $1 AND holder = $2 AND holder_fence = $3::bigint`,
    // $1 key
    inspect: `SELECT scope, fence::text AS fence,
        CASE WHEN holder IS NOT NULL AND expires_at > clock_timestamp() THEN holder END AS holder,
        CASE WHEN holder IS NOT NULL AND expires_at > clock_timestamp()
          THEN floor(extract(epoch FROM expires_at - clock_timestamp()) * 1000) END AS expires_in_ms,
        details
      FROM ${t} WHERE key = $1`,
  };
}
