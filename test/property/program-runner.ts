/**
 * Runs a random program (see random-program.ts) against gorx and a reference model, and reports
 * every broken guarantee with a trace.
 *
 * Determinism: actors are async functions that wait at a gate before each op. The scheduler opens
 * one gate (or aborts one parked op) per step, then drains the microtask queue, so each step is
 * exactly one channel operation plus everything it wakes. No timers and no wall clock: `select`'s
 * random choice is seeded by the program.
 *
 * Why one op per step matters for the model (channel-model.ts): an op moves at most one value
 * into a channel (a send committing, or a parked sender pulled into the buffer) and at most one
 * out of it, so the order in which commits and receives are observed is the order in which they
 * happened. Callback ops (recvCallback, selectCallback) may re-enter with a trySend/tryRecv; the
 * model then compares orders only across steps.
 *
 * Checked here, after every step: the model agrees with the channels, Go's progress rules hold
 * (no receiver waits while a value or a sender is there, no sender waits while there is room or
 * a receiver, nothing waits on a closed channel or a settled promise), waiters are served in
 * arrival order, and gorx's parked-op count equals the ops the actors wait on.
 */
import {
  ChannelClosedError,
  chan,
  recv,
  select,
  selectCallback,
  send,
  trySelect,
  type Chan,
  type SelectCase,
} from 'gorx';
import { parkedCount } from '../../src/internal/park.js';
import { flush, macrotask } from '../helpers/turns.js';
import {
  showCase,
  type AbortMode,
  type AnyCaseSpec,
  type FollowUp,
  type OpSpec,
  type Program,
} from './random-program.js';
import { ChannelModel } from './channel-model.js';
import { withSeededRandom } from './seeded-random.js';
import { Trace, describeError } from './trace.js';

interface Parked {
  readonly label: string;
  readonly recvOn: readonly number[];
  readonly sendOn: readonly number[];
  readonly controller: AbortController;
  readonly reason: Error;
  readonly abortable: boolean;
  /** Promises it waits on through `recv(promise)` cases. */
  readonly promisesOn: readonly number[];
  /** Rank among parked ops, by when each was first seen parked (0: never parked). */
  order: number;
  /** The channel and direction through which it moved a value, once it has. */
  served: { dir: 'recv' | 'send'; ch: number } | null;
}

/** A promise of the program: the scheduler settles it at a step of its choosing. */
interface PromiseSlot {
  readonly promise: Promise<string>;
  readonly outcome: 'resolve' | 'reject';
  readonly value: string;
  readonly error: Error;
  readonly settle: () => void;
  settledAt: number | null;
  /** First step at which a select named it: gorx learns a promise's state a microtask later. */
  firstNamed: number | null;
}

function promiseSlot(outcome: 'resolve' | 'reject', k: number): PromiseSlot {
  let resolve!: (v: string) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a rejection nobody selects on is not an unhandled rejection
  const value = `p${k}`;
  const error = new Error(`p${k} rejected`);
  return {
    promise,
    outcome,
    value,
    error,
    settle: () => (outcome === 'resolve' ? resolve(value) : reject(error)),
    settledAt: null,
    firstNamed: null,
  };
}

interface Actor {
  readonly id: number;
  state: 'running' | 'idle' | 'parked' | 'done';
  release: (() => void) | null;
  parked: Parked | null;
  seq: number;
}

type SelectOutcome = { index: number; value: unknown; ok: boolean };

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown; aborted: boolean };

/** Microtask rounds that let every actor reach its next gate (they are a few awaits deep). */
const ACTOR_DEPTH = 30;

const showResult = (v: unknown): string => {
  if (v === undefined) return 'done';
  if (typeof v !== 'object' || v === null) return String(v);
  const r = v as { index: number; value: unknown; ok: boolean };
  return `case ${r.index}${r.value === undefined ? '' : ` ${String(r.value)}`}${r.ok ? '' : ' (closed)'}`;
};

class ProgramRun {
  private readonly trace = new Trace();
  private readonly model: ChannelModel;
  private readonly chans: Chan<string>[];
  private readonly actors: Actor[];
  private readonly promises: PromiseSlot[];
  private stopping = false;
  /** Ops parked at the previous step, and the rank the next newly parked op gets. */
  private watched: Parked[] = [];
  private parkOrder = 0;

  constructor(private readonly program: Program) {
    this.model = new ChannelModel(program.capacities, this.trace);
    this.chans = program.capacities.map((cap, i) => chan<string>(cap, { name: `c${i}` }));
    this.promises = program.promises.map(promiseSlot);
    this.actors = program.actors.map((_, id) => ({
      id,
      state: 'running',
      release: null,
      parked: null,
      seq: 0,
    }));
  }

  async run(): Promise<void> {
    await macrotask(); // a fresh per-turn op budget: no completion is deferred mid-run
    this.trace.expect(parkedCount() === 0, `${parkedCount()} ops parked before the run started`);
    const done = this.actors.map((a) => this.actor(a, this.program.actors[a.id]!));
    try {
      await flush(ACTOR_DEPTH);
      this.checkQuiescent();
      for (;;) {
        const moves = this.moves();
        if (moves.length === 0) break;
        const pick = this.program.picks[this.step] ?? 0;
        this.step++;
        moves[pick % moves.length]!();
        await flush(ACTOR_DEPTH);
        this.checkQuiescent();
        this.trace.throwIfViolated();
      }
      await this.finish();
      this.trace.throwIfViolated();
      await Promise.all(done);
      this.model.checkFinal();
      this.trace.throwIfViolated();
    } finally {
      // A failing run must not leave parked ops behind for the next (shrinking) run.
      // Two rounds: an aborted actor only reaches its next gate after the first settle.
      this.stopping = true;
      for (let round = 0; round < 2; round++) {
        for (const a of this.actors) {
          a.parked?.controller.abort(a.parked.reason);
          a.release?.();
        }
        await flush(ACTOR_DEPTH);
      }
    }
  }

  // ---- scheduling -------------------------------------------------------------------------

  private moves(): (() => void)[] {
    const moves: (() => void)[] = [];
    for (const a of this.actors) {
      if (a.state === 'idle') moves.push(() => this.advance(a));
    }
    this.promises.forEach((slot, k) => {
      if (slot.settledAt !== null) return;
      moves.push(() => {
        this.trace.note(`p${k} ${slot.outcome}s`);
        slot.settledAt = this.step;
        slot.settle();
      });
    });
    for (const a of this.actors) {
      const p = a.parked;
      if (p !== null && p.abortable && !p.controller.signal.aborted) {
        moves.push(() => {
          this.trace.note(`a${a.id} aborted while parked in ${p.label}`);
          p.controller.abort(p.reason);
        });
      }
    }
    return moves;
  }

  private advance(a: Actor): void {
    a.state = 'running';
    const release = a.release!;
    a.release = null;
    release();
  }

  private async actor(a: Actor, ops: readonly OpSpec[]): Promise<void> {
    for (const op of ops) {
      await new Promise<void>((resolve) => {
        a.state = 'idle';
        a.release = resolve;
      });
      if (this.stopping) break;
      await this.perform(a, op);
    }
    a.state = 'done';
  }

  // ---- operations -------------------------------------------------------------------------

  private nextValue(a: Actor): string {
    return `a${a.id}.${a.seq++}`;
  }

  private async perform(a: Actor, op: OpSpec): Promise<void> {
    const who = `a${a.id}`;
    switch (op.kind) {
      case 'send': {
        const ch = this.chans[op.ch]!;
        const value = this.nextValue(a);
        const label = `${who} send c${op.ch} ${value}`;
        const closedBefore = ch.closed;
        const p = this.op(label, [], [op.ch], op.abort);
        const out = await this.blocking(a, p, (signal) => ch.send(value, { signal }));
        if (out.ok) {
          this.trace.expect(!closedBefore, `${label}: a send on a closed channel resolved`);
          this.model.commit(op.ch, value, label);
          p.served = { dir: 'send', ch: op.ch };
        } else if (!out.aborted) {
          this.expectClosedSend(op.ch, out.error, label);
        }
        return;
      }
      case 'recv': {
        const ch = this.chans[op.ch]!;
        const label = `${who} recv c${op.ch}`;
        const p = this.op(label, [op.ch], [], op.abort);
        const out = await this.blocking(a, p, (signal) => ch.recv({ signal }));
        if (out.ok) {
          this.model.receive(op.ch, out.value, label);
          p.served = { dir: 'recv', ch: op.ch };
        } else if (!out.aborted) {
          const expected = this.model.closeError(op.ch);
          this.trace.expect(
            expected !== undefined
              ? out.error === expected
              : out.error instanceof ChannelClosedError,
            `${label}: rejected ${describeError(out.error)}, expected the close error`,
          );
          this.model.closedReport(op.ch, this.chans[op.ch]!.length, label);
        }
        return;
      }
      case 'trySend':
        this.trySendNow(a, op.ch, who, true);
        return;
      case 'tryRecv':
        this.tryRecvNow(op.ch, who, true);
        return;
      case 'recvCallback': {
        const c = op.ch;
        const label = `${who} recvCallback c${c}`;
        const p = this.op(label, [c], [], op.abort);
        await this.callbackOp(a, p, (done) =>
          this.chans[c]!.recvCallback((value, ok, error) => {
            if (ok) {
              this.trace.note(`${label} -> ${String(value)}`);
              this.model.receive(c, value, label);
              p.served = { dir: 'recv', ch: c };
            } else {
              this.trace.note(`${label} -> closed`);
              this.trace.expect(
                error === this.model.closeError(c),
                `${label}: reported the close error ${describeError(error)}`,
              );
              this.model.closedReport(c, this.chans[c]!.length, label);
            }
            this.followUp(a, op.then, label);
            done();
          }),
        );
        return;
      }
      case 'close': {
        const label = `${who} close c${op.ch}`;
        const wasClosed = this.model.isClosed(op.ch);
        const error = op.withError ? new Error(`c${op.ch} failed`) : undefined;
        // The model is updated first: close() wakes callback receivers synchronously.
        if (!wasClosed) {
          this.trace.note(`${label}${error ? ' with error' : ''}`);
          this.model.close(op.ch, error);
        }
        try {
          this.chans[op.ch]!.close(error);
          this.trace.expect(!wasClosed, `${label}: closing a closed channel did not throw`);
        } catch (e) {
          this.trace.note(`${label} threw ${describeError(e)}`);
          this.trace.expect(
            wasClosed && e instanceof ChannelClosedError,
            `${label}: threw ${describeError(e)} (was closed: ${wasClosed})`,
          );
        }
        return;
      }
      case 'select':
      case 'trySelect':
      case 'selectCallback':
        return this.performSelect(a, op);
    }
  }

  private trySendNow(a: Actor, c: number, who: string, checkReady: boolean): void {
    const ch = this.chans[c]!;
    const value = this.nextValue(a);
    const label = `${who} trySend c${c} ${value}`;
    const closed = this.model.isClosed(c);
    // Inside a callback the model is mid-step, so readiness is only checked for top-level ops.
    const ready = checkReady ? this.sendReady(c) : null;
    try {
      const sent = ch.trySend(value);
      this.trace.note(`${label} -> ${sent}`);
      this.trace.expect(!closed, `${label}: trySend on a closed channel did not throw`);
      this.trace.expect(
        ready === null || sent === ready,
        `${label}: returned ${sent}, but the model says ready=${ready}`,
      );
      if (sent) this.model.commit(c, value, label);
    } catch (e) {
      this.trace.note(`${label} threw ${describeError(e)}`);
      this.trace.expect(
        closed && e instanceof ChannelClosedError,
        `${label}: threw ${describeError(e)} (channel closed: ${closed})`,
      );
    }
  }

  private tryRecvNow(c: number, who: string, checkReady: boolean): void {
    const label = `${who} tryRecv c${c}`;
    const ready = checkReady ? this.recvReady(c) : null;
    const r = this.chans[c]!.tryRecv();
    if (r.ok) {
      this.trace.note(`${label} -> ${r.value}`);
      this.trace.expect(
        ready !== false,
        `${label}: got ${r.value}, but the model says nothing was ready`,
      );
      this.model.receive(c, r.value, label);
    } else {
      this.trace.note(`${label} -> nothing (closed: ${r.closed})`);
      this.trace.expect(
        ready !== true,
        `${label}: found nothing, but a value or a sender was ready`,
      );
      this.trace.expect(
        r.closed === this.model.isClosed(c),
        `${label}: closed=${r.closed} but the channel is ${this.model.isClosed(c) ? '' : 'not '}closed`,
      );
      if (r.closed) this.model.closedReport(c, this.chans[c]!.length, label);
    }
  }

  /** A callback's synchronous follow-up op, run inside the hand-off that called it. */
  private followUp(a: Actor, then: FollowUp | null, label: string): void {
    if (then === null) return;
    if (then.kind === 'trySend') this.trySendNow(a, then.ch, `${label}, then`, false);
    else this.tryRecvNow(then.ch, `${label}, then`, false);
  }

  private async performSelect(
    a: Actor,
    op: Extract<OpSpec, { kind: 'select' | 'trySelect' | 'selectCallback' }>,
  ): Promise<void> {
    const values = op.cases.map((c) => (c.dir === 'send' ? this.nextValue(a) : undefined));
    const built: SelectCase[] = op.cases.map((c, i) => {
      if (c.dir === 'promise') return recv(this.promises[c.p]!.promise);
      const ch = c.ch === null ? null : this.chans[c.ch]!;
      return c.dir === 'recv' ? recv(ch) : send(ch, values[i]!);
    });
    const label = `a${a.id} ${op.kind}[${op.cases
      .map((c, i) => showCase(c) + (values[i] !== undefined ? ` ${values[i]}` : ''))
      .join(', ')}]`;
    const ready = op.cases.map((c) => this.caseReady(c));
    const closedAtIssue = op.cases.map(
      (c) => c.dir !== 'promise' && c.ch !== null && this.model.isClosed(c.ch),
    );
    for (const c of op.cases) if (c.dir === 'promise') this.promises[c.p]!.firstNamed ??= this.step;
    const check = (out: Outcome<SelectOutcome | undefined>, p: Parked | null): void =>
      this.checkSelect({ label, cases: op.cases, values, ready, closedAtIssue }, out, p);

    if (op.kind === 'trySelect') {
      let out: Outcome<SelectOutcome | undefined>;
      try {
        out = { ok: true, value: trySelect(built) };
        this.trace.note(
          `${label} -> ${out.value === undefined ? 'default' : showResult(out.value)}`,
        );
      } catch (error) {
        out = { ok: false, error, aborted: false };
        this.trace.note(`${label} threw ${describeError(error)}`);
      }
      check(out, null);
      return;
    }
    const recvOn = op.cases.flatMap((c) => (c.dir === 'recv' && c.ch !== null ? [c.ch] : []));
    const sendOn = op.cases.flatMap((c) => (c.dir === 'send' && c.ch !== null ? [c.ch] : []));
    const promisesOn = op.cases.flatMap((c) => (c.dir === 'promise' ? [c.p] : []));
    const p = this.op(label, recvOn, sendOn, op.abort, promisesOn);
    if (op.kind === 'select') {
      check(await this.blocking(a, p, (signal) => select(built, { signal })), p);
      return;
    }
    await this.callbackOp(a, p, (done) =>
      selectCallback(
        built,
        (r) => {
          this.trace.note(`${label} -> ${showResult(r)}`);
          check({ ok: true, value: r }, p);
          this.followUp(a, op.then, label);
          done();
        },
        (error) => {
          this.trace.note(`${label} -> ${describeError(error)}`);
          check({ ok: false, error, aborted: false }, p);
          done();
        },
      ),
    );
  }

  /** How a select, trySelect or selectCallback ended, against what the model allowed. */
  private checkSelect(
    s: {
      label: string;
      cases: readonly AnyCaseSpec[];
      values: (string | undefined)[];
      ready: boolean[];
      closedAtIssue: boolean[];
    },
    out: Outcome<SelectOutcome | undefined>,
    p: Parked | null,
  ): void {
    const { label, cases, values } = s;
    if (!out.ok) {
      if (out.aborted) return;
      const closedSend =
        out.error instanceof ChannelClosedError &&
        cases.some((c) => c.dir === 'send' && c.ch !== null && this.model.isClosed(c.ch));
      const rejectedPromise = cases.some(
        (c) => c.dir === 'promise' && this.promises[c.p]!.error === out.error,
      );
      this.trace.expect(
        closedSend || rejectedPromise,
        `${label}: rejected ${describeError(out.error)}, but no send case's channel is closed ` +
          'and no promise case rejected with it',
      );
      return;
    }
    const r = out.value;
    if (r === undefined) {
      this.trace.expect(
        !s.ready.includes(true),
        `${label}: took the default while a case was ready`,
      );
      return;
    }
    const c = cases[r.index];
    if (c !== undefined && c.dir === 'promise') {
      const slot = this.promises[c.p]!;
      this.trace.expect(
        slot.settledAt !== null && slot.outcome === 'resolve' && r.ok && r.value === slot.value,
        `${label}: fired recv p${c.p} with ${showResult(r)}, but p${c.p} is ` +
          (slot.settledAt === null ? 'pending' : `${slot.outcome}d`),
      );
      if (p === null)
        this.trace.expect(s.ready[r.index]!, `${label}: fired p${c.p}, not known settled`);
      return;
    }
    if (c === undefined || c.ch === null) {
      this.trace.violate(`${label}: fired case ${r.index}, which is not a channel case`);
      return;
    }
    if (p === null) {
      this.trace.expect(s.ready[r.index]!, `${label}: fired case ${r.index}, which was not ready`);
    }
    if (c.dir === 'send') {
      this.trace.expect(
        r.ok && r.value === undefined,
        `${label}: send case result ${JSON.stringify(r)}`,
      );
      this.trace.expect(
        !s.closedAtIssue[r.index],
        `${label}: a send case on a closed channel fired`,
      );
      this.model.commit(c.ch, values[r.index]!, `${label} case ${r.index}`);
      if (p !== null) p.served = { dir: 'send', ch: c.ch };
    } else if (r.ok) {
      this.trace.expect(
        !values.includes(r.value as string),
        `${label}: paired with itself (received its own ${String(r.value)})`,
      );
      this.model.receive(c.ch, r.value, `${label} case ${r.index}`);
      if (p !== null) p.served = { dir: 'recv', ch: c.ch };
    } else {
      this.trace.expect(
        r.value === undefined,
        `${label}: closed recv case carried ${String(r.value)}`,
      );
      this.model.closedReport(c.ch, this.chans[c.ch]!.length, `${label} case ${r.index}`);
    }
  }

  /**
   * Starts a callback-mode op (recvCallback, selectCallback) and waits until its callback runs or
   * its cancel() withdraws it; the op's AbortController stands for the caller deciding to cancel.
   */
  private async callbackOp(
    a: Actor,
    p: Parked,
    start: (done: () => void) => () => boolean,
  ): Promise<void> {
    let ran = false;
    let withdrawn = false;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const cancel = start(() => {
      this.trace.expect(
        !ran && !withdrawn,
        `${p.label}: the callback ran ${withdrawn ? 'after cancel() withdrew it' : 'twice'}`,
      );
      ran = true;
      finish();
    });
    const onAbort = (): void => {
      const withdrew = cancel();
      this.trace.expect(
        withdrew === !ran,
        `${p.label}: cancel() returned ${withdrew} although the callback had ${ran ? '' : 'not '}run`,
      );
      if (withdrew) {
        withdrawn = true;
        this.trace.note(`${p.label} -> withdrawn`);
        finish();
      }
    };
    if (p.controller.signal.aborted) onAbort();
    else p.controller.signal.addEventListener('abort', onAbort, { once: true });
    a.state = 'parked';
    a.parked = p;
    await finished;
    p.controller.signal.removeEventListener('abort', onAbort);
    a.parked = null;
    a.state = 'running';
    this.trace.expect(!cancel(), `${p.label}: cancel() returned true after the op had ended`);
  }

  /** The record of a blocking op: which queues it may wait in, and its own AbortController. */
  private op(
    label: string,
    recvOn: number[],
    sendOn: number[],
    abort: AbortMode,
    promisesOn: number[] = [],
  ): Parked {
    const controller = new AbortController();
    const reason = new Error(`abort: ${label}`);
    if (abort === 'before') controller.abort(reason);
    const abortable = abort === 'while-parked';
    return {
      label,
      recvOn,
      sendOn,
      promisesOn,
      controller,
      reason,
      abortable,
      order: 0,
      served: null,
    };
  }

  /** Starts a blocking op, tracks it while parked, reports how it ended. */
  private async blocking<T>(
    a: Actor,
    p: Parked,
    start: (signal: AbortSignal) => Promise<T>,
  ): Promise<Outcome<T>> {
    const { label, controller, reason } = p;
    const issued = this.step;
    let promise: Promise<T>;
    try {
      promise = start(controller.signal);
    } catch (e) {
      this.trace.violate(`${label}: threw synchronously ${describeError(e)} instead of rejecting`);
      return { ok: false, error: e, aborted: false };
    }
    a.state = 'parked';
    a.parked = p;
    let out: Outcome<T>;
    try {
      out = { ok: true, value: await promise };
    } catch (error) {
      out = { ok: false, error, aborted: error === reason };
    }
    a.parked = null;
    a.state = 'running';
    const aborted = controller.signal.aborted;
    const since = issued === this.step ? '' : ` (issued at #${issued})`;
    if (out.ok) this.trace.note(`${label}${since} -> ${showResult(out.value)}`);
    else
      this.trace.note(`${label}${since} -> ${out.aborted ? 'aborted' : describeError(out.error)}`);
    // The scheduler aborts only ops that are parked (or not started), so abort must win.
    this.trace.expect(
      aborted === (!out.ok && out.aborted),
      aborted
        ? `${label}: was aborted but ${out.ok ? 'completed' : `rejected ${describeError(out.error)}`}`
        : `${label}: rejected with an abort reason without being aborted`,
    );
    return out;
  }

  // ---- the model ----------------------------------------------------------------------------

  private parkedOps(): Parked[] {
    return this.actors.flatMap((a) => (a.parked === null ? [] : [a.parked]));
  }

  /** Go's rule for a receive to proceed now: a buffered value or a parked sender. */
  private recvReady(c: number): boolean {
    return this.model.buffered(c) > 0 || this.parkedOps().some((p) => p.sendOn.includes(c));
  }

  /** Go's rule for a send to proceed now: a parked receiver or room in the buffer. */
  private sendReady(c: number): boolean {
    return (
      this.parkedOps().some((p) => p.recvOn.includes(c)) ||
      this.model.buffered(c) < this.model.capacity(c)
    );
  }

  private caseReady(c: AnyCaseSpec): boolean {
    if (c.dir === 'promise') {
      const slot = this.promises[c.p]!;
      return slot.settledAt !== null && slot.firstNamed !== null && slot.firstNamed < this.step;
    }
    if (c.ch === null) return false;
    return (
      this.model.isClosed(c.ch) || (c.dir === 'recv' ? this.recvReady(c.ch) : this.sendReady(c.ch))
    );
  }

  private expectClosedSend(c: number, error: unknown, label: string): void {
    this.trace.expect(
      error instanceof ChannelClosedError && this.model.isClosed(c),
      `${label}: rejected ${describeError(error)} (channel closed: ${this.model.isClosed(c)})`,
    );
  }

  /** After every step: the model and the channels agree, and no op waits that Go would run. */
  private checkQuiescent(): void {
    const at = `after step ${this.step}`;
    for (const a of this.actors) {
      if (a.state === 'running')
        this.trace.violate(`${at}: a${a.id} is still running (harness too shallow)`);
    }
    const parked = this.parkedOps();
    this.checkServedInOrder(parked, at);
    for (const p of parked) {
      for (const k of p.promisesOn) {
        const settled = this.promises[k]!.settledAt !== null;
        this.trace.expect(!settled, `${at}: ${p.label} still waits although p${k} has settled`);
      }
    }
    this.trace.expect(
      parkedCount() === parked.length,
      `${at}: gorx has ${parkedCount()} parked ops, the actors wait on ${parked.length}`,
    );
    this.model.checkChannels(this.chans, at);
    this.chans.forEach((ch, c) => {
      const cap = this.model.capacity(c);
      const receivers = parked.filter((p) => p.recvOn.includes(c));
      const senders = parked.filter((p) => p.sendOn.includes(c));
      for (const r of receivers) {
        this.trace.expect(!this.model.isClosed(c), `${at}: ${r.label} still waits on closed c${c}`);
        this.trace.expect(
          ch.length === 0,
          `${at}: ${r.label} waits while c${c} buffers ${ch.length}`,
        );
        const partner = senders.find((s) => s !== r);
        if (partner !== undefined) {
          this.trace.violate(`${at}: ${r.label} and ${partner.label} both wait on c${c}`);
        }
      }
      for (const s of senders) {
        this.trace.expect(!this.model.isClosed(c), `${at}: ${s.label} still waits on closed c${c}`);
        this.trace.expect(ch.length >= cap, `${at}: ${s.label} waits while c${c} has room`);
      }
    });
  }

  /**
   * Go serves each channel's waiters in arrival order (a select waits in every queue it has a
   * case in): an op served in this step must not overtake one that has waited longer, on the
   * same channel and side, and is still waiting.
   */
  private checkServedInOrder(parked: Parked[], at: string): void {
    for (const p of this.watched) {
      if (p.served === null || parked.includes(p)) continue;
      const { dir, ch } = p.served;
      for (const q of parked) {
        if (
          q.order !== 0 &&
          q.order < p.order &&
          (dir === 'recv' ? q.recvOn : q.sendOn).includes(ch)
        ) {
          this.trace.violate(
            `${at}: ${p.label} was served on c${ch} before ${q.label}, which waited longer`,
          );
        }
      }
    }
    for (const q of parked) if (q.order === 0) q.order = ++this.parkOrder;
    this.watched = parked;
  }

  /** Aborts whatever is still parked, then drains every channel into the model. */
  private async finish(): Promise<void> {
    this.stopping = true;
    const moved = this.model.counts();
    // An actor whose op was withdrawn reaches its next gate only after a settle: two rounds.
    for (let round = 0; round < 2; round++) {
      for (const a of this.actors) {
        if (a.parked !== null) {
          this.trace.note(`a${a.id} cancelled in ${a.parked.label}`);
          a.parked.controller.abort(a.parked.reason);
        }
      }
      for (const a of this.actors) if (a.state === 'idle') this.advance(a);
      await flush(ACTOR_DEPTH);
    }
    this.trace.expect(
      this.actors.every((a) => a.state === 'done'),
      'after cancelling: some actor did not finish',
    );
    this.trace.expect(this.model.counts() === moved, 'withdrawing parked ops moved a value');
    this.trace.expect(parkedCount() === 0, `after cancelling: ${parkedCount()} ops still parked`);
    this.chans.forEach((ch, c) => {
      for (;;) {
        const r = ch.tryRecv();
        if (!r.ok) {
          this.trace.expect(r.closed === this.model.isClosed(c), `drain c${c}: closed=${r.closed}`);
          break;
        }
        this.step++;
        this.trace.note(`drain c${c} -> ${r.value}`);
        this.model.receive(c, r.value, `drain c${c}`);
      }
      this.trace.expect(ch.length === 0, `drain c${c}: length ${ch.length} after draining`);
    });
  }

  // ---- reporting ----------------------------------------------------------------------------

  private get step(): number {
    return this.trace.step;
  }

  private set step(step: number) {
    this.trace.step = step;
  }
}

/** Runs `program`; throws an Error listing the broken guarantees and the trace. */
export async function runProgram(program: Program): Promise<void> {
  await withSeededRandom(program.seed, () => new ProgramRun(program).run());
}
