/**
 * The operations of a random program, performed against gorx and recorded in the model. Each is
 * a generator function that yields the promises it waits on: a plain actor or an async goroutine
 * drives it with `drive()` (an await per yield), a generator goroutine runs it with `yield*`, so a
 * kill stops it exactly at the yield of the operation it is parked in.
 *
 * Blocking operations are tied to their actor the way a user would write it: a plain actor passes
 * an AbortSignal (`{ signal }`), an async goroutine passes its context (`ch.recv(ctx)`), a
 * generator goroutine passes nothing (a kill stops it at its `yield`).
 */
import {
  ChannelClosedError,
  GoroutineExit,
  range,
  recv,
  select,
  selectCallback,
  send,
  trySelect,
  type SelectCase,
  type SignalOptions,
} from 'gorx';
import { showCase, type AbortMode, type FollowUp, type OpSpec } from './random-program.js';
import { caseReady, checkSelect, expectClosedSend, recvReady, sendReady } from './oracle.js';
import type { Actor, Outcome, Parked, RunState, SelectOutcome } from './run-state.js';
import { describeError } from './trace.js';

/** An operation as a generator: yields promises, is resumed with their results. */
export type Op<T> = Generator<unknown, T, unknown>;

/** Runs an operation in an async function: one await per yielded promise. */
export async function drive<T>(op: Op<T>): Promise<T> {
  let step = op.next();
  while (!step.done) {
    try {
      step = op.next(await step.value);
    } catch (e) {
      step = op.throw(e);
    }
  }
  return step.value;
}

const showResult = (v: unknown): string => {
  if (v === undefined) return 'done';
  if (typeof v !== 'object' || v === null) return String(v);
  const r = v as { index?: number; value: unknown; ok?: boolean; done?: boolean };
  if (r.index === undefined) return r.done === true ? 'done' : String(r.value);
  return `case ${r.index}${r.value === undefined ? '' : ` ${String(r.value)}`}${r.ok === false ? ' (closed)' : ''}`;
};

export function* perform(s: RunState, a: Actor, op: OpSpec): Op<void> {
  const who = `a${a.id}`;
  switch (op.kind) {
    case 'send': {
      const ch = s.chans[op.ch]!;
      const value = s.nextValue(a);
      const label = `${who} send c${op.ch} ${value}`;
      const closedBefore = ch.closed;
      const p = newOp(s, a, label, [], [op.ch], op.abort);
      const out = yield* blocking(s, a, p, (o) => ch.send(value, o));
      if (out.ok) {
        s.trace.expect(!closedBefore, `${label}: a send on a closed channel resolved`);
        s.model.commit(op.ch, value, label);
        p.served = { dir: 'send', ch: op.ch };
      } else if (!out.aborted) {
        expectClosedSend(s, op.ch, out.error, label);
      }
      return;
    }
    case 'recv': {
      const ch = s.chans[op.ch]!;
      const label = `${who} recv c${op.ch}`;
      const p = newOp(s, a, label, [op.ch], [], op.abort);
      const out = yield* blocking(s, a, p, (o) => ch.recv(o));
      if (out.ok) {
        s.model.receive(op.ch, out.value, label);
        p.served = { dir: 'recv', ch: op.ch };
      } else if (!out.aborted) {
        expectCloseError(s, op.ch, out.error, label);
        s.model.closedReport(op.ch, ch.length, label);
      }
      return;
    }
    case 'range':
      return yield* rangeOp(s, a, op);
    case 'trySend':
      trySendNow(s, a, op.ch, who, true);
      return;
    case 'tryRecv':
      tryRecvNow(s, op.ch, who, true);
      return;
    case 'recvCallback': {
      const c = op.ch;
      const label = `${who} recvCallback c${c}`;
      const p = newOp(s, a, label, [c], [], op.abort, [], a.kind === 'generator');
      yield* callbackOp(s, a, p, (done) =>
        s.chans[c]!.recvCallback((value, ok, error) => {
          if (killedBy(a, error)) {
            s.trace.note(`${label} -> withdrawn by the kill`);
          } else if (ok) {
            s.trace.note(`${label} -> ${String(value)}`);
            s.model.receive(c, value, label);
            p.served = { dir: 'recv', ch: c };
          } else {
            s.trace.note(`${label} -> closed`);
            s.trace.expect(
              error === s.model.closeError(c),
              `${label}: reported the close error ${describeError(error)}`,
            );
            s.model.closedReport(c, s.chans[c]!.length, label);
          }
          followUp(s, a, op.then, label);
          done();
        }),
      );
      return;
    }
    case 'close': {
      const label = `${who} close c${op.ch}`;
      const wasClosed = s.model.isClosed(op.ch);
      const error = op.withError ? new Error(`c${op.ch} failed`) : undefined;
      // The model is updated first: close() wakes callback receivers synchronously.
      if (!wasClosed) {
        s.trace.note(`${label}${error ? ' with error' : ''}`);
        s.model.close(op.ch, error);
      }
      try {
        s.chans[op.ch]!.close(error);
        s.trace.expect(!wasClosed, `${label}: closing a closed channel did not throw`);
      } catch (e) {
        s.trace.note(`${label} threw ${describeError(e)}`);
        s.trace.expect(
          wasClosed && e instanceof ChannelClosedError,
          `${label}: threw ${describeError(e)} (was closed: ${wasClosed})`,
        );
      }
      return;
    }
    case 'select':
    case 'trySelect':
    case 'selectCallback':
      return yield* performSelect(s, a, op);
  }
}

/**
 * A callback op started inside a goroutine is tied to it: a kill ends it with the GoroutineExit
 * (a withdrawal, like an abort).
 */
function killedBy(a: Actor, error: unknown): boolean {
  return a.killed !== null && error instanceof GoroutineExit;
}

function expectCloseError(s: RunState, c: number, error: unknown, label: string): void {
  const expected = s.model.closeError(c);
  s.trace.expect(
    expected !== undefined ? error === expected : error instanceof ChannelClosedError,
    `${label}: rejected ${describeError(error)}, expected the close error`,
  );
}

/** Non-blocking send by `a` (or, with `a === null`, by the scheduler itself). */
export function trySendNow(
  s: RunState,
  a: Actor | null,
  c: number,
  who: string,
  checkReady: boolean,
): boolean {
  const ch = s.chans[c]!;
  const value = a === null ? `s.${s.schedulerSeq++}` : s.nextValue(a);
  const label = `${who} trySend c${c} ${value}`;
  const closed = s.model.isClosed(c);
  // Inside a callback the model is mid-step, so readiness is only checked for top-level ops.
  const ready = checkReady ? sendReady(s, c) : null;
  try {
    const sent = ch.trySend(value);
    s.trace.note(`${label} -> ${sent}`);
    s.trace.expect(!closed, `${label}: trySend on a closed channel did not throw`);
    s.trace.expect(
      ready === null || sent === ready,
      `${label}: returned ${sent}, but the model says ready=${ready}`,
    );
    if (sent) s.model.commit(c, value, label);
    return sent;
  } catch (e) {
    s.trace.note(`${label} threw ${describeError(e)}`);
    s.trace.expect(
      closed && e instanceof ChannelClosedError,
      `${label}: threw ${describeError(e)} (channel closed: ${closed})`,
    );
    return false;
  }
}

function tryRecvNow(s: RunState, c: number, who: string, checkReady: boolean): void {
  const label = `${who} tryRecv c${c}`;
  const ready = checkReady ? recvReady(s, c) : null;
  const r = s.chans[c]!.tryRecv();
  if (r.ok) {
    s.trace.note(`${label} -> ${r.value}`);
    s.trace.expect(
      ready !== false,
      `${label}: got ${r.value}, but the model says nothing was ready`,
    );
    s.model.receive(c, r.value, label);
  } else {
    s.trace.note(`${label} -> nothing (closed: ${r.closed})`);
    s.trace.expect(ready !== true, `${label}: found nothing, but a value or a sender was ready`);
    s.trace.expect(
      r.closed === s.model.isClosed(c),
      `${label}: closed=${r.closed} but the channel is ${s.model.isClosed(c) ? '' : 'not '}closed`,
    );
    if (r.closed) s.model.closedReport(c, s.chans[c]!.length, label);
  }
}

/** A callback's synchronous follow-up op, run inside the hand-off that called it. */
function followUp(s: RunState, a: Actor, then: FollowUp | null, label: string): void {
  if (then === null) return;
  if (then.kind === 'trySend') trySendNow(s, a, then.ch, `${label}, then`, false);
  else tryRecvNow(s, then.ch, `${label}, then`, false);
}

/** `for await (const v of range(ch, ...))` for up to `max` values, then `break`. */
function* rangeOp(s: RunState, a: Actor, op: Extract<OpSpec, { kind: 'range' }>): Op<void> {
  const c = op.ch;
  const ch = s.chans[c]!;
  const label = `a${a.id} range c${c}`;
  // One controller for the whole loop: aborting it ends the loop wherever it waits.
  const first: Parked = newOp(s, a, `${label} #1`, [c], [], op.abort);
  const it =
    a.kind === 'plain'
      ? range(ch, { signal: first.controller.signal })
      : a.kind === 'async'
        ? range(ch, a.ctx!)
        : ch[Symbol.asyncIterator]();
  try {
    for (let k = 1; k <= op.max; k++) {
      const p = k === 1 ? first : { ...first, label: `${label} #${k}`, order: 0, served: null };
      const out = yield* blocking(s, a, p, () => it.next());
      if (!out.ok) {
        if (!out.aborted) {
          expectCloseError(s, c, out.error, p.label);
          s.model.closedReport(c, ch.length, p.label);
        }
        return;
      }
      if (out.value.done === true) {
        s.trace.expect(
          s.model.closeError(c) === undefined,
          `${p.label}: ended quietly although c${c} was closed with an error`,
        );
        s.model.closedReport(c, ch.length, p.label);
        return;
      }
      s.model.receive(c, out.value.value, p.label);
      p.served = { dir: 'recv', ch: c };
    }
  } finally {
    // `break`: withdraws the pending receive (none is pending between iterations).
    void it.return?.();
  }
}

function* performSelect(
  s: RunState,
  a: Actor,
  op: Extract<OpSpec, { kind: 'select' | 'trySelect' | 'selectCallback' }>,
): Op<void> {
  const values = op.cases.map((c) => (c.dir === 'send' ? s.nextValue(a) : undefined));
  const built: SelectCase[] = op.cases.map((c, i) => {
    if (c.dir === 'promise') return recv(s.promises[c.p]!.promise);
    const ch = c.ch === null ? null : s.chans[c.ch]!;
    return c.dir === 'recv' ? recv(ch) : send(ch, values[i]!);
  });
  const label = `a${a.id} ${op.kind}[${op.cases
    .map((c, i) => showCase(c) + (values[i] !== undefined ? ` ${values[i]}` : ''))
    .join(', ')}]`;
  const ready = op.cases.map((c) => caseReady(s, c));
  const closedAtIssue = op.cases.map(
    (c) => c.dir !== 'promise' && c.ch !== null && s.model.isClosed(c.ch),
  );
  // gorx starts watching a promise as soon as a select names it (even one whose signal is
  // already aborted): it learns the promise's state a microtask later.
  for (const c of op.cases) if (c.dir === 'promise') s.promises[c.p]!.firstNamed ??= s.step;
  const issued = { label, cases: op.cases, values, ready, closedAtIssue };
  const check = (out: Outcome<SelectOutcome | undefined>, p: Parked | null): void =>
    checkSelect(s, issued, out, p);

  if (op.kind === 'trySelect') {
    let out: Outcome<SelectOutcome | undefined>;
    try {
      out = { ok: true, value: trySelect(built) };
      s.trace.note(`${label} -> ${out.value === undefined ? 'default' : showResult(out.value)}`);
    } catch (error) {
      out = { ok: false, error, aborted: false };
      s.trace.note(`${label} threw ${describeError(error)}`);
    }
    check(out, null);
    return;
  }
  const recvOn = op.cases.flatMap((c) => (c.dir === 'recv' && c.ch !== null ? [c.ch] : []));
  const sendOn = op.cases.flatMap((c) => (c.dir === 'send' && c.ch !== null ? [c.ch] : []));
  const promisesOn = op.cases.flatMap((c) => (c.dir === 'promise' ? [c.p] : []));
  if (op.kind === 'select') {
    const p = newOp(s, a, label, recvOn, sendOn, op.abort, promisesOn);
    check(yield* blocking(s, a, p, (o) => select(built, o)), p);
    return;
  }
  const p = newOp(s, a, label, recvOn, sendOn, op.abort, promisesOn, a.kind === 'generator');
  yield* callbackOp(s, a, p, (done) =>
    selectCallback(
      built,
      (r) => {
        s.trace.note(`${label} -> ${showResult(r)}`);
        check({ ok: true, value: r }, p);
        followUp(s, a, op.then, label);
        done();
      },
      (error) => {
        s.trace.note(`${label} -> ${describeError(error)}`);
        check({ ok: false, error, aborted: killedBy(a, error) }, p);
        done();
      },
    ),
  );
}

/**
 * The record of a blocking op: which queues it may wait in, its own AbortController, and whether
 * the scheduler may abort it (plain actors) or kill its goroutine while it waits. A goroutine
 * actor's ops are tied to the goroutine instead of a signal, so their abort mode is ignored.
 */
function newOp(
  s: RunState,
  a: Actor,
  label: string,
  recvOn: number[],
  sendOn: number[],
  abort: AbortMode,
  promisesOn: number[] = [],
  killable = a.kind !== 'plain',
): Parked {
  const controller = new AbortController();
  const reason = new Error(`abort: ${label}`);
  const plain = a.kind === 'plain';
  if (plain && abort === 'before') controller.abort(reason);
  return {
    label,
    recvOn,
    sendOn,
    promisesOn,
    controller,
    reason,
    abortable: plain && abort === 'while-parked',
    killable,
    order: 0,
    served: null,
  };
}

/** How a blocking op of `a` is tied to it (see the file comment). */
function tie(a: Actor, p: Parked): SignalOptions | undefined {
  if (a.kind === 'plain') return { signal: p.controller.signal };
  if (a.kind === 'async') return a.ctx!;
  return undefined;
}

/** Starts a blocking op, tracks it while parked, reports how it ended. */
function* blocking<T>(
  s: RunState,
  a: Actor,
  p: Parked,
  start: (options: SignalOptions | undefined) => Promise<T>,
): Op<Outcome<T>> {
  const { label, controller, reason } = p;
  const issued = s.step;
  let promise: Promise<T>;
  try {
    promise = start(tie(a, p));
  } catch (e) {
    s.trace.violate(`${label}: threw synchronously ${describeError(e)} instead of rejecting`);
    return { ok: false, error: e, aborted: false };
  }
  a.state = 'parked';
  a.parked = p;
  let out: Outcome<T> | null = null;
  try {
    try {
      out = { ok: true, value: (yield promise) as T };
    } catch (error) {
      const killed = a.killed !== null && error instanceof GoroutineExit;
      out = { ok: false, error, aborted: error === reason || killed };
    }
  } finally {
    a.parked = null;
    // A generator killed at this yield never sees the outcome (and returns through here).
    if (out === null) s.trace.note(`${label} -> stopped at its yield by the kill`);
  }
  a.state = 'running';
  const since = issued === s.step ? '' : ` (issued at #${issued})`;
  if (out.ok) s.trace.note(`${label}${since} -> ${showResult(out.value)}`);
  else s.trace.note(`${label}${since} -> ${out.aborted ? 'aborted' : describeError(out.error)}`);
  if (a.killed !== null) {
    // Killed while parked: the op was withdrawn (GoroutineExit), or its value had been handed
    // over before the kill and the code sees it.
    s.trace.expect(
      out.ok || out.aborted,
      `${label}: its goroutine was killed, but it rejected ${describeError((out as { error: unknown }).error)}`,
    );
    return out;
  }
  // The scheduler aborts only ops that are parked (or not started), so abort must win.
  const aborted = controller.signal.aborted;
  s.trace.expect(
    aborted === (!out.ok && out.aborted),
    aborted
      ? `${label}: was aborted but ${out.ok ? 'completed' : `rejected ${describeError(out.error)}`}`
      : `${label}: rejected with an abort reason without being aborted`,
  );
  return out;
}

/**
 * Starts a callback-mode op (recvCallback, selectCallback) and waits until its callback runs or
 * its cancel() withdraws it; the op's AbortController stands for the caller deciding to cancel.
 * A generator killed while waiting withdraws it on its way out.
 */
function* callbackOp(
  s: RunState,
  a: Actor,
  p: Parked,
  start: (done: () => void) => () => boolean,
): Op<void> {
  let ran = false;
  let withdrawn = false;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const cancel = start(() => {
    s.trace.expect(
      !ran && !withdrawn,
      `${p.label}: the callback ran ${withdrawn ? 'after cancel() withdrew it' : 'twice'}`,
    );
    ran = true;
    finish();
  });
  const onAbort = (): void => {
    const withdrew = cancel();
    s.trace.expect(
      withdrew === !ran,
      `${p.label}: cancel() returned ${withdrew} although the callback had ${ran ? '' : 'not '}run`,
    );
    if (withdrew) {
      withdrawn = true;
      s.trace.note(`${p.label} -> withdrawn`);
      finish();
    }
  };
  if (p.controller.signal.aborted) onAbort();
  else p.controller.signal.addEventListener('abort', onAbort, { once: true });
  a.state = 'parked';
  a.parked = p;
  try {
    yield finished;
  } finally {
    p.controller.signal.removeEventListener('abort', onAbort);
    a.parked = null;
    if (!ran && !withdrawn) {
      withdrawn = cancel();
      s.trace.note(`${p.label} -> withdrawn by the kill`);
    }
  }
  a.state = 'running';
  s.trace.expect(!cancel(), `${p.label}: cancel() returned true after the op had ended`);
}
