/**
 * Checking a client out of a pg pool without a moment in which an 'error' event on it has no
 * listener (such an event crashes the process).
 */
import type pg from 'pg';

/** A client checked out of a pool, with an 'error' listener of ours until `release`. */
export interface Checkout {
  readonly client: pg.PoolClient;
  /** Gives the client back (`destroy`: closed instead of kept idle) and removes our listener. */
  release(destroy: boolean): void;
}

/**
 * Checks a client out of `pool` with `onError` listening from the tick the pool hands it over.
 * The pool removes its own 'error' listener at checkout, and `await pool.connect()` resumes only
 * microtasks later: a message read in the same chunk as the end of the connection's startup (say
 * the FATAL of a server shutting down) would be emitted with no listener, and an 'error' event
 * with no listener crashes the process. The callback form of `connect` runs in that very tick.
 */
export function checkout(pool: pg.Pool, onError: (e: Error) => void): Promise<Checkout> {
  return new Promise((resolve, reject) => {
    pool.connect((err, client, done) => {
      // pg-pool passes `undefined` for no error; other pools may pass `null`.
      if (err || !client) {
        reject(err ?? new Error('pg.Pool.connect gave neither a client nor an error'));
        return;
      }
      client.on('error', onError);
      resolve({
        client,
        release(destroy) {
          // In one tick: the pool puts its own listener back as it takes the client.
          client.off('error', onError);
          if (destroy) done(true);
          else done();
        },
      });
    });
  });
}
