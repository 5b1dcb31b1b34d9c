/**
 * The messages of one goroutine run between the main thread and its worker thread. Each side
 * batches its operations per microtask into one `postMessage` of `Op[]` on the run's port, so a
 * burst of sends, acks or results costs one message (the main side posts the answers a thread
 * batch got at the end of the message event that brought it, see MainBridge.receiveNow; the
 * thread's acks ride on its next batch). A batch starts with the run id; a batch of
 * the thread then holds the position of its send ring (send-ring.ts) when it was posted: the
 * entries before it precede the batch's ops. Sequence numbers (`seq`) name a blocking
 * operation of the thread; channel ids index the channels bridged for this run.
 *
 * Thread -> main:
 * - [SEND_CREDIT, id, value]        a send within the thread's credit of a value that does not
 *                                   travel in the send ring; it is decided through the run's
 *                                   `decided` words (below), not by a reply
 * - [VOID_CREDIT, id]               the next send on credit on `id` failed to be posted (below)
 * - [RING]                          the send ring has entries to read (alone in its batch)
 * - [CREDIT, id, n]                 credit given back (it came while a send on `id` waited)
 * - [SEND, seq, id, value]          a send waiting for the main side's verdict
 * - [RECV, seq, id]                 a receive
 * - [SELECT, seq, cases]            a select over bridged channels: cases[i] = [kind, id, value] | null
 * - [CANCEL, seq]                   withdraw `seq` (a value already taken for it is put back)
 * - [ACK, seq...]                   these received values reached the thread's code
 * - [HEARTBEAT_DETAILS, details]    the latest details given to ctx.heartbeat(details)
 * - [SYNC, kind, seq, id, value]    a synchronous request (try*, close, length): the reply comes
 *                                   on the sync port, announced through the shared flag
 * - [DONE, outcome, value]          the goroutine ended (outcome: OK, FAILED, LOAD_FAILED)
 * Main -> thread:
 * - [RECV, seq, ok, valueOrError]   a receive's result (ok false: closed; error: close error)
 * - [SEND, seq, ok, credit, error]  a send's result and new credit for its channel
 * - [SELECT, seq, index, value, ok] a select's result; [SELECT_ERROR, seq, error]
 * - [CANCEL, seq, withdrawn]        answer to a CANCEL: withdrawn, or it had already completed
 * - [CLOSED, id]                    the channel was found closed (drop the thread's credit)
 * - [KILL, reason]                  cooperative kill
 */
import type { MessagePort } from 'node:worker_threads';

export const SEND_CREDIT = 0;
export const SEND = 1;
export const RECV = 2;
export const SELECT = 3;
export const CANCEL = 4;
export const ACK = 5;
export const HEARTBEAT_DETAILS = 6;
export const SYNC = 7;
export const DONE = 8;
export const SELECT_ERROR = 9;
export const CLOSED = 10;
export const KILL = 11;
/** Thread -> main: [RING] the send ring went from drained to not drained (send-ring.ts). */
export const RING = 12;
/**
 * Thread -> main: [CREDIT, id, n] credit given back (top-ups the thread found while a send of it
 * on `id` waited for its verdict, see ThreadBridge.gotCredit). Credit itself travels in the run's
 * top-up words (see `runWords`), not in messages.
 */
export const CREDIT = 13;

/**
 * Thread -> main: [VOID_CREDIT, id] the next send on credit on channel `id` could not be posted
 * (its value cannot be cloned; it rejected in the thread): it counts as arrived, its credit comes
 * back to the main side, nothing is delivered.
 */
export const VOID_CREDIT = 14;

/** Synchronous request kinds. */
export const SYNC_TRY_SEND = 0;
export const SYNC_TRY_RECV = 1;
export const SYNC_CLOSE = 2;
export const SYNC_INFO = 3;
export const SYNC_TRY_SELECT = 4;

/** Outcomes of DONE. */
export const OK = 0;
export const FAILED = 1;
export const LOAD_FAILED = 2;

/** Int32 slots of the run's SharedArrayBuffer. */
export const HEARTBEATS = 0;
export const SYNC_FLAG = 1;
export const SHARED_BYTES = 8;

/**
 * The `decided` words of a run (an Int32Array on a SharedArrayBuffer, one word per bridged
 * channel) settle a race no message can: a send on credit against a close on the main side.
 * The thread numbers its sends on credit per channel (0, 1, 2, ... modulo 2^30). A word holds how
 * many of them are accepted (low 30 bits) and, once the main side has closed the channel, the
 * DECIDED_CLOSED bit. The thread writes its values to the send ring or posts them first, and
 * then accepts them with a compare-and-swap that fails once the bit is set; the main side
 * accepts a value it delivers while the channel is open the same way (the thread may not have
 * got there yet), and at a close sets the bit atomically: the values accepted by then were
 * written or posted before it, so the close first takes them from the ring and the port
 * synchronously and delivers them; every later one is dropped and its send rejects
 * ChannelClosedError in the thread.
 */
export const DECIDED_CLOSED = 1 << 30;

/**
 * The shared words of a run with `n` channels (one SharedArrayBuffer of 8n bytes): the `decided`
 * words (above), then one top-up word per channel. A top-up word counts (modulo 2^32) the send
 * credit the main side added for the thread's sends on that channel as a consumer drained it;
 * the thread reads it with Atomics.load when its credit runs out, so credit costs no message.
 */
export function runWords(buffer: SharedArrayBuffer | null): {
  decided: Int32Array<ArrayBufferLike>;
  topUps: Int32Array<ArrayBufferLike>;
} {
  if (buffer === null) return { decided: new Int32Array(0), topUps: new Int32Array(0) };
  const n = buffer.byteLength >> 3;
  return { decided: new Int32Array(buffer, 0, n), topUps: new Int32Array(buffer, 4 * n, n) };
}
export const DECIDED_MASK = DECIDED_CLOSED - 1;

/** `a` comes before `b` in the modulo-2^30 numbering of sends on credit. */
export function before(a: number, b: number): boolean {
  const d = (b - a) & DECIDED_MASK;
  return d !== 0 && d < DECIDED_CLOSED / 2;
}

export type Op = unknown[];

/**
 * Brands a bridged channel in the thread, so the core's select and range name the mistake of
 * being given one (the core recognises the same registered symbol; it cannot import threads/).
 */
export const BRIDGED_BRAND: unique symbol = Symbol.for('gorx.bridgedChannel');

/** Marks a channel in the arguments (symbols do not survive structured clone). */
export const CHANNEL_KEY = '$gorxBridgedChannel';

/** What the thread learns about a bridged channel. */
export interface ChannelDescriptor {
  readonly [CHANNEL_KEY]: number;
  readonly capacity: number;
  readonly name: string | undefined;
  readonly credit: number;
}

/** The first message to a thread, on its parentPort: its ports and shared memory. */
export interface InitMessage {
  readonly type: 'init';
  readonly port: MessagePort;
  readonly syncPort: MessagePort;
  readonly shared: SharedArrayBuffer;
}

/** Starts a run, on the thread's port (the only message there that is not a batch). */
export interface RunMessage {
  readonly type: 'run';
  readonly runId: number;
  readonly module: string;
  readonly exportName: string;
  readonly name: string;
  readonly args: unknown[];
  /** The run's `decided` and top-up words (see `runWords`); null without channels. */
  readonly decided: SharedArrayBuffer | null;
  /** The run's send ring (send-ring.ts); null without a buffered channel. */
  readonly ring: SharedArrayBuffer | null;
}
