/**
 * The `onDemand` hook (see ChanOptions.onDemand): the one helper every receive-side operation
 * calls to fire it. A leaf: channels are seen through the `Demanding` shape only.
 *
 * Invariant: `pending` counts the channels whose hook is set and has not run (nor been dropped
 * by a close), so a select skips looking for hooks when it is zero.
 */

/** A channel as this module sees it. */
export interface Demanding {
  demand: (() => void) | null;
  /** Runs the hook once and clears it (calls `demandSettled`). */
  fireDemand(): void;
}

let pending = 0;

/** A channel was made with a hook. */
export function demandArmed(): void {
  pending++;
}

/** A channel's hook ran or was dropped. */
export function demandSettled(): void {
  pending--;
}

/** True when some channel still has a hook to fire. */
export function demandsPending(): boolean {
  return pending > 0;
}

/**
 * Fires `ch`'s pending hook after the receive-side operation that produced `result` has been set
 * up (parked or completed), so a source that emits synchronously finds that receiver waiting.
 * Returns `result`.
 */
export function demanded<R>(ch: Demanding, result: R): R {
  if (ch.demand !== null) ch.fireDemand();
  return result;
}
