// The restart decision as pure functions (issue 13 item 4): tables, no Nest, no timers.
import { describe, expect, it } from '@jest/globals';
import {
  afterRun,
  backoffDelay,
  restartsInWindow,
  shouldRestart,
  type AfterRunInput,
  type RunOutcome,
} from '../../nest-module/internal/restart-policy.js';
import { RESTART_POLICIES, type RestartPolicy } from 'gorx/nest';

describe('shouldRestart(policy, outcome)', () => {
  const table: [RestartPolicy, RunOutcome, boolean][] = [
    ['permanent', 'returned', true],
    ['permanent', 'failed', true],
    ['permanent', 'hung', true],
    ['transient', 'returned', false],
    ['transient', 'failed', true],
    ['transient', 'hung', true],
    ['temporary', 'returned', false],
    ['temporary', 'failed', false],
    ['temporary', 'hung', false],
  ];
  it.each(table)('%s after %s: %s', (policy, outcome, expected) => {
    expect(shouldRestart(policy, outcome)).toBe(expected);
  });
  it('the table covers every policy of RESTART_POLICIES', () => {
    expect([...new Set(table.map(([p]) => p))]).toEqual([...RESTART_POLICIES]);
  });
});

describe('restartsInWindow(times, at, withinMs)', () => {
  it.each([
    [[], 1_000, 500, []],
    [[100, 499, 500, 900], 1_000, 500, [900]],
    [[100, 501, 900], 1_000, 500, [501, 900]],
    [[100, 200], 200, 1_000, [100, 200]],
  ])('%j at %i within %i ms keeps %j', (times, at, within, expected) => {
    expect(restartsInWindow(times, at, within)).toEqual(expected);
  });
});

describe('backoffDelay(backoff, n, random)', () => {
  const exact = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 };
  it.each([
    [1, 100],
    [2, 200],
    [4, 800],
    [5, 1_000],
    [50, 1_000],
  ])('without jitter, restart %i waits %i ms (min(maxMs, initialMs * factor^(n-1)))', (n, ms) => {
    expect(backoffDelay(exact, n, () => 0.5)).toBe(ms);
  });
  it.each([
    [0, 150],
    [0.5, 200],
    [0.999_999, 250],
  ])('jitter 0.25 spreads 200 ms to [150, 250]: random %f gives %i ms', (r, ms) => {
    expect(backoffDelay({ ...exact, jitter: 0.25 }, 2, () => r)).toBe(ms);
  });
  it('jitter never exceeds maxMs', () => {
    expect(backoffDelay({ ...exact, jitter: 1 }, 10, () => 0.999_999)).toBe(1_000);
  });
});

describe('afterRun(...)', () => {
  const base: AfterRunInput = {
    policy: 'permanent',
    outcome: 'failed',
    closing: false,
    restartTimes: [],
    at: 10_000,
    maxRestarts: { count: 2, withinMs: 1_000 },
    backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 },
    random: () => 0,
  };
  it.each<[string, Partial<AfterRunInput>, ReturnType<typeof afterRun>]>([
    [
      'a failure restarts after the first delay',
      {},
      { next: 'restart', delayMs: 100, window: [10_000] },
    ],
    [
      'the second restart in the window doubles',
      { restartTimes: [9_500] },
      { next: 'restart', delayMs: 200, window: [9_500, 10_000] },
    ],
    [
      'past count restarts in the window: gave up',
      { restartTimes: [9_100, 9_500] },
      { next: 'gave-up', restartsInWindow: 2 },
    ],
    [
      'restarts older than the window are forgotten',
      { restartTimes: [8_000, 9_000, 9_500] },
      { next: 'restart', delayMs: 200, window: [9_500, 10_000] },
    ],
    ['no restart once shutdown began (failure)', { closing: true }, { next: 'failed' }],
    [
      'no restart once shutdown began (return)',
      { closing: true, outcome: 'returned' },
      { next: 'stopped' },
    ],
    [
      'transient after a return: stopped',
      { policy: 'transient', outcome: 'returned' },
      { next: 'stopped' },
    ],
    [
      'temporary after a hang: failed',
      { policy: 'temporary', outcome: 'hung' },
      { next: 'failed' },
    ],
    [
      'count 0: the first failure gives up',
      { maxRestarts: { count: 0, withinMs: 1_000 } },
      { next: 'gave-up', restartsInWindow: 0 },
    ],
  ])('%s', (_, input, expected) => {
    expect(afterRun({ ...base, ...input })).toEqual(expected);
  });
  it('does not mutate the restart times it is given', () => {
    const restartTimes = [9_500];
    afterRun({ ...base, restartTimes });
    expect(restartTimes).toEqual([9_500]);
  });
});
