import type { RecvChan } from 'gorx';

/**
 * Puts a value back at the head of a channel: a value taken on behalf of a thread that never
 * reached the thread's code. The core channel class has `unrecv(value)` (used by its own kill
 * put-back) but does not expose it in the public `Chan` type; this is the one place
 * `gorx/threads` reaches for it, so a rename in the core is adapted here only.
 */
export function unrecv(ch: RecvChan<unknown>, value: unknown): void {
  (ch as unknown as { unrecv(value: unknown): void }).unrecv(value);
}
