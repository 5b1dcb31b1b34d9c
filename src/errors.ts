/**
 * The gorx error hierarchy. Match errors with `instanceof` or their `code`, never by message.
 *
 * @example
 * ```ts
 * import { chan, ChannelClosedError } from 'gorx';
 *
 * const ch = chan<number>();
 * ch.close();
 * try {
 *   await ch.recv();
 * } catch (e) {
 *   if (e instanceof ChannelClosedError) console.log(e.code); // 'ERR_CHANNEL_CLOSED'
 * }
 * ```
 * @module
 */

/** Stable error codes of gorx errors. */
export type GorxErrorCode =
  | 'ERR_CHANNEL_CLOSED'
  | 'ERR_CHANNEL_OVERFLOW'
  | 'ERR_DEADLOCK'
  | 'ERR_TIMEOUT'
  | 'ERR_GOROUTINE_EXIT'
  | 'ERR_SUPERSEDED'
  | 'ERR_HEARTBEAT_TIMEOUT'
  | 'ERR_LEASE_LOST'
  // gorx/nest
  | 'ERR_WORKER_NOT_FOUND'
  | 'ERR_WORKER_EXISTS'
  | 'ERR_SHUTTING_DOWN'
  | 'ERR_STOP_TIMEOUT'
  | 'ERR_APPLICATION_SHUTDOWN'
  // gorx/nest observability
  | 'ERR_PEER_MISSING'
  | 'ERR_METRICS_REGISTERED'
  | 'ERR_INVALID_OPTIONS'
  | 'ERR_BOARD_GUARD_REQUIRED'
  // gorx/threads
  | 'ERR_THREAD_EXIT'
  | 'ERR_POOL_CLOSED';

/**
 * Base class of every error gorx raises for a runtime condition.
 *
 * @example
 * ```ts
 * import { GorxError, timeout, sleep } from 'gorx';
 *
 * await timeout(10, (signal) => sleep(1000, { signal })).catch((e: unknown) => {
 *   if (e instanceof GorxError) console.log(e.code); // 'ERR_TIMEOUT'
 * });
 * ```
 */
export class GorxError extends Error {
  /** Stable, machine-readable code. */
  readonly code: GorxErrorCode;
  constructor(code: GorxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
  override get name(): string {
    return this.constructor.name;
  }
}

/**
 * A send on a closed channel, a receive on a closed and drained channel, or a second `close`.
 *
 * @example
 * ```ts
 * import { chan, ChannelClosedError } from 'gorx';
 *
 * const ch = chan<string>(1);
 * ch.close();
 * await ch.send('x').catch((e: unknown) => console.log(e instanceof ChannelClosedError)); // true
 * ```
 */
export class ChannelClosedError extends GorxError {
  constructor(message = 'channel is closed') {
    super('ERR_CHANNEL_CLOSED', message);
  }
}

/**
 * Every gorx operation that was still blocked when the process had nothing else to do rejects
 * with this error. The message starts with `all goroutines are asleep - deadlock!`.
 *
 * @example
 * ```ts
 * import { chan, DeadlockError } from 'gorx';
 *
 * const ch = chan<number>(0, { name: 'never' });
 * ch.recv().catch((e: unknown) => {
 *   if (e instanceof DeadlockError) console.error(e.message);
 * });
 * ```
 */
export class DeadlockError extends GorxError {
  constructor(message: string) {
    super('ERR_DEADLOCK', message);
  }
}

/**
 * A `timeout()` ran out before its work finished.
 *
 * @example
 * ```ts
 * import { timeout, TimeoutError } from 'gorx';
 *
 * const r = await timeout(5, () => new Promise<string>(() => {})).catch((e: unknown) => e);
 * console.log(r instanceof TimeoutError); // true
 * ```
 */
export class TimeoutError extends GorxError {
  /** The limit that was exceeded, in milliseconds. */
  readonly ms: number;
  constructor(ms: number, message = `timed out after ${ms} ms`) {
    super('ERR_TIMEOUT', message);
    this.ms = ms;
  }
}

/**
 * The exit a killed goroutine ends with. Killing is not an error: an unobserved killed goroutine
 * never causes an unhandled rejection. `reason` carries what was given to `kill(reason)`.
 *
 * @example
 * ```ts
 * import { go, sleep, GoroutineExit } from 'gorx';
 *
 * const g = go(async (ctx) => sleep(60_000, { signal: ctx.signal }));
 * await g.kill('no longer needed');
 * await g.done.catch((e: unknown) => {
 *   if (e instanceof GoroutineExit) console.log(e.reason); // 'no longer needed'
 * });
 * ```
 */
export class GoroutineExit extends GorxError {
  /** What the killer gave as the reason (`undefined` for a plain `kill()`). */
  readonly reason: unknown;
  constructor(
    reason?: unknown,
    message = 'goroutine killed',
    code: GorxErrorCode = 'ERR_GOROUTINE_EXIT',
  ) {
    // An exit is control flow, not a fault: capturing a stack trace costs microseconds per kill
    // (most of a supersede's cost) and would only show the killer's frames.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(code, reason === undefined ? message : `${message}: ${describeReason(reason)}`);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.reason = reason;
  }
}

/**
 * The `GoroutineExit` of `kill(reason)`, built without the `Error` constructor: Node has V8
 * capture a stack trace for every Error constructed (for its uncaught-exception reports),
 * whatever `Error.stackTraceLimit` says, which was the largest single item of a kill. It is a
 * `GoroutineExit` (same prototype, so `instanceof`, `name`, `code`, `reason`, and the same own
 * enumerable properties) whose `message` and `stack` (`GoroutineExit: goroutine killed[: reason]`,
 * no frames, like a constructed exit's) are derived from its reason when read (accessors on the
 * prototype; an assignment makes them own properties, as on any Error). What tells it from
 * `new GoroutineExit(reason)`: `util.types.isNativeError` is false (as for errors decoded from a
 * thread); `util.inspect` from another realm (a Jest sandbox) shows a plain object;
 * `structuredClone`/`postMessage` keep only `code` and `reason` (gorx/threads encodes errors
 * itself, with message and stack); `message` follows `reason` when read, so it changes if the
 * reason (an object) is changed later.
 *
 * @internal
 */
export function killExit(reason: unknown): GoroutineExit {
  return new (KillExit as unknown as new (reason: unknown) => GoroutineExit)(reason);
}

function KillExit(this: { code: GorxErrorCode; reason: unknown }, reason: unknown): void {
  this.code = 'ERR_GOROUTINE_EXIT';
  this.reason = reason;
}
KillExit.prototype = GoroutineExit.prototype;

/** Makes `key` an own data property of `target`, as an assignment to an Error's message does. */
function ownValue(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true });
}

// Read only on exits built by killExit: every constructed error has its own message and stack.
Object.defineProperties(GoroutineExit.prototype, {
  message: {
    get(this: GoroutineExit): string {
      return this.reason === undefined
        ? 'goroutine killed'
        : `goroutine killed: ${describeReason(this.reason)}`;
    },
    set(this: GoroutineExit, value: unknown) {
      ownValue(this, 'message', value);
    },
    configurable: true,
  },
  stack: {
    get(this: GoroutineExit): string {
      return `${this.name}: ${this.message}`;
    },
    set(this: GoroutineExit, value: unknown) {
      ownValue(this, 'stack', value);
    },
    configurable: true,
  },
});

/**
 * Kill reason used by kill-on-supersede: a newer run of the same job replaced this one.
 *
 * @example
 * ```ts
 * import { go, sleep, SupersededError } from 'gorx';
 *
 * const old = go(async (ctx) => sleep(60_000, { signal: ctx.signal }));
 * await old.kill(new SupersededError('report:42'));
 * ```
 */
export class SupersededError extends GoroutineExit {
  constructor(key?: unknown) {
    super(key, 'superseded by a newer run', 'ERR_SUPERSEDED');
  }
}

/**
 * Kill reason used by supervisors: the worker did not beat within its heartbeat timeout.
 *
 * @example
 * ```ts
 * import { HeartbeatTimeoutError } from 'gorx';
 *
 * const e = new HeartbeatTimeoutError(5000);
 * console.log(e.code, e.timeoutMs); // 'ERR_HEARTBEAT_TIMEOUT' 5000
 * ```
 */
export class HeartbeatTimeoutError extends GoroutineExit {
  /** The heartbeat timeout that was missed, in milliseconds. */
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(undefined, `no heartbeat within ${timeoutMs} ms`, 'ERR_HEARTBEAT_TIMEOUT');
    this.timeoutMs = timeoutMs;
  }
}

function describeReason(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  try {
    return typeof reason === 'string' ? reason : String(reason);
  } catch {
    return Object.prototype.toString.call(reason);
  }
}
