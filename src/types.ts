/**
 * The public types of gorx, in one leaf module: it imports nothing, so every other module (the
 * internals included) may depend on it without forming a cycle.
 * @module
 */

/**
 * Callback of a callback-mode receive: `(value, ok, closeError)`, as Go's `v, ok := <-ch`.
 * With `{ repeat: true }`, returning `true` after a value asks for the next one.
 */
export type RecvCallback<T> = (value: T | undefined, ok: boolean, error: unknown) => unknown;

/** Options of `chan()`. */
export interface ChanOptions {
  /** Debug name, shown in deadlock reports, `dumpGoroutines()` and `util.inspect`. */
  name?: string | undefined;
  /**
   * For adapters that feed a channel from a lazy source: called once, synchronously, right after
   * the first receive-side operation (`recv`, `tryRecv`, `recvCallback`, a `for await` step, or a
   * select with a receive case on this channel) has been set up, so a source that emits at once
   * finds that receiver waiting. If it throws, the channel is closed with the error.
   */
  onDemand?: (() => void) | undefined;
  /** For adapters: called once, synchronously, at the end of `close(error)`. */
  onClose?: ((error: Error | undefined) => void) | undefined;
}

/**
 * The options of every cancellable operation (`send`, `recv`, `select`, `sleep`, `range`,
 * `WaitGroup.wait`, `timeout`, `Group`): one AbortSignal. Inside a goroutine, pass its context
 * itself: `await ch.recv(ctx)` ties the operation to the goroutine (a kill withdraws it and it
 * rejects with the `GoroutineExit`), like `{ signal: ctx.signal }` but without creating the
 * AbortController behind `ctx.signal`.
 *
 * @example
 * ```ts
 * import { chan, sleep, type SignalOptions } from 'gorx';
 *
 * const ac = new AbortController();
 * const opts: SignalOptions = { signal: ac.signal };
 * const ch = chan<number>();
 * const pending = ch.recv(opts);
 * ac.abort(new Error('stop'));
 * await pending.catch((e: Error) => console.log(e.message)); // 'stop'
 * await sleep(0, opts).catch(() => console.log('aborted before it started')); // 'aborted before it started'
 * ```
 */
export interface SignalOptions {
  /** Aborting withdraws the operation (it never takes or gives a value) and rejects with the reason. */
  signal?: AbortSignal | undefined;
  /** Ties the operation to this goroutine's context (see `goContext`); read before `signal`. */
  readonly [goContext]?: GoContext | undefined;
}

/**
 * The property by which an object that wraps a goroutine's context (gorx/nest's `WorkerContext`,
 * a library's own job context) names that context, so the wrapper itself is valid operation
 * options: `ch.recv(wrapper)` binds the operation to the goroutine exactly like `ch.recv(ctx)`
 * (a kill withdraws it, it rejects with the `GoroutineExit`), with no AbortController and no
 * listener. A `GoContext` names itself. The value must be a context given by this copy of gorx's
 * `go()`; anything else makes the operation throw a TypeError before it starts.
 *
 * @example
 * ```ts
 * import { chan, go, goContext, type GoContext } from 'gorx';
 *
 * class JobContext {
 *   constructor(
 *     private readonly ctx: GoContext,
 *     readonly job: string,
 *   ) {}
 *   get [goContext](): GoContext {
 *     return this.ctx;
 *   }
 * }
 *
 * const jobs = chan<string>();
 * const g = go(async (ctx) => {
 *   const jc = new JobContext(ctx, 'report');
 *   await jobs.recv(jc); // bound to the goroutine: the kill below withdraws it
 * });
 * await g.kill();
 * console.log(g.state); // 'killed'
 * ```
 */
export const goContext: unique symbol = Symbol('gorx.goContext');

/** @deprecated Use `SignalOptions`. */
export type OpOptions = SignalOptions;
/** @deprecated Use `SignalOptions`. */
export type SelectOptions = SignalOptions;
/** @deprecated Use `SignalOptions`. */
export type SleepOptions = SignalOptions;
/** @deprecated Use `SignalOptions`. */
export type RangeOptions = SignalOptions;
/** @deprecated Use `SignalOptions`. */
export type WaitOptions = SignalOptions;
/** @deprecated Use `SignalOptions`. */
export type GroupOptions = SignalOptions;
/** @deprecated Use `SignalOptions`. */
export type TimeoutOptions = SignalOptions;

/** Options of `recvCallback`. */
export interface RecvCallbackOptions {
  /** Keep receiving while the callback returns `true` (default false: one value). */
  repeat?: boolean | undefined;
}

/** Result of `tryRecv()`: a value, or why there is none (`closed: true` once closed and drained). */
export type TryRecvResult<T> = { ok: true; value: T } | { ok: false; closed: boolean };

/** Read-only facts shared by both directions of a channel. */
export interface ChanInfo {
  /** Go's `cap`: 0 unbuffered, `n` buffered, `Infinity` unbounded. */
  readonly capacity: number;
  /** Go's `len`: values waiting in the buffer. */
  readonly length: number;
  /** True once `close()` has been called (buffered values may still be received). */
  readonly closed: boolean;
  /** The debug name given to `chan()`, if any. */
  readonly name: string | undefined;
}

/**
 * The sending side of a channel (Go's `chan<- T`): it has no `recv`.
 *
 * @example
 * ```ts
 * import { chan, type SendChan } from 'gorx';
 *
 * async function produce(out: SendChan<number>): Promise<void> {
 *   for (let i = 0; i < 3; i++) await out.send(i);
 *   out.close();
 * }
 * const ch = chan<number>(3);
 * await produce(ch);
 * ```
 */
export interface SendChan<T> extends ChanInfo {
  /**
   * Hands `value` to the longest-waiting receiver, else buffers it, else blocks (FIFO among
   * blocked senders). Rejects `ChannelClosedError` if the channel is or becomes closed (the value
   * is then dropped). Abort rejects with `signal.reason` and withdraws the send.
   */
  send(value: T, opts?: SignalOptions): Promise<void>;
  /** Non-blocking send: true if delivered or buffered. Throws `ChannelClosedError` when closed. */
  trySend(value: T): boolean;
  /**
   * Closes the channel. Receivers drain the buffer, then end (`for await`) or reject with
   * `ChannelClosedError`, or with `error` when given. Blocked senders reject. Closing twice throws.
   */
  close(error?: Error): void;
}

/**
 * The receiving side of a channel (Go's `<-chan T`): it has no `send` or `close`.
 *
 * @example
 * ```ts
 * import { chan, type RecvChan } from 'gorx';
 *
 * async function sum(input: RecvChan<number>): Promise<number> {
 *   let total = 0;
 *   for await (const n of input) total += n;
 *   return total;
 * }
 * const ch = chan<number>(2);
 * await ch.send(1);
 * await ch.send(2);
 * ch.close();
 * console.log(await sum(ch)); // 3
 * ```
 */
export interface RecvChan<T> extends ChanInfo, AsyncIterable<T> {
  /**
   * Takes from a waiting sender or the buffer in FIFO order, else blocks. A closed channel drains
   * its buffer first, then rejects `ChannelClosedError` (or the close error). Abort withdraws the
   * receive: a withdrawn receive never takes a value.
   */
  recv(opts?: SignalOptions): Promise<T>;
  /** Non-blocking receive. */
  tryRecv(): TryRecvResult<T>;
  /**
   * Low-level receive for adapters: `callback(value, ok, closeError)` runs synchronously at the
   * moment of hand-off (or at once when a value is ready). `ok` is false when the channel is closed
   * and drained. With `{ repeat: true }`, a callback that returns `true` after a value receives
   * again with the same registration (a persistent receiver: ready values are delivered in a
   * loop, then it waits at the tail of the queue like any receiver). Returns a function that
   * withdraws the pending receive: it returns true if it did, false if nothing was pending.
   */
  recvCallback(callback: RecvCallback<T>, options?: RecvCallbackOptions): () => boolean;
  /** `for await` receives until the channel is closed and drained; `break` withdraws the pending receive. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T>;
}

/**
 * A channel: both a `SendChan<T>` and a `RecvChan<T>`.
 *
 * @example
 * ```ts
 * import { chan } from 'gorx';
 *
 * const ch = chan<string>(); // unbuffered: a send waits for a receiver
 * const sent = ch.send('ping');
 * console.log(await ch.recv()); // 'ping'
 * await sent;
 * ```
 */
export interface Chan<T> extends SendChan<T>, RecvChan<T> {}

/** Lifecycle state of a goroutine. */
export type GoroutineState = 'running' | 'blocked' | 'returned' | 'failed' | 'killed';

/** What a goroutine's function receives. */
export interface GoContext {
  /**
   * Aborted (reason: the `GoroutineExit`) when the goroutine is killed. For gorx operations,
   * passing `ctx` itself as the options (`ch.recv(ctx)`) is equivalent and cheaper; use
   * `ctx.signal` for other APIs (`fetch`, timers of other libraries).
   */
  readonly signal: AbortSignal;
  readonly id: number;
  readonly name: string;
  /** Starts a child goroutine, killed (and awaited) before this one ends. */
  go<R>(fn: GoFunction<R>, options?: GoOptions): Goroutine<R>;
}

/** A goroutine body: an async function, or a generator function that yields promises. */
export type GoFunction<R> = (ctx: GoContext) => Promise<R> | Generator<unknown, R, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Options of `go()`. */
export interface GoOptions {
  /** Debug name for diagnostics (default `goroutine-<id>`). */
  name?: string | undefined;
  /** Aborting it kills the goroutine with the abort reason (a parent context's cancellation). */
  signal?: AbortSignal | undefined;
}

/** Handle of a running goroutine. */
export interface Goroutine<R> {
  readonly id: number;
  readonly name: string;
  readonly state: GoroutineState;
  /** Resolves with the result; rejects with the error, or with the `GoroutineExit` of a kill. */
  readonly done: Promise<R>;
  /**
   * Stops the goroutine where it is suspended and runs its `finally` blocks (children first).
   * Resolves once it has finished. Idempotent: later calls return the same completion.
   */
  kill(reason?: unknown): Promise<void>;
}

/** One live goroutine, as seen by `goroutines()`. */
export interface GoroutineInfo {
  readonly id: number;
  readonly name: string;
  readonly state: 'running' | 'blocked';
  /** What it waits on (`recv on chan "jobs"`, `select [...]`, `sleep(100 ms)`), or null. */
  readonly blockedOn: string | null;
  /**
   * Milliseconds since it started. Goroutines started in one synchronous run share one reading
   * of the clock, taken when the first of them started.
   */
  readonly ageMs: number;
  /** Id of the parent goroutine (`ctx.go`), or null. */
  readonly parentId: number | null;
}
