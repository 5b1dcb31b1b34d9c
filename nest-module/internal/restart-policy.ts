/**
 * The restart decision as pure functions: no timers, no logging, no state. `WorkerRunner` acts on
 * what they return; `test/nest/restart-policy.test.ts` tables them.
 */
import type { BackoffOptions, MaxRestartsOptions, RestartPolicy } from '../worker.options.js';

/** How a run ended, as the policy sees it (a stop on request never reaches the policy). */
export type RunOutcome = 'returned' | 'failed' | 'hung';

/** OTP child restart types: permanent always, transient after a failure or hang, temporary never. */
export function shouldRestart(policy: RestartPolicy, outcome: RunOutcome): boolean {
  return policy === 'permanent' || (policy === 'transient' && outcome !== 'returned');
}

/** The restart times still inside the intensity window that ends at `at` (oldest first). */
export function restartsInWindow(times: readonly number[], at: number, withinMs: number): number[] {
  return times.filter((t) => t > at - withinMs);
}

/** Delay before the n-th restart of the current intensity window (n >= 1); `random()` in [0, 1). */
export function backoffDelay(
  backoff: Required<BackoffOptions>,
  n: number,
  random: () => number,
): number {
  const { initialMs, maxMs, factor, jitter } = backoff;
  const base = Math.min(maxMs, initialMs * factor ** (n - 1));
  const spread = jitter === 0 ? 1 : 1 - jitter + 2 * jitter * random();
  return Math.round(Math.min(maxMs, base * spread));
}

export type AfterRun =
  | { readonly next: 'stopped' | 'failed' }
  | { readonly next: 'gave-up'; readonly restartsInWindow: number }
  | { readonly next: 'restart'; readonly delayMs: number; readonly window: number[] };

export interface AfterRunInput {
  readonly policy: RestartPolicy;
  readonly outcome: RunOutcome;
  /** Shutdown has begun: nothing restarts. */
  readonly closing: boolean;
  /** Times of the supervisor's earlier restarts (oldest first). */
  readonly restartTimes: readonly number[];
  readonly at: number;
  readonly maxRestarts: MaxRestartsOptions;
  readonly backoff: Required<BackoffOptions>;
  readonly random: () => number;
}

/**
 * What follows a run that ended by itself (returned, failed) or was killed as hung: stay stopped
 * (normal return, no restart), stay failed, give up (restart intensity exceeded), or restart
 * after a backoff delay (`window` is the new list of restart times, this one included).
 */
export function afterRun(i: AfterRunInput): AfterRun {
  if (i.closing || !shouldRestart(i.policy, i.outcome)) {
    return { next: i.outcome === 'returned' ? 'stopped' : 'failed' };
  }
  const window = restartsInWindow(i.restartTimes, i.at, i.maxRestarts.withinMs);
  if (window.length >= i.maxRestarts.count) {
    return { next: 'gave-up', restartsInWindow: window.length };
  }
  window.push(i.at);
  return { next: 'restart', delayMs: backoffDelay(i.backoff, window.length, i.random), window };
}
