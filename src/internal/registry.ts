/** The set of live goroutines, kept as plain module state (one per copy of gorx). */
import type { G } from './goroutine.js';

const liveSet = new Set<G<unknown>>();

export function registerLive(g: G<unknown>): void {
  liveSet.add(g);
}

export function unregisterLive(g: G<unknown>): void {
  liveSet.delete(g);
}

export function live(): ReadonlySet<G<unknown>> {
  return liveSet;
}
