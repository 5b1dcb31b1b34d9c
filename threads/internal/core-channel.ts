import type { RecvChan, SendChan } from 'gorx';

/**
 * The one place gorx/threads reaches into the core channel class for members its public `Chan`
 * type does not expose, so a rename in the core is adapted here only:
 * - `unrecv(value)`: puts a value back at the head (the core's own kill put-back uses it);
 * - `giveReserved(value)`: a send on room reserved earlier (the thread's send credit);
 * - `addCloseWatch(fn)`: runs `fn` at the start of every later `close`;
 * - `addTakeWatch(fn)`: runs `fn` after each value taken from the buffer.
 */
interface CoreChannel {
  unrecv(value: unknown): void;
  giveReserved(value: unknown): void;
  addCloseWatch(fn: () => void): () => void;
  addTakeWatch(fn: () => void): () => void;
}

/** Puts a value taken on behalf of a thread that never reached the thread's code back at the head. */
export function unrecv(ch: RecvChan<unknown>, value: unknown): void {
  (ch as unknown as CoreChannel).unrecv(value);
}

/** Delivers a value a thread sent on its credit (to a receiver, else the buffer, past capacity if need be). */
export function giveReserved(ch: SendChan<unknown>, value: unknown): void {
  (ch as unknown as CoreChannel).giveReserved(value);
}

/** Runs `fn` at the start of every later `close` of `ch`; returns the function that stops it. */
export function addCloseWatch(ch: SendChan<unknown>, fn: () => void): () => void {
  return (ch as unknown as CoreChannel).addCloseWatch(fn);
}

/** Runs `fn` after each value taken from the buffer of `ch`; returns the function that stops it. */
export function addTakeWatch(ch: SendChan<unknown>, fn: () => void): () => void {
  return (ch as unknown as CoreChannel).addTakeWatch(fn);
}
