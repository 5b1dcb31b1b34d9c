/**
 * Promise cases of `select`. Each promise gets one shared state record and one reaction, however
 * many selects wait on it: a loop that selects on the same long-lived promise (a stop signal, say)
 * does not pile up reactions on it, and a promise known to be settled is ready at poll time.
 *
 * Invariant: `waiters` holds exactly the parked selects that wait on the promise; a select removes
 * itself when it finishes, and settling empties the map before notifying.
 */

export const PENDING = 0;
export const FULFILLED = 1;
export const REJECTED = 2;

/** A parked select as this module sees it (select-op.ts implements it; no import back). */
export interface PromiseWaiter {
  readonly done: boolean;
  /** The promise case at `index` settled. Precondition: the select still waits on it. */
  settlePromise(index: number, s: PromiseState): void;
}

export interface PromiseState {
  status: typeof PENDING | typeof FULFILLED | typeof REJECTED;
  value: unknown;
  waiters: Map<PromiseWaiter, number> | null;
}

const states = new WeakMap<object, PromiseState>();

/** The shared state of `p`, subscribing to it on first use. */
export function promiseState(p: PromiseLike<unknown>): PromiseState {
  let s = states.get(p);
  if (s === undefined) {
    const state: PromiseState = { status: PENDING, value: undefined, waiters: null };
    s = state;
    states.set(p, state);
    // Promise.resolve: a thenable that calls back synchronously must not settle mid-select.
    Promise.resolve(p).then(
      (v) => settle(state, FULFILLED, v),
      (e: unknown) => settle(state, REJECTED, e),
    );
  }
  return s;
}

function settle(s: PromiseState, status: typeof FULFILLED | typeof REJECTED, v: unknown): void {
  s.status = status;
  s.value = v;
  const ws = s.waiters;
  s.waiters = null;
  // A callback-mode select notified earlier in this loop can re-enter and complete a later one
  // through a channel; that select already finished and must not be settled a second time.
  if (ws !== null) for (const [op, index] of ws) if (!op.done) op.settlePromise(index, s);
}
