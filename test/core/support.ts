/**
 * Helpers shared by the core tests: promise-state probes that replace Go's time-based "does it
 * block" checks, and white-box access to a channel's waiter queues.
 */
import { expect } from '@jest/globals';
import { setImmediate as realSetImmediate } from 'node:timers';
import type { Chan, RecvChan, SendChan } from 'gorx';
import { Channel } from '../../src/internal/channel.js';
import { flush } from '../helpers/leaks.js';

export type Settled<T> =
  { state: 'pending' } | { state: 'fulfilled'; value: T } | { state: 'rejected'; reason: unknown };

/** Records how a promise settles, so a test can look at it without awaiting it. */
export function track<T>(p: Promise<T>): {
  readonly result: Settled<T>;
  readonly promise: Promise<T>;
} {
  const box: { result: Settled<T>; promise: Promise<T> } = {
    result: { state: 'pending' },
    promise: p,
  };
  p.then(
    (value) => (box.result = { state: 'fulfilled', value }),
    (reason: unknown) => (box.result = { state: 'rejected', reason }),
  );
  return box;
}

/** A real (never faked) macrotask turn: lets completions deferred by the starvation guard land. */
export function realTurn(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/**
 * Lets everything that can happen without a timer happen: microtasks, then one real macrotask
 * turn (a completion the starvation guard deferred is delivered there), then microtasks again.
 * A promise still pending after this is blocked: nothing but another operation can wake it.
 */
export async function settle(): Promise<void> {
  await flush();
  await realTurn();
  await flush();
}

/** True when `p` settles (either way) once everything that needs no partner has run. */
export async function proceeds(p: Promise<unknown>): Promise<boolean> {
  const t = track(p);
  await settle();
  return t.result.state !== 'pending';
}

type AnyChan = Chan<unknown> | SendChan<unknown> | RecvChan<unknown>;

/** The implementation behind a public channel (white-box checks). */
export function impl(ch: AnyChan): Channel<unknown> {
  if (!(ch instanceof Channel)) throw new Error('not a gorx channel');
  return ch;
}

/** Number of receivers and senders parked on the channel. */
export function waiters(ch: AnyChan): { receivers: number; senders: number } {
  const c = impl(ch);
  return { receivers: c.recvq.size, senders: c.sendq.size };
}

/** Asserts that no waiter of any kind is queued on the channel and its invariants hold. */
export function expectIdle(...chans: AnyChan[]): void {
  for (const ch of chans) {
    impl(ch).assertInvariants();
    expect(waiters(ch)).toEqual({ receivers: 0, senders: 0 });
  }
}
