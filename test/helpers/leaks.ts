/**
 * Shared leak checks: after each test nothing may be left behind (no parked gorx operation,
 * no live goroutine, no pending fake timer).
 */
import { expect, jest } from '@jest/globals';
import { goroutines } from '../../src/index.js';
import { parkedOps } from '../../src/internal/park.js';

/** Descriptions of parked operations still waiting (empty when clean). */
export function leftovers(): string[] {
  const ops = parkedOps().map((op) => op.describe());
  const gs = goroutines().map((g) => `goroutine ${g.id} "${g.name}" (${g.blockedOn ?? g.state})`);
  return [...ops, ...gs];
}

/** Asserts that no gorx operation, goroutine or (when fake timers are on) timer is left. */
export function expectNothingLeft(): void {
  expect(leftovers()).toEqual([]);
  // Jest's modern fake timers mark the functions they install with a `clock` property.
  const fake =
    jest.isMockFunction(setTimeout) ||
    typeof (setTimeout as unknown as { clock?: unknown }).clock === 'object';
  if (fake) expect(jest.getTimerCount()).toBe(0);
}

/** `flush` lives with the other event-loop helpers (turns.ts); most tests import it from here. */
export { flush } from './turns.js';
