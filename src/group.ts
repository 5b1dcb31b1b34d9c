/** @module */
import { GoroutineExit } from './errors.js';
import { go } from './go.js';
import { AbortCallback, listen, unlisten } from './internal/signal-hub.js';
import { checkObject, checkOptions } from './internal/validate.js';
import type { GoFunction, Goroutine, SignalOptions } from './types.js';

/**
 * Go's `errgroup`: run several goroutines; the first error kills the rest, and `wait()` rejects
 * with it. The group owns its goroutines' errors: they surface through `wait()`, not as unhandled
 * rejections, so always call `wait()`.
 *
 * @example
 * ```ts
 * import { Group, sleep } from 'gorx';
 *
 * const group = new Group();
 * group.go(async (ctx) => sleep(1000, { signal: ctx.signal })); // killed when the other fails
 * group.go(async () => {
 *   throw new Error('fetch failed');
 * });
 * await group.wait().catch((e: Error) => console.log(e.message)); // 'fetch failed'
 * ```
 */
export class Group {
  private readonly controller = new AbortController();
  private readonly running = new Set<Promise<unknown>>();
  private error: unknown = undefined;
  private failed = false;

  constructor(options?: SignalOptions) {
    checkOptions(options, 'Group');
    const parent = options?.signal;
    if (parent !== undefined) {
      if (parent.aborted) this.controller.abort(parent.reason);
      else {
        this.parentLink = new AbortCallback((reason) => this.controller.abort(reason));
        listen(parent, this.parentLink);
      }
    }
  }

  /** Linked to the parent signal until `wait()` has seen every goroutine end. */
  private parentLink: AbortCallback | null = null;

  /** Aborted when the group is cancelled (first error or parent abort). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts a goroutine in the group. */
  go<R>(fn: GoFunction<R>, options?: { name?: string }): Goroutine<R> {
    checkObject(options, 'Group.go: options');
    const g = go(fn, { name: options?.name, signal: this.controller.signal });
    const settled = g.done.then(
      () => undefined,
      (e: unknown) => {
        if (e instanceof GoroutineExit || this.failed) return;
        this.failed = true;
        this.error = e;
        this.controller.abort(new GoroutineExit(e, 'errgroup: another goroutine failed'));
      },
    );
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
    return g;
  }

  /** Waits for every goroutine; rejects with the first error if any failed. */
  async wait(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
    if (this.parentLink !== null) unlisten(this.parentLink);
    this.parentLink = null;
    if (this.failed) throw this.error;
  }
}
