/**
 * Select scenes: a few channels set up with buffered values, waiting receivers or waiting senders
 * (or closed), then one `select` / `trySelect` over random cases, most of them ready at once.
 * The shared channel model (channel-model.ts: buffer, closed, values in and out) plus the waiter
 * queues of each channel predict exactly what the one fired case may change; everything else (other channels, other waiters, the losing cases) must be
 * untouched. When nothing is ready the select parks, and one "trigger" op on one channel must wake
 * it through at most one case.
 */
import fc from 'fast-check';
import {
  ChannelClosedError,
  chan,
  recv,
  select,
  send,
  trySelect,
  type Chan,
  type SelectCase,
  type TryRecvResult,
} from 'gorx';
import { parkedCount } from '../../src/internal/park.js';
import { flush, macrotask } from '../helpers/turns.js';
import { ChannelModel } from './channel-model.js';
import { CAPACITIES, showCase, type CaseSpec } from './random-program.js';
import { withSeededRandom } from './seeded-random.js';
import { Trace, describeError } from './trace.js';

export interface ChanSetup {
  readonly capacity: number;
  readonly buffered: number;
  readonly receivers: number;
  readonly senders: number;
  readonly closed: boolean;
}

export interface SelectScene {
  readonly chans: readonly ChanSetup[];
  readonly cases: readonly CaseSpec[];
  readonly mode: 'select' | 'trySelect';
  /** Used only when the select parks: one op that may wake it. */
  readonly trigger: { readonly kind: 'trySend' | 'tryRecv' | 'close'; readonly ch: number };
  readonly seed: number;
}

const MAX_CHANNELS = 4;

function normalize(raw: {
  capacity: number;
  fill: number;
  waiters: number;
  waitersSend: boolean;
  closed: boolean;
}): ChanSetup {
  const buffered = Math.min(raw.fill, raw.capacity);
  const full = buffered === raw.capacity;
  const open = !raw.closed;
  return {
    capacity: raw.capacity,
    buffered,
    // Go's queues: receivers wait only on an empty buffer, senders only on a full one.
    receivers: open && buffered === 0 && !(full && raw.waitersSend) ? raw.waiters : 0,
    senders: open && full && (raw.waitersSend || buffered > 0) ? raw.waiters : 0,
    closed: raw.closed,
  };
}

function showScene(s: SelectScene): string {
  const chans = s.chans.map((c, i) => {
    const parts = [`cap ${c.capacity}`];
    if (c.buffered > 0) parts.push(`${c.buffered} buffered`);
    if (c.receivers > 0) parts.push(`${c.receivers} waiting receivers`);
    if (c.senders > 0) parts.push(`${c.senders} waiting senders`);
    if (c.closed) parts.push('closed');
    return `c${i}: ${parts.join(', ')}`;
  });
  return (
    `\n  ${chans.join('\n  ')}\n  ${s.mode}[${s.cases.map(showCase).join(', ')}]` +
    `\n  trigger if parked: ${s.trigger.kind} c${s.trigger.ch}, seed: ${s.seed}`
  );
}

export function selectSceneArb(): fc.Arbitrary<SelectScene> {
  const chIndex = fc.nat({ max: MAX_CHANNELS - 1 });
  return fc
    .record({
      chans: fc.array(
        fc.record({
          capacity: fc.constantFrom(...CAPACITIES),
          fill: fc.nat({ max: 3 }),
          waiters: fc.nat({ max: 2 }),
          waitersSend: fc.boolean(),
          // One channel in five is closed; shrinks towards open.
          closed: fc.nat({ max: 4 }).map((x) => x === 4),
        }),
        { minLength: 2, maxLength: MAX_CHANNELS },
      ),
      cases: fc.array(
        fc.record({
          dir: fc.constantFrom<'recv' | 'send'>('recv', 'send'),
          ch: fc.option(chIndex, { freq: 8, nil: null }),
        }),
        { minLength: 2, maxLength: 5 },
      ),
      mode: fc.constantFrom<'select' | 'trySelect'>('select', 'trySelect'),
      trigger: fc.record({
        kind: fc.constantFrom<'trySend' | 'tryRecv' | 'close'>('trySend', 'tryRecv', 'close'),
        ch: chIndex,
      }),
      seed: fc.integer(),
    })
    .map((raw) => {
      const n = raw.chans.length;
      const scene: SelectScene = {
        chans: raw.chans.map(normalize),
        cases: raw.cases.map((c) => ({ dir: c.dir, ch: c.ch === null ? null : c.ch % n })),
        mode: raw.mode,
        trigger: { kind: raw.trigger.kind, ch: raw.trigger.ch % n },
        seed: raw.seed,
      };
      return Object.assign(scene, { [fc.toStringMethod]: () => showScene(scene) });
    });
}

// ---- running a scene against the queue model ------------------------------------------------

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** A plain op parked during set-up, and how it ended (null while parked). */
interface Waiting {
  readonly label: string;
  readonly value: string | undefined;
  readonly controller: AbortController;
  readonly reason: Error;
  settled: Settled | null;
}

/** The parked select stands in the model's queues once per channel case. */
interface SelectEntry {
  readonly select: true;
  readonly dir: 'recv' | 'send';
  readonly ch: number;
}

type Entry = Waiting | SelectEntry;

type TriggerResult =
  | { kind: 'close' }
  | { kind: 'trySend'; sent: boolean | 'closed' }
  | { kind: 'tryRecv'; got: TryRecvResult<string> };

/**
 * The waiter queues of one channel (Go's `recvq`/`sendq`). The rest of the channel's state (buffer,
 * closed, the values in and out) is the shared ChannelModel (channel-model.ts).
 */
interface Queues {
  recvq: Entry[];
  sendq: Entry[];
}

/** What the model says must have happened to each waiter and to the select. */
interface Effects {
  readonly waiters: Map<Waiting, Settled>;
  /** The select case kind that fired (a select entry reached the head of a queue), if any. */
  selectFired: { dir: 'recv' | 'send'; ch: number; ok: boolean } | null;
}

const isSelect = (e: Entry): e is SelectEntry => 'select' in e;

class SceneRun {
  private readonly chans: Chan<string>[];
  private readonly model: Queues[];
  /** Buffer, closed flag and value accounting: the same model as the random programs'. */
  private readonly values: ChannelModel;
  private readonly waiting: Waiting[] = [];
  /** The value each send case offers. */
  private readonly sent: (string | undefined)[];
  private readonly built: SelectCase[];
  private readonly trace = new Trace(false);
  private readonly selectController = new AbortController();
  /** Waiters whose settling an earlier phase already checked. */
  private readonly accounted = new Set<Waiting>();

  constructor(private readonly scene: SelectScene) {
    this.chans = scene.chans.map((c, i) => chan<string>(c.capacity, { name: `c${i}` }));
    this.model = scene.chans.map(() => ({ recvq: [], sendq: [] }));
    this.values = new ChannelModel(
      scene.chans.map((c) => c.capacity),
      this.trace,
    );
    this.sent = scene.cases.map((c, i) => (c.dir === 'send' ? `case${i}` : undefined));
    this.built = scene.cases.map((c, i) => {
      const ch = c.ch === null ? null : this.chans[c.ch]!;
      return c.dir === 'recv' ? recv(ch) : send(ch, this.sent[i]!);
    });
  }

  async run(): Promise<void> {
    await macrotask();
    this.trace.expect(parkedCount() === 0, `${parkedCount()} ops parked before the scene started`);
    try {
      this.setUp();
      await flush();
      this.compare('after set-up', false);
      this.trace.throwIfViolated();
      const ready = this.scene.cases.map((c) => this.ready(c));
      if (this.scene.mode === 'trySelect') await this.runTrySelect(ready);
      else await this.runSelect(ready);
      this.trace.throwIfViolated();
      await this.cleanUp();
      this.trace.throwIfViolated();
    } finally {
      for (const w of this.waiting) w.controller.abort(w.reason);
      this.selectController.abort(new Error('clean-up after a failure'));
      await flush();
    }
  }

  private setUp(): void {
    this.scene.chans.forEach((setup, c) => {
      const ch = this.chans[c]!;
      const m = this.model[c]!;
      for (let k = 0; k < setup.buffered; k++) {
        const v = `c${c}.buf${k}`;
        this.trace.expect(ch.trySend(v), `set-up: trySend ${v} failed`);
        this.put(c, v, 'set-up');
      }
      for (let k = 0; k < setup.receivers; k++) {
        m.recvq.push(this.park(`receiver c${c}#${k}`, undefined, (signal) => ch.recv({ signal })));
      }
      for (let k = 0; k < setup.senders; k++) {
        const v = `c${c}.sender${k}`;
        m.sendq.push(this.park(`sender c${c}#${k}`, v, (signal) => ch.send(v, { signal })));
      }
      if (setup.closed) {
        ch.close();
        this.values.close(c, undefined);
      }
    });
  }

  private park(
    label: string,
    value: string | undefined,
    start: (signal: AbortSignal) => Promise<unknown>,
  ): Waiting {
    const controller = new AbortController();
    const w: Waiting = {
      label,
      value,
      controller,
      reason: new Error(`abort ${label}`),
      settled: null,
    };
    start(controller.signal).then(
      (v) => (w.settled = { ok: true, value: v }),
      (error: unknown) => (w.settled = { ok: false, error }),
    );
    this.waiting.push(w);
    return w;
  }

  private ready(c: CaseSpec): boolean {
    if (c.ch === null) return false;
    const m = this.model[c.ch]!;
    const v = this.values;
    if (v.isClosed(c.ch)) return true;
    return c.dir === 'recv'
      ? v.buffered(c.ch) > 0 || m.sendq.length > 0
      : m.recvq.length > 0 || v.buffered(c.ch) < v.capacity(c.ch);
  }

  private async runTrySelect(ready: boolean[]): Promise<void> {
    let result: { index: number; value: unknown; ok: boolean } | undefined;
    try {
      result = trySelect(this.built);
    } catch (error) {
      await flush();
      this.trace.note(`trySelect threw ${describeError(error)}`);
      this.expectClosedSendCase(error, ready);
      this.compare('after trySelect threw', false);
      return;
    }
    await flush();
    if (result === undefined) {
      this.trace.note('trySelect -> default');
      this.trace.expect(!ready.includes(true), 'trySelect took the default while a case was ready');
      this.compare('after trySelect took the default', false);
      return;
    }
    this.trace.note(`trySelect -> case ${result.index} ${String(result.value)} ok=${result.ok}`);
    const effects = this.checkFiredReady(result, ready);
    this.compare(`after trySelect fired case ${result.index}`, false, effects);
  }

  private async runSelect(ready: boolean[]): Promise<void> {
    const controller = this.selectController;
    const reason = new Error('abort the select');
    let settled: Settled | null = null;
    select(this.built, { signal: controller.signal }).then(
      (v) => (settled = { ok: true, value: v }),
      (error: unknown) => (settled = { ok: false, error }),
    );
    await flush();
    const outcome = settled as Settled | null;
    if (ready.includes(true)) {
      if (outcome === null) {
        this.trace.violate('select parked although a case was ready');
        controller.abort(reason);
        await flush();
        return;
      }
      let effects: Effects | undefined;
      if (!outcome.ok) {
        this.trace.note(`select rejected ${describeError(outcome.error)}`);
        this.expectClosedSendCase(outcome.error, ready);
      } else {
        const r = outcome.value as { index: number; value: unknown; ok: boolean };
        this.trace.note(`select -> case ${r.index} ${String(r.value)} ok=${r.ok}`);
        effects = this.checkFiredReady(r, ready);
      }
      this.compare('after select fired', false, effects);
      return;
    }
    if (outcome !== null) {
      this.trace.violate(`select settled with no case ready: ${JSON.stringify(outcome)}`);
      return;
    }
    this.trace.note('select parked');
    // The parked select joins the queues behind the set-up waiters, one entry per channel case.
    this.scene.cases.forEach((c) => {
      if (c.ch === null) return;
      const q = this.model[c.ch]!;
      if (c.dir === 'recv') q.recvq.push({ select: true, dir: 'recv', ch: c.ch });
      else q.sendq.push({ select: true, dir: 'send', ch: c.ch });
    });
    this.compare('after select parked', true);
    this.trace.throwIfViolated();

    const real = this.triggerReal();
    await flush();
    const after = settled as Settled | null;
    const effects = this.triggerModel(real, after);
    this.checkSelectAgainstModel(after, effects);
    const stillParked = after === null;
    if (stillParked) {
      controller.abort(reason);
      await flush();
      const end = settled as Settled | null;
      this.trace.expect(
        end !== null && !end.ok && end.error === reason,
        `aborting the parked select: expected a rejection with the reason, got ${JSON.stringify(end)}`,
      );
      this.removeSelectEntries();
      this.trace.note('select aborted');
    }
    this.compare('after the trigger', false, effects);
  }

  /** Runs the trigger op on the real channel; the model replays it once the select has settled. */
  private triggerReal(): TriggerResult {
    const { kind, ch: c } = this.scene.trigger;
    const ch = this.chans[c]!;
    if (kind === 'close') {
      const wasClosed = this.values.isClosed(c);
      try {
        ch.close();
        this.trace.note(`trigger: close c${c}`);
        this.trace.expect(!wasClosed, 'closing a closed channel did not throw');
      } catch (e) {
        this.trace.note(`trigger: close c${c} threw ${describeError(e)}`);
        this.trace.expect(
          wasClosed && e instanceof ChannelClosedError,
          `close threw ${describeError(e)}`,
        );
      }
      return { kind };
    }
    if (kind === 'trySend') {
      let sent: boolean | 'closed';
      try {
        sent = ch.trySend(`trigger.${c}`);
      } catch (e) {
        sent = e instanceof ChannelClosedError ? 'closed' : false;
      }
      this.trace.note(`trigger: trySend c${c} trigger.${c} -> ${sent}`);
      return { kind, sent };
    }
    const got = ch.tryRecv();
    this.trace.note(
      `trigger: tryRecv c${c} -> ${got.ok ? got.value : `nothing (closed ${got.closed})`}`,
    );
    return { kind, got };
  }

  private triggerModel(real: TriggerResult, selectOutcome: Settled | null): Effects {
    const c = this.scene.trigger.ch;
    const m = this.model[c]!;
    const effects: Effects = { waiters: new Map(), selectFired: null };
    // The value a select send case hands over is known only from the real result's index.
    const selectSendValue = (): string => {
      if (selectOutcome === null || !selectOutcome.ok) return '(select did not fire)';
      const r = selectOutcome.value as { index: number };
      return this.sent[r.index] ?? '(select fired a recv case)';
    };
    const closed = this.values.isClosed(c);
    if (real.kind === 'close') {
      if (closed) return effects;
      this.values.close(c, undefined);
      for (const e of m.recvq) this.complete(e, effects, { ok: false, error: 'closed' });
      for (const e of m.sendq) this.complete(e, effects, { ok: false, error: 'closed' });
      m.recvq = [];
      m.sendq = [];
      return effects;
    }
    if (real.kind === 'trySend') {
      const v = `trigger.${c}`;
      const expected = closed
        ? 'closed'
        : m.recvq.length > 0 || this.values.buffered(c) < this.values.capacity(c);
      this.trace.expect(
        real.sent === expected,
        `trigger trySend: got ${real.sent}, the model says ${expected}`,
      );
      if (expected === true) {
        const r = m.recvq.shift();
        this.put(c, v, 'trigger trySend');
        if (r !== undefined) {
          this.take(c, 'trigger trySend -> waiting receiver');
          this.complete(r, effects, { ok: true, value: v });
        }
      }
      return effects;
    }
    let expected: string | undefined;
    if (this.values.buffered(c) > 0) {
      expected = this.take(c, 'trigger tryRecv');
      const s = m.sendq.shift();
      if (s !== undefined) {
        this.put(c, isSelect(s) ? selectSendValue() : s.value!, 'a waiting sender refills');
        this.complete(s, effects, { ok: true, value: undefined });
      }
    } else {
      const s = m.sendq.shift();
      if (s !== undefined) {
        expected = isSelect(s) ? selectSendValue() : s.value!;
        this.put(c, expected, 'a waiting sender');
        this.take(c, 'trigger tryRecv');
        this.complete(s, effects, { ok: true, value: undefined });
      }
    }
    const got = real.got;
    this.trace.expect(
      got.ok ? got.value === expected : expected === undefined && got.closed === closed,
      `trigger tryRecv: got ${JSON.stringify(got)}, the model expects ${String(expected)}`,
    );
    return effects;
  }

  private complete(e: Entry, effects: Effects, result: Settled): void {
    if (!isSelect(e)) {
      effects.waiters.set(e, result);
      return;
    }
    if (effects.selectFired !== null) return; // its other entries were withdrawn at commit
    effects.selectFired = { dir: e.dir, ch: e.ch, ok: result.ok };
    this.removeSelectEntries();
  }

  /** A value enters channel `c` (a send completed). */
  private put(c: number, v: string, label: string): void {
    this.trace.step++;
    this.values.commit(c, v, label);
  }

  /** The oldest value leaves channel `c`; returns it. */
  private take(c: number, label: string): string {
    const v = this.values.bufferedValues(c)[0]!;
    this.trace.step++;
    this.values.receive(c, v, label);
    return v;
  }

  private removeSelectEntries(): void {
    for (const m of this.model) {
      m.recvq = m.recvq.filter((e) => !isSelect(e));
      m.sendq = m.sendq.filter((e) => !isSelect(e));
    }
  }

  private checkSelectAgainstModel(out: Settled | null, effects: Effects): void {
    const fired = effects.selectFired;
    if (fired === null) {
      this.trace.expect(
        out === null,
        `the trigger should not wake the select, but it settled: ${JSON.stringify(out)}`,
      );
      return;
    }
    if (out === null) {
      this.trace.violate(
        `the trigger should wake the select through a ${fired.dir} case on c${fired.ch}`,
      );
      return;
    }
    if (fired.dir === 'send' && !fired.ok) {
      this.trace.expect(
        !out.ok && out.error instanceof ChannelClosedError,
        `select: a send case's channel closed; expected ChannelClosedError, got ${JSON.stringify(out)}`,
      );
      return;
    }
    if (!out.ok) {
      this.trace.violate(
        `select rejected ${describeError(out.error)}, expected a ${fired.dir} on c${fired.ch}`,
      );
      return;
    }
    const r = out.value as { index: number; value: unknown; ok: boolean };
    const c = this.scene.cases[r.index];
    this.trace.note(`select -> case ${r.index} ${String(r.value)} ok=${r.ok}`);
    this.trace.expect(
      c !== undefined && c.dir === fired.dir && c.ch === fired.ch && r.ok === fired.ok,
      `select fired case ${r.index} (ok=${r.ok}), the model expects a ${fired.dir} on c${fired.ch} (ok=${fired.ok})`,
    );
    if (fired.dir === 'recv' && fired.ok) {
      const { kind, ch } = this.scene.trigger;
      this.trace.expect(
        kind === 'trySend' && r.value === `trigger.${ch}`,
        `select received ${String(r.value)}, expected the trigger's value`,
      );
    }
  }

  /** The fired case must have been ready; replays it on the model, returns what it changes. */
  private checkFiredReady(
    r: { index: number; value: unknown; ok: boolean },
    ready: boolean[],
  ): Effects {
    const effects: Effects = { waiters: new Map(), selectFired: null };
    const c = this.scene.cases[r.index];
    if (c === undefined || c.ch === null || !ready[r.index]) {
      this.trace.violate(`fired case ${r.index}, which was not ready`);
      return effects;
    }
    const m = this.model[c.ch]!;
    const ch = c.ch;
    if (c.dir === 'send') {
      this.trace.expect(
        !this.values.isClosed(ch),
        `a send case on closed c${ch} fired instead of throwing`,
      );
      this.trace.expect(r.ok && r.value === undefined, `send case result ${JSON.stringify(r)}`);
      const w = m.recvq.shift();
      this.put(ch, this.sent[r.index]!, `select case ${r.index}`);
      if (w !== undefined) {
        this.take(ch, `select case ${r.index} -> waiting receiver`);
        this.complete(w, effects, { ok: true, value: this.sent[r.index] });
      }
    } else if (this.values.buffered(ch) > 0 || m.sendq.length > 0) {
      let expected: string;
      if (this.values.buffered(ch) > 0) {
        expected = this.take(ch, `select case ${r.index}`);
        const s = m.sendq.shift();
        if (s !== undefined) {
          this.put(ch, (s as Waiting).value!, 'a waiting sender refills');
          this.complete(s, effects, { ok: true, value: undefined });
        }
      } else {
        const s = m.sendq.shift() as Waiting;
        expected = s.value!;
        this.put(ch, expected, 'a waiting sender');
        this.take(ch, `select case ${r.index}`);
        this.complete(s, effects, { ok: true, value: undefined });
      }
      this.trace.expect(
        r.ok && r.value === expected,
        `recv case got ${String(r.value)}, expected ${expected}`,
      );
    } else {
      this.trace.expect(
        !r.ok && r.value === undefined,
        `recv case on closed, drained c${c.ch}: ${JSON.stringify(r)}`,
      );
    }
    return effects;
  }

  private expectClosedSendCase(error: unknown, ready: boolean[]): void {
    this.trace.expect(
      error instanceof ChannelClosedError &&
        this.scene.cases.some(
          (c, i) => ready[i] && c.dir === 'send' && c.ch !== null && this.values.isClosed(c.ch),
        ),
      `rejected ${describeError(error)} without a ready send case on a closed channel`,
    );
  }

  /** Real channels and waiters against the model: lengths, who has settled and with what. */
  private compare(when: string, selectParked: boolean, given?: Effects): void {
    const effects = given ?? { waiters: new Map(), selectFired: null };
    this.values.checkChannels(this.chans, when);
    for (const w of this.waiting) {
      if (w.controller.signal.aborted) continue;
      const want = effects.waiters.get(w);
      if (want === undefined) {
        // Settled earlier (a previous phase) or still parked: only newly settled ones are news.
        if (w.settled !== null && !this.accounted.has(w)) {
          this.trace.violate(
            `${when}: ${w.label} settled (${JSON.stringify(w.settled)}) but should still wait`,
          );
        }
        continue;
      }
      this.accounted.add(w);
      const got = w.settled;
      const same =
        got !== null &&
        got.ok === want.ok &&
        (got.ok ? got.value === want.value : got.error instanceof ChannelClosedError);
      this.trace.expect(
        same,
        `${when}: ${w.label} ended ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`,
      );
    }
    const queued = this.model.reduce(
      (n, m) =>
        n + m.recvq.filter((e) => !isSelect(e)).length + m.sendq.filter((e) => !isSelect(e)).length,
      0,
    );
    const expectedParked = queued + (selectParked ? 1 : 0);
    this.trace.expect(
      parkedCount() === expectedParked,
      `${when}: ${parkedCount()} ops parked, the model has ${expectedParked}`,
    );
  }

  /** Withdraws the waiters still parked (they must reject with the reason), then drains. */
  private async cleanUp(): Promise<void> {
    const parked = this.waiting.filter((w) => w.settled === null);
    for (const w of parked) w.controller.abort(w.reason);
    await flush();
    for (const w of parked) {
      this.trace.expect(
        w.settled !== null && !w.settled.ok && w.settled.error === w.reason,
        `aborting ${w.label}: ended ${JSON.stringify(w.settled)}, expected the abort reason`,
      );
    }
    this.trace.expect(parkedCount() === 0, `after clean-up: ${parkedCount()} ops still parked`);
    this.chans.forEach((ch, c) => {
      const want = this.values.bufferedValues(c);
      const drained: string[] = [];
      for (let r = ch.tryRecv(); r.ok; r = ch.tryRecv()) {
        drained.push(r.value);
        this.trace.step++;
        this.values.receive(c, r.value, `drain c${c}`);
      }
      this.trace.expect(
        drained.join(' ') === want.join(' '),
        `drain c${c}: got [${drained.join(' ')}], the model buffers [${want.join(' ')}]`,
      );
    });
    // Nothing lost, nothing received twice, FIFO: the checks the random programs end with.
    this.values.checkFinal();
  }
}

/** Runs one scene; throws an Error listing what the select changed that it must not have. */
export async function runSelectScene(scene: SelectScene): Promise<void> {
  await withSeededRandom(scene.seed, () => new SceneRun(scene).run());
}
