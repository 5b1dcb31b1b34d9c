/**
 * What Go's rules allow at each step of a random program: readiness of sends, receives and select
 * cases, the progress rules checked after every step (no receiver waits while a value or a sender
 * is there, no sender waits while there is room or a receiver, nothing waits on a closed channel
 * or a settled promise, waiters are served in arrival order, gorx's parked-op count equals the ops
 * the actors wait on), and how a select may end. Value accounting is the model's
 * (channel-model.ts); this file owns the rules about waiting.
 */
import { ChannelClosedError } from 'gorx';
import { parkedCount } from '../../src/internal/park.js';
import type { AnyCaseSpec } from './random-program.js';
import type { Outcome, Parked, RunState, SelectOutcome } from './run-state.js';
import { describeError } from './trace.js';

/** Go's rule for a receive to proceed now: a buffered value or a parked sender. */
export function recvReady(s: RunState, c: number): boolean {
  return s.model.buffered(c) > 0 || s.parkedOps().some((p) => p.sendOn.includes(c));
}

/** Go's rule for a send to proceed now: a parked receiver or room in the buffer. */
export function sendReady(s: RunState, c: number): boolean {
  return (
    s.parkedOps().some((p) => p.recvOn.includes(c)) || s.model.buffered(c) < s.model.capacity(c)
  );
}

export function caseReady(s: RunState, c: AnyCaseSpec): boolean {
  if (c.dir === 'promise') {
    const slot = s.promises[c.p]!;
    return slot.settledAt !== null && slot.firstNamed !== null && slot.firstNamed < s.step;
  }
  if (c.ch === null) return false;
  return s.model.isClosed(c.ch) || (c.dir === 'recv' ? recvReady(s, c.ch) : sendReady(s, c.ch));
}

export function expectClosedSend(s: RunState, c: number, error: unknown, label: string): void {
  s.trace.expect(
    error instanceof ChannelClosedError && s.model.isClosed(c),
    `${label}: rejected ${describeError(error)} (channel closed: ${s.model.isClosed(c)})`,
  );
}

/** After every step: the model and the channels agree, and no op waits that Go would run. */
export function checkQuiescent(s: RunState): void {
  const at = `after step ${s.step}`;
  for (const a of s.actors) {
    if (a.state === 'running')
      s.trace.violate(`${at}: a${a.id} is still running (harness too shallow)`);
    if (a.killed !== null && !a.killed.resolved)
      s.trace.violate(`${at}: kill() of a${a.id} has not resolved`);
  }
  const parked = s.parkedOps();
  checkServedInOrder(s, parked, at);
  for (const p of parked) {
    for (const k of p.promisesOn) {
      const settled = s.promises[k]!.settledAt !== null;
      s.trace.expect(!settled, `${at}: ${p.label} still waits although p${k} has settled`);
    }
  }
  s.trace.expect(
    parkedCount() === parked.length,
    `${at}: gorx has ${parkedCount()} parked ops, the actors wait on ${parked.length}`,
  );
  s.model.checkChannels(s.chans, at);
  s.chans.forEach((ch, c) => {
    const cap = s.model.capacity(c);
    const receivers = parked.filter((p) => p.recvOn.includes(c));
    const senders = parked.filter((p) => p.sendOn.includes(c));
    for (const r of receivers) {
      s.trace.expect(!s.model.isClosed(c), `${at}: ${r.label} still waits on closed c${c}`);
      s.trace.expect(ch.length === 0, `${at}: ${r.label} waits while c${c} buffers ${ch.length}`);
      const partner = senders.find((x) => x !== r);
      if (partner !== undefined) {
        s.trace.violate(`${at}: ${r.label} and ${partner.label} both wait on c${c}`);
      }
    }
    for (const x of senders) {
      s.trace.expect(!s.model.isClosed(c), `${at}: ${x.label} still waits on closed c${c}`);
      s.trace.expect(ch.length >= cap, `${at}: ${x.label} waits while c${c} has room`);
    }
  });
}

/**
 * Go serves each channel's waiters in arrival order (a select waits in every queue it has a
 * case in): an op served in this step must not overtake one that has waited longer, on the
 * same channel and side, and is still waiting.
 */
function checkServedInOrder(s: RunState, parked: Parked[], at: string): void {
  for (const p of s.watched) {
    if (p.served === null || parked.includes(p)) continue;
    const { dir, ch } = p.served;
    for (const q of parked) {
      if (
        q.order !== 0 &&
        q.order < p.order &&
        (dir === 'recv' ? q.recvOn : q.sendOn).includes(ch)
      ) {
        s.trace.violate(
          `${at}: ${p.label} was served on c${ch} before ${q.label}, which waited longer`,
        );
      }
    }
  }
  for (const q of parked) if (q.order === 0) q.order = ++s.parkOrder;
  s.watched = parked;
}

/** What a select was issued with, to judge how it ended. */
export interface IssuedSelect {
  label: string;
  cases: readonly AnyCaseSpec[];
  values: (string | undefined)[];
  ready: boolean[];
  closedAtIssue: boolean[];
}

const showResult = (r: SelectOutcome): string =>
  `case ${r.index}${r.value === undefined ? '' : ` ${String(r.value)}`}${r.ok ? '' : ' (closed)'}`;

/** How a select, trySelect or selectCallback ended, against what the model allowed. */
export function checkSelect(
  s: RunState,
  sel: IssuedSelect,
  out: Outcome<SelectOutcome | undefined>,
  p: Parked | null,
): void {
  const { label, cases, values } = sel;
  if (!out.ok) {
    if (out.aborted) return;
    const closedSend =
      out.error instanceof ChannelClosedError &&
      cases.some((c) => c.dir === 'send' && c.ch !== null && s.model.isClosed(c.ch));
    const rejectedPromise = cases.some(
      (c) => c.dir === 'promise' && s.promises[c.p]!.error === out.error,
    );
    s.trace.expect(
      closedSend || rejectedPromise,
      `${label}: rejected ${describeError(out.error)}, but no send case's channel is closed ` +
        'and no promise case rejected with it',
    );
    return;
  }
  const r = out.value;
  if (r === undefined) {
    s.trace.expect(!sel.ready.includes(true), `${label}: took the default while a case was ready`);
    return;
  }
  const c = cases[r.index];
  if (c !== undefined && c.dir === 'promise') {
    const slot = s.promises[c.p]!;
    s.trace.expect(
      slot.settledAt !== null && slot.outcome === 'resolve' && r.ok && r.value === slot.value,
      `${label}: fired recv p${c.p} with ${showResult(r)}, but p${c.p} is ` +
        (slot.settledAt === null ? 'pending' : `${slot.outcome}d`),
    );
    if (p === null)
      s.trace.expect(sel.ready[r.index]!, `${label}: fired p${c.p}, not known settled`);
    return;
  }
  if (c === undefined || c.ch === null) {
    s.trace.violate(`${label}: fired case ${r.index}, which is not a channel case`);
    return;
  }
  if (p === null) {
    s.trace.expect(sel.ready[r.index]!, `${label}: fired case ${r.index}, which was not ready`);
  }
  if (c.dir === 'send') {
    s.trace.expect(
      r.ok && r.value === undefined,
      `${label}: send case result ${JSON.stringify(r)}`,
    );
    s.trace.expect(!sel.closedAtIssue[r.index], `${label}: a send case on a closed channel fired`);
    s.model.commit(c.ch, values[r.index]!, `${label} case ${r.index}`);
    if (p !== null) p.served = { dir: 'send', ch: c.ch };
  } else if (r.ok) {
    s.trace.expect(
      !values.includes(r.value as string),
      `${label}: paired with itself (received its own ${String(r.value)})`,
    );
    s.model.receive(c.ch, r.value, `${label} case ${r.index}`);
    if (p !== null) p.served = { dir: 'recv', ch: c.ch };
  } else {
    s.trace.expect(r.value === undefined, `${label}: closed recv case carried ${String(r.value)}`);
    s.model.closedReport(c.ch, s.chans[c.ch]!.length, `${label} case ${r.index}`);
  }
}
