/**
 * What a property run saw: a step counter, a trace of events, and the guarantees found broken.
 * Checks record a violation instead of throwing, so one run reports everything it broke, with
 * the trace that led there, when it ends (fast-check prints it under the shrunk counterexample).
 */
export class Trace {
  /** Scheduler step; events are logged as `#step event`. */
  step = 0;
  private readonly log: string[] = [];
  private readonly violations: string[] = [];

  constructor(private readonly numbered = true) {}

  note(line: string): void {
    this.log.push(this.numbered ? `#${this.step} ${line}` : line);
  }

  expect(cond: boolean, message: string): void {
    if (!cond) this.violate(message);
  }

  violate(message: string): void {
    this.violations.push(message);
  }

  /** Throws an Error listing every violation so far and the trace. */
  throwIfViolated(): void {
    if (this.violations.length === 0) return;
    const header = this.numbered ? '--- trace (step: event) ---' : '--- trace ---';
    throw new Error(`${this.violations.join('\n')}\n${header}\n${this.log.join('\n')}`);
  }
}

/** `ChannelClosedError(send on closed channel)`, or the value itself if not an Error. */
export function describeError(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}(${e.message})` : String(e);
}
