/** @module */
import { SetMetadata } from '@nestjs/common';
import { GORX_SUPERSEDE_METADATA } from './gorx.constants.js';
import {
  currentRun,
  type SupersedeMode,
  type SupersedeRunContext,
} from './internal/supersede-slots.js';

export type { SupersedeMode, SupersedeRunContext };

/**
 * Options of `@Supersede()`.
 *
 * @example
 * ```ts
 * import type { SupersedeOptions } from 'gorx/nest';
 *
 * const options: SupersedeOptions<[sceneId: string]> = { key: (sceneId) => sceneId };
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface SupersedeOptions<A extends unknown[] = any[]> {
  /** Picks the key from the call's arguments (default: one key for the method). */
  key?: ((...args: A) => unknown) | undefined;
  /** `'kill'` (default), `'join'` (share the running call's result) or `'queue'` (run after it). */
  mode?: SupersedeMode | undefined;
  /**
   * `'process'` (default): supersedes calls in this process. `'cluster'`: a call on any replica
   * kills the running one wherever it runs (needs `GorxModule.forRoot({ cluster: { store } })`;
   * mode `'kill'` only; `supersedeContext()!.fence` is the run's fence). See docs/cluster.md.
   */
  scope?: 'process' | 'cluster' | undefined;
  /** `scope: 'cluster'`: lease ttl of a run (ms, default 10000). */
  leaseTtlMs?: number | undefined;
}

/**
 * Kill-on-supersede for an async provider method: a call made while an earlier call with the same
 * key is still running kills the earlier one. The earlier call's promise rejects with
 * `SupersededError`, and its `finally` blocks finish before the new call's body starts. A call cut
 * off by application shutdown (or made after it began) rejects with `ShutdownError` instead. Inside the
 * method, `supersedeContext()` gives the run's `signal`: pass it to every blocking call so a
 * supersede interrupts it at once (code that ignores it runs on until its next check, and the new
 * call waits for it). Works on providers and controllers discovered by `GorxModule` (not
 * request-scoped ones).
 *
 * @example
 * ```ts
 * import { Injectable } from '@nestjs/common';
 * import { sleep } from 'gorx';
 * import { Supersede, supersedeContext } from 'gorx/nest';
 *
 * @Injectable()
 * class Scenes {
 *   @Supersede({ key: (sceneId: string) => sceneId })
 *   async update(sceneId: string): Promise<string> {
 *     const { signal } = supersedeContext()!;
 *     try {
 *       for (let step = 1; step <= 5; step++) await sleep(200, { signal });
 *       return `scene ${sceneId} updated`;
 *     } finally {
 *       console.log('released scene', sceneId); // before the next update of this scene starts
 *     }
 *   }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function Supersede<A extends unknown[] = any[]>(options: SupersedeOptions<A> = {}) {
  const setMetadata = SetMetadata(GORX_SUPERSEDE_METADATA, options);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return <T extends (...args: [...A, ...any[]]) => Promise<unknown>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): void => {
    setMetadata(target, key, descriptor);
  };
}

/**
 * Inside a `@Supersede` method (or a `WorkerRegistry.supersede` run): the current run's `signal`
 * (aborted when it is superseded or the application shuts down) and `key`. `undefined` elsewhere.
 *
 * @example
 * ```ts
 * import { sleep } from 'gorx';
 * import { supersedeContext } from 'gorx/nest';
 *
 * async function step(): Promise<void> {
 *   await sleep(100, { signal: supersedeContext()?.signal });
 * }
 * ```
 */
export function supersedeContext(): SupersedeRunContext | undefined {
  return currentRun();
}
