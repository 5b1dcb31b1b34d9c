/**
 * One LISTEN connection per store, shared by every waiter, with reconnect and backoff.
 *
 * Invariants:
 * - at most one connection is open or being opened (`connecting` / `client`);
 * - after a (re)connect every subscriber is called once, since notifications sent while the
 *   connection was down are lost: the waiter re-checks the store (polling is the safety net);
 * - after `close()` nothing reconnects and no timer is left;
 * - an 'error' on the connection always has a listener, from the tick the pool hands it over
 *   until it is released (see `OpenListenConnection`).
 */
import type pg from 'pg';
import { CHANNEL, quoteIdent } from './pg-sql.js';

/** A dedicated connection; `release` gives it back (destroying it). */
export interface ListenConnection {
  client: pg.ClientBase;
  release(): void;
}

/**
 * Opens a dedicated connection with `onError` already listening on its client when the promise
 * settles (attached in the tick the pool hands the client over, until `release`): the server can
 * end a session (a restart, `pg_terminate_backend`) in the very read that completes its startup,
 * and a pg client that emits 'error' with no listener crashes the process.
 */
export type OpenListenConnection = (onError: (e: Error) => void) => Promise<ListenConnection>;

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

export class PgListener {
  private readonly subscribers = new Map<string, Set<() => void>>();
  private conn: ListenConnection | null = null;
  private connecting: Promise<void> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private backoffMs = MIN_BACKOFF_MS;
  private closed = false;
  /** True while the LISTEN connection is up. */
  listening = false;

  constructor(
    private readonly open: OpenListenConnection,
    private readonly onError: (e: unknown) => void,
  ) {}

  subscribe(keyHex: string, cb: () => void): () => void {
    let set = this.subscribers.get(keyHex);
    if (set === undefined) this.subscribers.set(keyHex, (set = new Set()));
    set.add(cb);
    this.ensure();
    return () => {
      const s = this.subscribers.get(keyHex);
      if (s === undefined) return;
      s.delete(cb);
      if (s.size === 0) this.subscribers.delete(keyHex);
    };
  }

  private ensure(): void {
    if (this.closed || this.conn !== null || this.connecting !== null || this.retryTimer !== null) {
      return;
    }
    this.connecting = this.connect().finally(() => {
      this.connecting = null;
    });
  }

  private async connect(): Promise<void> {
    let conn: ListenConnection | null = null;
    // An error before this connection is the listener's (during the checkout or the LISTEN):
    // the connection is given up and opened again.
    let early: Error | null = null;
    const throwIfEarly = (): void => {
      if (early !== null) throw early;
    };
    try {
      conn = await this.open((e) => {
        if (conn !== null && this.conn === conn) this.lost(conn, e);
        else early ??= e;
      });
      if (this.closed) {
        conn.release();
        return;
      }
      const c = conn;
      c.client.on('notification', (msg) => this.deliver(msg.payload ?? ''));
      c.client.on('end', () => this.lost(c, undefined));
      throwIfEarly();
      await c.client.query(`LISTEN ${quoteIdent(CHANNEL)}`);
      // The LISTEN's answer and the server's goodbye can come in one read: the query succeeds,
      // then the client reports the error before this line runs.
      throwIfEarly();
      if (this.closed) {
        c.release();
        return;
      }
      this.conn = c;
      this.listening = true;
      this.backoffMs = MIN_BACKOFF_MS;
      this.wakeAll();
    } catch (e) {
      if (conn !== null) conn.release();
      this.onError(e);
      this.scheduleRetry();
    }
  }

  private lost(c: ListenConnection, e: unknown): void {
    if (this.conn !== c) return;
    this.conn = null;
    this.listening = false;
    c.release();
    if (e !== undefined) this.onError(e);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer !== null) return;
    const ms = this.backoffMs;
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.ensure();
    }, ms);
    // A reconnect loop must not keep a process alive that has nothing else to do.
    this.retryTimer.unref?.();
  }

  private deliver(keyHex: string): void {
    const set = this.subscribers.get(keyHex);
    if (set === undefined) return;
    for (const cb of [...set]) cb();
  }

  private wakeAll(): void {
    for (const set of [...this.subscribers.values()]) for (const cb of [...set]) cb();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const c = this.conn;
    this.conn = null;
    this.listening = false;
    this.subscribers.clear();
    if (c !== null) c.release();
    await this.connecting;
  }
}
