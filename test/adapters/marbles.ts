/**
 * Marble diagrams on Jest fake timers. gorx goroutines settle through promises, which RxJS's
 * `TestScheduler.run` (synchronous virtual time) never flushes; here each frame is one fake
 * millisecond and `jest.advanceTimersByTimeAsync` runs the microtasks between frames. Diagrams
 * are parsed by `TestScheduler.parseMarbles` in run mode, so the syntax is RxJS's own.
 */
import { expect, jest } from '@jest/globals';
import { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';

type Event = { frame: number; kind: 'N' | 'E' | 'C'; value?: unknown; error?: unknown };

function parse(marbles: string, values?: Record<string, unknown>, error?: unknown): Event[] {
  // One character is one frame of 1 ms, as inside `TestScheduler.run` (which sets the same factor).
  const saved = TestScheduler.frameTimeFactor;
  TestScheduler.frameTimeFactor = 1;
  let messages;
  try {
    messages = TestScheduler.parseMarbles(marbles, values, error, undefined, true);
  } finally {
    TestScheduler.frameTimeFactor = saved;
  }
  return messages.map((m) => {
    const n = m.notification as { kind: 'N' | 'E' | 'C'; value?: unknown; error?: unknown };
    if (n.kind === 'N') return { frame: m.frame, kind: 'N', value: n.value };
    if (n.kind === 'E') return { frame: m.frame, kind: 'E', error: n.error };
    return { frame: m.frame, kind: 'C' };
  });
}

/** A cold Observable emitting `marbles` on fake time from the moment it is subscribed. */
export function cold<T = string>(
  marbles: string,
  values?: Record<string, T>,
  error?: unknown,
): Observable<T> {
  const events = parse(marbles, values, error);
  return new Observable<T>((s) => {
    const timers = events.map((e) =>
      setTimeout(() => {
        if (e.kind === 'N') s.next(e.value as T);
        else if (e.kind === 'E') s.error(e.error);
        else s.complete();
      }, e.frame),
    );
    return () => timers.forEach((t) => clearTimeout(t));
  });
}

/** Subscribes now and records what `source` does, with fake-time frames. */
export function record<T>(source: Observable<T>) {
  const t0 = Date.now();
  const events: Event[] = [];
  const sub = source.subscribe({
    next: (value) => events.push({ frame: Date.now() - t0, kind: 'N', value }),
    error: (error: unknown) => events.push({ frame: Date.now() - t0, kind: 'E', error }),
    complete: () => events.push({ frame: Date.now() - t0, kind: 'C' }),
  });
  return {
    sub,
    /** Runs fake time for `ms`, then compares what happened with `marbles`. */
    async expect(ms: number, marbles: string, values?: Record<string, unknown>, error?: unknown) {
      await jest.advanceTimersByTimeAsync(ms);
      expect(events).toEqual(parse(marbles, values, error));
    },
  };
}
