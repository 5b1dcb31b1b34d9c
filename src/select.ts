/**
 * Go's `select`: wait on several channel operations, fire exactly one.
 * @module
 */
import type { RecvChan, SendChan, SignalOptions } from './types.js';
import { ChannelClosedError } from './errors.js';
import {
  CHANNEL_BRAND,
  Channel,
  bridgedChannelError,
  demandedCases,
  isBridgedChannel,
} from './internal/channel.js';
import { loadedCopies } from './internal/copies.js';
import { demandsPending } from './internal/demand.js';
import { GO_ON, current, rejectStopped, stopReason } from './internal/park.js';
import { FULFILLED, PENDING, promiseState } from './internal/promise-case.js';
import { SelectOp, type RawResult } from './internal/select-op.js';
import { CaseWaiter, RECV, SEND } from './internal/waiter.js';
import { checkFunction, describeValue } from './internal/validate.js';
import { resolvedWith } from './internal/yield.js';

/** A receive case: a channel (or `null`: never ready) or a promise (ready when it settles). */
export interface RecvCase<T> {
  readonly kind: 'recv';
  readonly ch: RecvChan<T> | PromiseLike<T> | null | undefined;
  readonly value: undefined;
}

/** A send case: offers `value` on a channel (or `null`: never ready). */
export interface SendCase<T> {
  readonly kind: 'send';
  readonly ch: SendChan<T> | null | undefined;
  readonly value: T;
}

/** Any select case. */
export type SelectCase = RecvCase<any> | SendCase<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

type IndexOf<K> = K extends `${infer N extends number}` ? N : never;

/** The result for one case at position `I`. */
export type CaseResult<C, I extends number> =
  C extends RecvCase<infer T>
    ? { index: I; value: T; ok: true } | { index: I; value: undefined; ok: false }
    : C extends SendCase<unknown>
      ? { index: I; value: undefined; ok: true }
      : never;

/**
 * Result of `select(cases)`: `index` of the fired case; for a receive, `value` and Go's `ok`
 * (`false` when the channel is closed and drained). Narrows on `index` for tuple literals.
 */
export type SelectResult<Cs extends readonly SelectCase[]> = number extends Cs['length']
  ? CaseResult<Cs[number], number>
  : { [K in keyof Cs]: CaseResult<Cs[K], IndexOf<K>> }[number];

/**
 * A receive case for `select`. `ch` may be a channel, `null`/`undefined` (never ready, like
 * Go's nil channel) or a promise (ready when it settles; a rejection rejects the select).
 *
 * @example
 * ```ts
 * import { chan, recv, select } from 'gorx';
 *
 * const jobs = chan<string>(1);
 * jobs.trySend('build');
 * const r = await select([recv(jobs), recv(null)]);
 * if (r.index === 0 && r.ok) console.log(r.value.toUpperCase()); // 'BUILD'
 * ```
 */
export function recv<T>(ch: RecvChan<T> | PromiseLike<T> | null | undefined): RecvCase<T> {
  return { kind: 'recv', ch, value: undefined };
}

/**
 * A send case for `select`. `ch` may be `null`/`undefined`: the case is then never ready.
 *
 * @example
 * ```ts
 * import { chan, send, trySelect } from 'gorx';
 *
 * const out = chan<number>(1);
 * console.log(trySelect([send(out, 42)])?.index); // 0
 * ```
 */
export function send<T>(ch: SendChan<T> | null | undefined, value: T): SendCase<T> {
  return { kind: 'send', ch, value };
}

/**
 * Waits until one case can proceed and performs exactly that one. When several are ready, one
 * is chosen uniformly at random; a losing case never takes or gives a value. A send case on a
 * closed channel rejects `ChannelClosedError`. No case at all (or only `null` ones) blocks forever.
 *
 * @example
 * ```ts
 * import { after, chan, recv, select, send } from 'gorx';
 *
 * const jobs = chan<number>();
 * const results = chan<string>(1);
 * const r = await select([recv(jobs), send(results, 'idle'), recv(after(1000))]);
 * switch (r.index) {
 *   case 0:
 *     if (r.ok) console.log('job', r.value.toFixed()); // r.value: number
 *     break;
 *   case 1:
 *     console.log('reported idle');
 *     break;
 *   case 2:
 *     console.log('timed out at', r.value);
 * }
 * ```
 */
export function select<const Cs extends readonly SelectCase[]>(
  cases: Cs,
  opts?: SignalOptions,
): Promise<SelectResult<Cs>> {
  const p = selectNow(cases, opts);
  // Checked here, not only inside demandedCases: V8 then does not inline the loop over the cases
  // that almost every select skips.
  if (demandsPending()) demandedCases(cases, undefined);
  return p;
}

function selectNow<const Cs extends readonly SelectCase[]>(
  cases: Cs,
  opts: SignalOptions | undefined,
): Promise<SelectResult<Cs>> {
  // The options first: a duck-typed signal's getter is user code, which must not run between
  // the pick and the commit.
  const stop = stopReason(opts, 'select');
  // Picked even when aborted: naming a promise case subscribes to it (see promise-case.ts), also
  // for a select that is aborted before it starts.
  const chosen = checkedPick(cases, 'select');
  if (stop !== GO_ON) return rejectStopped(stop);
  if (chosen >= 0) {
    let result: RawResult;
    try {
      result = commitNow(cases[chosen]!, chosen);
    } catch (e) {
      return Promise.reject(e);
    }
    const c = cases[chosen]!;
    const done = resolvedWith(result as SelectResult<Cs>);
    if (
      current !== null &&
      current.taken !== null &&
      result.ok &&
      c.kind === 'recv' &&
      c.ch instanceof Channel
    ) {
      current.taken.track(done, c.ch as Channel<unknown>, result.value);
    }
    return done;
  }
  const op = SelectOp.promised();
  const p = op.promise as Promise<SelectResult<Cs>>;
  if (current !== null && current.taken !== null) op.rec = current.taken.track(p, null, undefined);
  parkSelect(cases, op, opts);
  return p;
}

/**
 * Go's `select` with a `default` case: performs one ready case (chosen at random) and returns its
 * result, or returns `undefined` at once when no case is ready. A promise case counts as ready
 * only once gorx has observed it settle, which takes a microtask after the first select (or
 * trySelect) that names it.
 *
 * @example
 * ```ts
 * import { chan, recv, trySelect } from 'gorx';
 *
 * const messages = chan<string>();
 * const r = trySelect([recv(messages)]);
 * console.log(r === undefined ? 'no message received' : r.value);
 * ```
 */
export function trySelect<const Cs extends readonly SelectCase[]>(
  cases: Cs,
): SelectResult<Cs> | undefined {
  let chosen: number;
  if (demandsPending()) {
    // Nothing parks here: the sources get their chance to emit first, then the select looks.
    checkCases(cases, 'trySelect');
    demandedCases(cases, undefined);
    chosen = pick(cases);
  } else {
    chosen = checkedPick(cases, 'trySelect');
  }
  if (chosen < 0) return undefined;
  return commitNow(cases[chosen]!, chosen) as SelectResult<Cs>;
}

/**
 * Low-level select for adapters (the RxJS `select$` uses it): `onResult` runs synchronously at the
 * moment a case commits (at once if one is ready), `onError` on a closed send case or a rejected
 * promise case. Returns a function that withdraws every case: true if it did, false if the select
 * had already fired.
 *
 * @example
 * ```ts
 * import { chan, recv, selectCallback } from 'gorx';
 *
 * const a = chan<number>();
 * const cancel = selectCallback(
 *   [recv(a)],
 *   (r) => console.log('fired', r.index),
 *   (e) => console.error(e),
 * );
 * cancel(); // nothing was taken from `a`
 * ```
 */
export function selectCallback<const Cs extends readonly SelectCase[]>(
  cases: Cs,
  onResult: (result: SelectResult<Cs>) => void,
  onError: (error: unknown) => void,
): () => boolean {
  checkFunction(onResult, 'selectCallback: onResult');
  checkFunction(onError, 'selectCallback: onError');
  return demandedCases(cases, selectCallbackNow(cases, onResult, onError));
}

function selectCallbackNow<const Cs extends readonly SelectCase[]>(
  cases: Cs,
  onResult: (result: SelectResult<Cs>) => void,
  onError: (error: unknown) => void,
): () => boolean {
  const chosen = checkedPick(cases, 'selectCallback');
  if (chosen >= 0) {
    let result: RawResult;
    try {
      result = commitNow(cases[chosen]!, chosen);
    } catch (e) {
      onError(e);
      return notParked;
    }
    onResult(result as SelectResult<Cs>);
    return notParked;
  }
  const op = new SelectOp(onResult as (r: RawResult) => void, onError);
  parkSelect(cases, op, undefined);
  return () => op.withdraw();
}

const notParked = (): boolean => false;

/** Throws TypeError unless `cases` is an array of valid cases (before anything changes). */
function checkCases(cases: readonly SelectCase[], fn: string): void {
  if (!Array.isArray(cases)) throw notAnArray(cases, fn);
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    // The common case first: a channel case built by recv() or send().
    if (
      typeof c === 'object' &&
      c !== null &&
      c.ch instanceof Channel &&
      (c.kind === 'recv' || c.kind === 'send')
    ) {
      continue;
    }
    channelOf(c, i, fn);
  }
}

/**
 * Checks the cases (TypeError naming `fn` on a bad one, before anything changes) and picks one
 * ready case at random, or returns -1: one pass when every case is a channel case.
 */
function checkedPick(cases: readonly SelectCase[], fn: string): number {
  const chosen = checkAndPick(cases, fn);
  return chosen === NOT_ALL_CHANNELS ? pick(cases) : chosen;
}

/** What `checkAndPick` returns when some case is nil or a promise: `pick` decides then. */
const NOT_ALL_CHANNELS = -2;

/**
 * `checkCases` and `pick` in one pass over the common select, whose cases are all channel cases:
 * throws TypeError on a bad case (before anything changes), else returns what `pick` would.
 * When some case is nil or a promise, returns NOT_ALL_CHANNELS once every case is checked, having
 * looked at no promise (naming one subscribes to it: `pick` does, after the caller's other checks).
 */
function checkAndPick(cases: readonly SelectCase[], fn: string): number {
  if (!Array.isArray(cases)) throw notAnArray(cases, fn);
  let chosen = -1;
  let seen = 0;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    if (typeof c !== 'object' || c === null || !(c.ch instanceof Channel)) {
      checkCases(cases, fn);
      return NOT_ALL_CHANNELS;
    }
    // channelReady spelled out: one test of the kind both validates the case and picks the check.
    const ch = c.ch;
    let ready: boolean;
    if (c.kind === 'recv') ready = ch.recvReady() || ch.isClosed;
    else if (c.kind === 'send') ready = ch.isClosed || ch.sendReady();
    else throw notACase(c, i, fn);
    if (ready && (++seen === 1 || Math.random() * seen < 1)) chosen = i;
  }
  return chosen;
}

/**
 * Picks one ready case uniformly at random (reservoir sampling over the ready ones: no
 * allocation), or returns -1 when none is ready. Precondition: `checkCases` passed.
 */
function pick(cases: readonly SelectCase[]): number {
  let chosen = -1;
  let seen = 0;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    const ch = c.ch;
    let ready: boolean;
    if (ch instanceof Channel) {
      ready = channelReady(ch, c.kind);
    } else {
      ready = ch != null && promiseState(ch as PromiseLike<unknown>).status !== PENDING;
    }
    if (ready && (++seen === 1 || Math.random() * seen < 1)) chosen = i;
  }
  return chosen;
}

/** A channel case can proceed now (a closed channel's case proceeds: it fails or gets zero). */
function channelReady(ch: Channel<unknown>, kind: 'recv' | 'send'): boolean {
  return kind === 'recv' ? ch.recvReady() || ch.isClosed : ch.isClosed || ch.sendReady();
}

/** The case's channel, or null for a nil or promise case; throws TypeError for anything else. */
function channelOf(c: unknown, i: number, fn: string): Channel<unknown> | null {
  if (c === null || typeof c !== 'object') throw notACase(c, i, fn);
  const { kind, ch } = c as SelectCase;
  if (kind !== 'recv' && kind !== 'send') throw notACase(c, i, fn);
  if (ch instanceof Channel) return ch;
  if (ch === null || ch === undefined) return null;
  if ((ch as unknown as Record<symbol, unknown>)[CHANNEL_BRAND] === true) {
    throw new TypeError(
      `${fn}: case ${i} uses a channel made by a different copy of gorx. Two copies of gorx are ` +
        `loaded (${loadedCopies().join(' and ')}): deduplicate the install (npm ls gorx) and load ` +
        `gorx one way (require(esm) turned off makes require('gorx') load a second, CommonJS ` +
        `copy); channels of one copy cannot be selected by the other.`,
    );
  }
  if (isBridgedChannel(ch)) {
    throw bridgedChannelError(
      fn,
      `case ${i}`,
      `import { ${fn === 'trySelect' ? 'trySelect' : 'select'} } from 'gorx/threads' in thread ` +
        `modules (it decides a select over bridged channels on the main thread, so a losing case ` +
        `takes nothing)`,
    );
  }
  if (kind === 'recv' && typeof (ch as PromiseLike<unknown>).then === 'function') return null;
  throw new TypeError(
    `${fn}: case ${i} has ${describe(ch)} where a channel${kind === 'recv' ? ', a promise' : ''} or null was expected`,
  );
}

function notAnArray(cases: unknown, fn: string): TypeError {
  return new TypeError(
    `${fn}: expected an array of cases built with recv() and send(), got ${describeValue(cases)}`,
  );
}

function notACase(c: unknown, i: number, fn: string): TypeError {
  return new TypeError(
    `${fn}: case ${i} is not a select case (got ${describe(c)}); build cases with recv(ch) or send(ch, value)`,
  );
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Performs a ready case. Precondition: `pick` chose it. Throws on a send to a closed channel. */
function commitNow(c: SelectCase, index: number): RawResult {
  if (!(c.ch instanceof Channel)) {
    const s = promiseState(c.ch as PromiseLike<unknown>);
    if (s.status === FULFILLED) return { index, value: s.value, ok: true };
    throw s.value;
  }
  const ch = c.ch as unknown as Channel<unknown>;
  if (c.kind === 'recv') {
    if (ch.recvReady()) return { index, value: ch.take(), ok: true };
    return { index, value: undefined, ok: false };
  }
  if (ch.isClosed) throw new ChannelClosedError('send on closed channel');
  ch.give(c.value);
  return { index, value: undefined, ok: true };
}

/** Enqueues a waiter on every channel case and registers the select. */
function parkSelect(
  cases: readonly SelectCase[],
  op: SelectOp,
  opts: SignalOptions | undefined,
): void {
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    const ch = c.ch;
    if (ch === null || ch === undefined) continue;
    if (ch instanceof Channel) {
      const recvCase = c.kind === 'recv';
      const q = recvCase ? ch.recvq : ch.sendq;
      // A case on the same channel and direction as an earlier case of this select could never
      // fire while the select waits: that earlier case is ahead of it in the same queue (the tail,
      // as nothing else runs while the select enqueues). So it is not queued.
      if (op.isLastIn(q)) continue;
      op.addWaiter(
        new CaseWaiter(ch as Channel<unknown>, recvCase ? RECV : SEND, c.value, op, i),
        q,
      );
    } else {
      op.addPromise(promiseState(ch as PromiseLike<unknown>), i);
    }
  }
  op.parkWith(opts);
}
