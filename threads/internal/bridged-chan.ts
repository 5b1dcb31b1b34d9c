/**
 * A channel of the main thread as seen from a worker thread (the other half is MainBridge).
 */
import { ChannelClosedError, type Chan, type OpOptions, type TryRecvResult } from 'gorx';
import { encodeError } from './error-codec.js';
import * as P from './protocol.js';
import { ITERATE, type BridgedSendOptions, type ThreadBridge } from './thread-bridge.js';

/** A bridged channel of the run of `bridge`, described by `d`. */
export function bridgedChannel<T>(bridge: ThreadBridge, d: P.ChannelDescriptor): BridgedChan<T> {
  return new BridgedChan<T>(bridge, bridge.register(d), d.capacity, d.name);
}

function signalOf(opts: OpOptions | undefined): AbortSignal | undefined {
  return opts?.signal;
}

/**
 * A channel of the main thread as seen from a worker thread. Every operation acts on the original
 * channel, with its semantics; `trySend`, `tryRecv`, `close`, `length` and `closed` wait for a
 * round trip to the main thread (the worker thread blocks on shared memory meanwhile).
 */
export class BridgedChan<T> implements Chan<T> {
  constructor(
    readonly bridge: ThreadBridge,
    readonly id: number,
    readonly capacity: number,
    readonly name: string | undefined,
  ) {}

  /** See BRIDGED_BRAND. */
  get [P.BRIDGED_BRAND](): boolean {
    return true;
  }

  get length(): number {
    return this.bridge.sync(P.SYNC_INFO, this.id, undefined)[1] as number;
  }

  get closed(): boolean {
    const closed = this.bridge.sync(P.SYNC_INFO, this.id, undefined)[2] as boolean;
    if (closed) this.bridge.sawClosed(this.id);
    return closed;
  }

  send(value: T, opts?: BridgedSendOptions): Promise<void> {
    const b = this.bridge;
    const signal = signalOf(opts);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.id;
    if (
      !b.ended &&
      !b.closedSeen[id] &&
      (b.credit[id]! > 0 || b.absorb(id) || (this.capacity > 0 && b.waitForTopUp(id)))
    ) {
      return b.sendOnCredit(this.id, value, opts?.transfer);
    }
    const { seq, promise } = b.op<void>(P.SEND, (s) => [P.SEND, s, this.id, value], opts);
    b.setOpChannel(seq, this.id);
    return promise;
  }

  recv(opts?: OpOptions): Promise<T> {
    return this.bridge.op<T>(P.RECV, (s) => [P.RECV, s, this.id], opts).promise;
  }

  trySend(value: T): boolean {
    // Never on credit: another producer may have filled the slots the credit counts on, and a
    // trySend must report the channel's state exactly.
    const b = this.bridge;
    const r = b.sync(P.SYNC_TRY_SEND, this.id, value);
    const n = r[2] as number;
    if (n > 0) b.credit[this.id] = b.credit[this.id]! + n;
    else if (n < 0) b.spendCredit(this.id); // it took a slot of the credit (MainBridge.spend)
    return r[1] as boolean;
  }

  tryRecv(): TryRecvResult<T> {
    const r = this.bridge.sync(P.SYNC_TRY_RECV, this.id, undefined);
    return r[1] === true ? { ok: true, value: r[2] as T } : { ok: false, closed: r[2] as boolean };
  }

  close(error?: Error): void {
    this.bridge.sync(P.SYNC_CLOSE, this.id, error === undefined ? undefined : encodeError(error));
    this.bridge.sawClosed(this.id);
  }

  recvCallback(
    callback: (value: T | undefined, ok: boolean, error: Error | undefined) => boolean | void,
    options?: { repeat?: boolean },
  ): () => boolean {
    // Not synchronous at the moment of hand-off across threads: built on recv.
    const ac = new AbortController();
    let pending = true;
    const loop = (): void => {
      this.recv({ signal: ac.signal }).then(
        (v) => {
          if (callback(v, true, undefined) === true && options?.repeat === true) loop();
          else pending = false;
        },
        (e: unknown) => {
          if (ac.signal.aborted) return;
          pending = false;
          if (e instanceof ChannelClosedError) callback(undefined, false, undefined);
          else callback(undefined, false, e as Error);
        },
      );
    };
    loop();
    return () => {
      if (!pending) return false;
      pending = false;
      ac.abort();
      return true;
    };
  }

  /** `for await` receives until the channel is closed and drained. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this.iterate(undefined);
  }

  /** `for await` whose pending receive is withdrawn when `opts.signal` aborts. */
  iterate(opts: OpOptions | undefined): AsyncIterableIterator<T> {
    const step = (): Promise<IteratorResult<T>> =>
      this.bridge.op<IteratorResult<T>>(P.RECV, (s) => [P.RECV, s, this.id], opts, ITERATE).promise;
    const it: AsyncIterableIterator<T> = {
      next: step,
      return: (value?: unknown) => Promise.resolve({ value: value as T, done: true }),
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  toString(): string {
    return `BridgedChan(${this.name ?? `#${this.id}`})`;
  }
}
