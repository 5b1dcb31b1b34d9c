/**
 * `select` and `trySelect` for thread modules: the same as gorx's, and they also accept channels
 * bridged from the main thread. A select over bridged channels is decided on the main thread on
 * the thread's behalf, so a losing case takes nothing and a sender on a losing channel stays
 * blocked.
 * @module
 */
import {
  isChan,
  select as coreSelect,
  trySelect as coreTrySelect,
  type SelectCase,
  type SelectOptions,
  type SelectResult,
} from 'gorx';
import * as P from './internal/protocol.js';
import { BridgedChan } from './internal/bridged-chan.js';
import type { ThreadBridge } from './internal/thread-bridge.js';

function bridgeOf(cases: readonly SelectCase[], fn: string): ThreadBridge | null {
  if (!Array.isArray(cases)) return null; // the core select reports it
  let bridge: ThreadBridge | null = null;
  let local = false;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i] as SelectCase | null;
    const ch = c?.ch;
    if (c?.kind === 'send' && ch != null && !(ch instanceof BridgedChan) && !isChan(ch)) {
      throw new TypeError(`${fn}: case ${i} sends on something that is not a channel`);
    }
    if (ch instanceof BridgedChan) {
      if (bridge !== null && bridge !== ch.bridge) {
        throw new TypeError(`${fn}: the cases use bridged channels of different thread runs`);
      }
      bridge = ch.bridge;
    } else if (isChan(ch)) local = true;
  }
  if (bridge !== null && local) {
    throw new TypeError(
      `${fn}: cannot mix channels bridged from the main thread with channels made in this thread ` +
        `(the select is decided on the main thread); use a promise case or { signal } for timeouts`,
    );
  }
  return bridge;
}

/**
 * Go's `select` for thread modules: like gorx's `select`, and it also takes channels bridged from
 * the main thread (all of a case list's channels must then be bridged; promise cases may be
 * mixed in). With bridged channels the choice is made on the main thread: exactly one case
 * fires, a losing case takes nothing.
 *
 * @example
 * ```ts
 * import { recv, send, type Chan, type GoContext } from 'gorx';
 * import { select } from 'gorx/threads';
 *
 * // in a thread module: jobs and results are channels of the main thread
 * export async function work(ctx: GoContext, jobs: Chan<number>, results: Chan<number>) {
 *   for (;;) {
 *     const r = await select([recv(jobs), send(results, -1)], ctx);
 *     if (r.index === 0 && !r.ok) return;
 *   }
 * }
 * ```
 */
export function select<const Cs extends readonly SelectCase[]>(
  cases: Cs,
  opts?: SelectOptions,
): Promise<SelectResult<Cs>> {
  let bridge: ThreadBridge | null;
  try {
    bridge = bridgeOf(cases, 'select');
  } catch (e) {
    return Promise.reject(e);
  }
  if (bridge === null) return coreSelect(cases, opts);
  const raw: (unknown[] | null)[] = [];
  const kinds: number[] = [];
  const promises: [number, PromiseLike<unknown>][] = [];
  cases.forEach((c, i) => {
    if (c.ch instanceof BridgedChan) {
      const k = c.kind === 'recv' ? 0 : 1;
      raw.push([k, c.ch.id, c.value]);
      kinds.push(k);
    } else {
      raw.push(null);
      kinds.push(-1);
      if (c.kind === 'recv' && c.ch != null) promises.push([i, c.ch as PromiseLike<unknown>]);
    }
  });
  const b = bridge;
  const op = b.op<SelectResult<Cs>>(P.SELECT, (s) => [P.SELECT, s, raw], opts, kinds);
  const sendIds: number[] = [];
  for (const c of raw) if (c !== null && c[0] === 1) sendIds.push(c[1] as number);
  b.countSelectSends(op.seq, sendIds);
  for (const [i, p] of promises) {
    Promise.resolve(p).then(
      (value) => b.cancel(op.seq, undefined, () => op.resolve({ index: i, value, ok: true })),
      (e: unknown) => b.cancel(op.seq, undefined, () => op.reject(e)),
    );
  }
  return op.promise;
}

/**
 * Go's `select` with `default` for thread modules: like gorx's `trySelect`, and it also takes
 * bridged channels (then it waits for a round trip to the main thread; promise cases count as
 * not ready).
 *
 * @example
 * ```ts
 * import { recv, type Chan } from 'gorx';
 * import { trySelect } from 'gorx/threads';
 *
 * export function poll(jobs: Chan<string>): string | undefined {
 *   const r = trySelect([recv(jobs)]);
 *   return r?.ok ? r.value : undefined;
 * }
 * ```
 */
export function trySelect<const Cs extends readonly SelectCase[]>(
  cases: Cs,
): SelectResult<Cs> | undefined {
  const bridge = bridgeOf(cases, 'trySelect');
  if (bridge === null) return coreTrySelect(cases);
  const raw = cases.map((c) =>
    c.ch instanceof BridgedChan ? [c.kind === 'recv' ? 0 : 1, c.ch.id, c.value] : null,
  );
  const r = bridge.sync(P.SYNC_TRY_SELECT, -1, raw);
  if ((r[2] as number) >= 0) bridge.spendCredit(r[2] as number); // see MainBridge.spend
  return r[1] === null ? undefined : (r[1] as SelectResult<Cs>);
}
