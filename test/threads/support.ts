/**
 * Shared support of the threads tests. Thread modules are plain .mjs fixtures: a worker thread
 * loads JavaScript without Jest's transform, and resolves `gorx` / `gorx/threads` through the
 * package's exports map, i.e. to the built dist/ (`npm test` builds before the unit tests; run
 * `npm run build` before running these tests alone). The main side runs from the sources.
 */
import { expect } from '@jest/globals';
import { liveThreads } from '../../threads/internal/thread-handle.js';
import { expectNothingLeft } from '../helpers/leaks.js';

export const BASIC = new URL('./fixtures/basic.mjs', import.meta.url);

const threadResources = (): string[] =>
  process.getActiveResourcesInfo().filter((r) => r === 'Worker' || r === 'MessagePort');

/**
 * Nothing left: no gorx operation or goroutine on the main thread, no live worker thread, no
 * open Worker or MessagePort handle. A closed port's handle goes away on a later event-loop turn,
 * so this waits a bounded number of turns (not a fixed time) for the handles to go.
 */
export async function expectNoThreadLeft(): Promise<void> {
  expect(liveThreads()).toBe(0);
  expectNothingLeft();
  for (let turn = 0; turn < 20 && threadResources().length > 0; turn++) {
    await new Promise<void>((r) => setImmediate(r));
  }
  expect(threadResources()).toEqual([]);
}

/** The rejection of `p` (fails if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => {
      throw new Error(`expected a rejection, got ${String(v)}`);
    },
    (e: unknown) => e,
  );
}
