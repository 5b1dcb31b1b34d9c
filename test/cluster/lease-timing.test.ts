// The holder's timing rules, on virtual time with a scripted in-memory store: renewal every
// ttl/3, retry every ttl/10 while the store fails, and the local deadline at 0.8 x ttl after the
// last successful renewal was SENT (a 20% margin before the store's expiry).
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { acquireLease, LeaseLostError, type LeaseStore, type RenewResult } from 'gorx/cluster';
import { expectNothingLeft, flush } from '../helpers/leaks.js';

type Answer = 'held' | 'lost' | 'error' | 'hang';

/** A store whose renew() answers from a script; every call is logged with its virtual time. */
function scriptedStore(answer: () => Answer) {
  const renewsAt: number[] = [];
  const pending: ((r: RenewResult) => void)[] = [];
  const store = {
    pollIntervalMs: 1000,
    tryAcquire: async () => ({ acquired: true as const, fence: 7n, details: undefined }),
    renew: (): Promise<RenewResult> => {
      renewsAt.push(Date.now());
      const a = answer();
      if (a === 'held') return Promise.resolve({ held: true, latestFence: 7n });
      if (a === 'lost') return Promise.resolve({ held: false });
      if (a === 'error') return Promise.reject(new Error('connection refused'));
      return new Promise((resolve) => pending.push(resolve));
    },
    release: async () => {},
    subscribe: () => () => {},
    takeTicket: async () => 1n,
    tryStart: async () => ({ acquired: false as const, retryInMs: 0, superseded: false }),
    saveDetails: async () => true,
    inspect: async () => undefined,
    health: () => ({ kind: 'script', reachable: true, notifications: false, lastError: undefined }),
    close: async () => {},
  } satisfies LeaseStore;
  return { store, renewsAt, pending };
}

afterEach(() => {
  expectNothingLeft();
  jest.useRealTimers();
});

async function holdFor(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
  await flush();
}

describe('lease timing (virtual time)', () => {
  it('renews every ttl/3 while the store answers, and keeps the lease', async () => {
    jest.useFakeTimers({ now: 0 });
    const { store, renewsAt } = scriptedStore(() => 'held');
    const lease = await acquireLease(store, 'n', { ttlMs: 3000 });
    await holdFor(10_000);
    expect(renewsAt).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000]);
    expect(lease.signal.aborted).toBe(false);
    await lease.release();
  });

  it('a store that stops answering: the lease is lost exactly 0.8 x ttl after the last renewal was sent', async () => {
    jest.useFakeTimers({ now: 0 });
    let hang = false;
    const { store, renewsAt, pending } = scriptedStore(() => (hang ? 'hang' : 'held'));
    const lease = await acquireLease(store, 'n', { ttlMs: 3000 });
    await holdFor(1000); // renewal sent at 1000 succeeds: deadline 1000 + 2400
    hang = true;
    await holdFor(2399);
    expect(lease.signal.aborted).toBe(false);
    await holdFor(1);
    expect(lease.signal.aborted).toBe(true);
    expect(lease.signal.reason).toBeInstanceOf(LeaseLostError);
    expect(renewsAt).toEqual([1000, 2000]);
    // A late "held" answer of the hung renewal does not revive the lease.
    for (const resolve of pending) resolve({ held: true, latestFence: 7n });
    await flush();
    expect(lease.signal.aborted).toBe(true);
  });

  it('a failing store is retried every ttl/10; an answer before the deadline keeps the lease', async () => {
    jest.useFakeTimers({ now: 0 });
    const script: Answer[] = ['error', 'error', 'error', 'held'];
    const { store, renewsAt } = scriptedStore(() => script.shift() ?? 'held');
    const lease = await acquireLease(store, 'n', { ttlMs: 3000 });
    await holdFor(1900);
    expect(renewsAt).toEqual([1000, 1300, 1600, 1900]);
    expect(lease.signal.aborted).toBe(false);
    // The success sent at 1900 moved the deadline to 1900 + 2400 and the next renewal to 2900.
    await holdFor(1000);
    expect(renewsAt.at(-1)).toBe(2900);
    expect(lease.signal.aborted).toBe(false);
    await lease.release();
  });

  it('the store reports the lease taken: lost at once, with LeaseLostError', async () => {
    jest.useFakeTimers({ now: 0 });
    const { store } = scriptedStore(() => 'lost');
    const lease = await acquireLease(store, 'n', { ttlMs: 3000 });
    await holdFor(1000);
    expect(lease.signal.reason).toBeInstanceOf(LeaseLostError);
    expect((lease.signal.reason as LeaseLostError).message).toContain('expired or was taken over');
  });
});
