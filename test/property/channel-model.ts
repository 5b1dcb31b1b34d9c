/**
 * The reference model of the channels of a random program. Per channel it keeps only what the
 * actors observed: the values whose send completed (in commit order), the values received (in
 * order), and when it was closed. From that alone:
 * - the buffer holds `committed - received` values, so `length` is predicted at every step;
 * - no value is received twice, none is lost (a completed send is received, or drained at the
 *   end), none is invented (a withdrawn or rejected send never arrives);
 * - values leave each channel in the order their sends completed (FIFO);
 * - once a receive reports "closed and drained", no value comes after it.
 *
 * Step numbers make the order checks exact: an op moves at most one value into a channel and
 * at most one out of it, except when a callback re-enters within the step (see `checkFinal`).
 */
import type { ChanInfo } from 'gorx';
import type { Trace } from './trace.js';

export class ChannelModel {
  private readonly closedAt: (number | null)[];
  private readonly closeErrors: (Error | undefined)[];
  private readonly committed: string[][];
  private readonly received: string[][];
  private readonly closedReported: boolean[];
  private readonly commitStep = new Map<string, number>();
  /** Receivers on each channel that were killed: each may have put a value back beyond `cap`. */
  private readonly putBacks: number[];
  private readonly receiveStep = new Map<string, number>();

  constructor(
    private readonly capacities: readonly number[],
    private readonly trace: Trace,
  ) {
    const n = capacities.length;
    this.closedAt = new Array<number | null>(n).fill(null);
    this.closeErrors = new Array<Error | undefined>(n).fill(undefined);
    this.committed = Array.from({ length: n }, () => []);
    this.received = Array.from({ length: n }, () => []);
    this.closedReported = new Array<boolean>(n).fill(false);
    this.putBacks = new Array<number>(n).fill(0);
  }

  /**
   * A goroutine parked receiving on `c` was killed: a value already handed to it but not yet
   * seen by its code goes back to the head of `c`, even past its capacity (Go has no such move;
   * gorx keeps the value rather than lose it).
   */
  killedReceiver(c: number): void {
    this.putBacks[c]!++;
  }

  isClosed(c: number): boolean {
    return this.closedAt[c] !== null;
  }

  /** The error given to `close(error)`, if any. */
  closeError(c: number): Error | undefined {
    return this.closeErrors[c];
  }

  /** Values the buffer must hold now. */
  buffered(c: number): number {
    return this.committed[c]!.length - this.received[c]!.length;
  }

  /** The values the buffer must hold now, oldest first (FIFO: the order their sends completed). */
  bufferedValues(c: number): string[] {
    const out = new Set(this.received[c]);
    return this.committed[c]!.filter((v) => !out.has(v));
  }

  capacity(c: number): number {
    return this.capacities[c]!;
  }

  close(c: number, error: Error | undefined): void {
    this.closedAt[c] = this.trace.step;
    this.closeErrors[c] = error;
  }

  /** A send of `value` on `c` completed: the value is in the buffer or with a receiver. */
  commit(c: number, value: string, label: string): void {
    this.trace.expect(
      !this.committed.some((vs) => vs.includes(value)),
      `${label}: the send of ${value} completed twice`,
    );
    this.committed[c]!.push(value);
    this.commitStep.set(value, this.trace.step);
  }

  /** A receive on `c` got `value`. */
  receive(c: number, value: unknown, label: string): void {
    this.trace.expect(
      typeof value === 'string',
      `${label}: received ${String(value)}, not a sent value`,
    );
    this.trace.expect(
      !this.closedReported[c],
      `${label}: received ${String(value)} after a receive on c${c} reported it closed and drained`,
    );
    this.received[c]!.push(value as string);
    this.receiveStep.set(value as string, this.trace.step);
  }

  /** A receive on `c` reported it closed and drained; `length` is the channel's length then. */
  closedReport(c: number, length: number, label: string): void {
    this.trace.expect(this.isClosed(c), `${label}: reported c${c} closed, but it was never closed`);
    this.trace.expect(
      length === 0,
      `${label}: reported c${c} closed while ${length} values were still buffered`,
    );
    this.closedReported[c] = true;
  }

  /** The real channels agree with the model: length, `length <= capacity`, closed. */
  checkChannels(chans: readonly ChanInfo[], at: string): void {
    chans.forEach((ch, c) => {
      const cap = this.capacity(c) + this.putBacks[c]!;
      this.trace.expect(
        ch.length <= cap,
        `${at}: c${c}.length ${ch.length} > capacity ${this.capacity(c)}` +
          (this.putBacks[c]! > 0 ? ` + ${this.putBacks[c]} killed receivers` : ''),
      );
      this.trace.expect(
        ch.length === this.buffered(c),
        `${at}: c${c}.length is ${ch.length}, the model buffers ${this.buffered(c)} ` +
          `(committed [${this.committed[c]!.join(' ')}], received [${this.received[c]!.join(' ')}])`,
      );
      this.trace.expect(ch.closed === this.isClosed(c), `${at}: c${c}.closed is ${ch.closed}`);
    });
  }

  /** How many values went in and came out so far, to check that some phase moved none. */
  counts(): string {
    return `${this.committed.map((v) => v.length).join(',')}/${this.received.map((v) => v.length).join(',')}`;
  }

  /** No value received twice, none lost, none invented, and FIFO per channel. */
  checkFinal(): void {
    const seen = new Set<string>();
    this.received.forEach((values, c) => {
      for (const v of values) {
        this.trace.expect(!seen.has(v), `${v} was received twice`);
        seen.add(v);
        this.trace.expect(
          this.committed[c]!.includes(v),
          `${v} was received from c${c} but no send of it on c${c} completed`,
        );
      }
    });
    this.committed.forEach((values, c) => {
      for (const v of values) {
        this.trace.expect(
          seen.has(v),
          `${v} was sent on c${c} (the send completed) but never received`,
        );
      }
      this.checkFifo(c, values);
    });
  }

  /**
   * Values leave in the order their sends completed. Within one step the order is not
   * observable when a callback re-enters (two sends, or two receives, complete in one step, and
   * a promise op records its outcome after a callback did), so only distinct steps are compared.
   */
  private checkFifo(c: number, committed: readonly string[]): void {
    const got = this.received[c]!;
    let doneBefore = -1;
    let doneThisStep = -1;
    let step = -1;
    for (const v of got) {
      if (this.receiveStep.get(v) !== step) {
        step = this.receiveStep.get(v)!;
        doneBefore = Math.max(doneBefore, doneThisStep);
      }
      const sentAt = this.commitStep.get(v) ?? Infinity;
      if (sentAt < doneBefore) {
        this.trace.violate(
          `c${c} is not FIFO: ${v} (sent at #${sentAt}) came out after a value sent at ` +
            `#${doneBefore}; sends completed in order [${committed.join(' ')}], ` +
            `values came out as [${got.join(' ')}]`,
        );
        return;
      }
      doneThisStep = Math.max(doneThisStep, sentAt);
    }
  }
}
