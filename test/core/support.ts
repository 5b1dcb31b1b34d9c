/**
 * White-box access to a channel's waiter queues, for the core tests. Promise-state probes and
 * event-loop turns are shared by every test: test/helpers/promise-state.ts and turns.ts.
 */
import { expect } from '@jest/globals';
import type { Chan, RecvChan, SendChan } from 'gorx';
import { Channel } from '../../src/internal/channel.js';

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
