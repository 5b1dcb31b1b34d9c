/**
 * Errors crossing between threads. Structured clone keeps only `message` and `stack` of an Error
 * subclass and resets its class, so errors travel as plain records and are rebuilt on the other
 * side with the class of the same name where it is a gorx or standard class (matched by exact
 * prototype on the sending side, so a user class that happens to be named `TypeError` stays a
 * plain Error with that name), with `message`, `stack`, `cause` and own enumerable properties
 * (`code`, `reason`, ...) kept. Values that cannot be cloned are replaced by their `String()`.
 */
import {
  ChannelClosedError,
  DeadlockError,
  GorxError,
  GoroutineExit,
  HeartbeatTimeoutError,
  SupersededError,
  TimeoutError,
} from 'gorx';
import { ThreadExitError } from '../errors.js';

type Ctor = abstract new (...args: never[]) => Error;

const KNOWN: Record<string, Ctor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
  GorxError,
  ChannelClosedError,
  DeadlockError,
  TimeoutError,
  GoroutineExit,
  SupersededError,
  HeartbeatTimeoutError,
  ThreadExitError,
};

/** A serialized error (or a thrown non-error value, in `value`). */
export interface ErrorRecord {
  readonly $err: 1;
  readonly cls: string | null;
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly hasCause: boolean;
  readonly cause: unknown;
  readonly props: Record<string, unknown>;
}

interface ValueRecord {
  readonly $err: 0;
  readonly value: unknown;
}

export type Encoded = ErrorRecord | ValueRecord;

const MAX_DEPTH = 8;

export function encodeError(e: unknown, depth = 0): Encoded {
  if (!(e instanceof Error) || depth > MAX_DEPTH) return { $err: 0, value: cloneable(e, depth) };
  const proto = Object.getPrototypeOf(e) as object | null;
  const ctorName = (proto as { constructor?: { name?: string } } | null)?.constructor?.name;
  const cls =
    ctorName !== undefined && KNOWN[ctorName] !== undefined && KNOWN[ctorName].prototype === proto
      ? ctorName
      : null;
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(e)) {
    if (key === 'stack' || key === 'message' || key === 'cause') continue;
    props[key] = cloneable((e as unknown as Record<string, unknown>)[key], depth + 1);
  }
  if (e instanceof AggregateError) props.errors = e.errors.map((x) => encodeError(x, depth + 1));
  return {
    $err: 1,
    cls,
    name: String(e.name),
    message: String(e.message),
    stack: typeof e.stack === 'string' ? e.stack : undefined,
    hasCause: 'cause' in e,
    cause: 'cause' in e ? encodeError(e.cause, depth + 1) : undefined,
    props,
  };
}

export function decodeError(r: Encoded): unknown {
  if (r.$err === 0) return r.value;
  const Cls = (r.cls !== null ? KNOWN[r.cls] : undefined) ?? Error;
  const e = Object.create(Cls.prototype as object) as Error;
  define(e, 'message', r.message);
  define(e, 'stack', r.stack ?? `${r.name}: ${r.message}`);
  if (r.cls === null || e.name !== r.name) define(e, 'name', r.name);
  if (r.hasCause) define(e, 'cause', decodeError(r.cause as Encoded));
  for (const [k, v] of Object.entries(r.props)) {
    const value =
      k === 'errors' && Array.isArray(v)
        ? v.map((x) => decodeError(x as Encoded))
        : isEncodedError(v)
          ? decodeError(v)
          : v;
    Object.defineProperty(e, k, { value, writable: true, enumerable: true, configurable: true });
  }
  return e;
}

function isEncodedError(v: unknown): v is ErrorRecord {
  return v !== null && typeof v === 'object' && (v as { $err?: unknown }).$err === 1;
}

function define(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: false, configurable: true });
}

/** `v` if structured clone accepts it (errors nested in it are encoded), else `String(v)`. */
function cloneable(v: unknown, depth: number): unknown {
  if (v instanceof Error) return encodeError(v, depth + 1);
  if (v === null || (typeof v !== 'object' && typeof v !== 'function' && typeof v !== 'symbol')) {
    return v;
  }
  try {
    structuredClone(v);
    return v;
  } catch {
    try {
      return String(v);
    } catch {
      return Object.prototype.toString.call(v);
    }
  }
}
