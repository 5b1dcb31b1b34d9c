/**
 * The context a cluster goroutine receives: a `GoContext` plus the fence of the lease it runs under.
 * @module
 */
import type { GoContext } from 'gorx';

/** `GoContext` plus `fence`: pass it to every write the lease protects. */
export interface ClusterContext extends GoContext {
  /** The fence of the lease (or supersede run) this goroutine runs under. */
  readonly fence: bigint;
}

/** A cluster goroutine body: an async function, or a generator function that yields promises. */
export type ClusterGoFunction<R> = (ctx: ClusterContext) => Promise<R> | Generator<unknown, R, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Precondition: `c` is the live context of the goroutine that runs the body. A plain object:
 * gorx operations given it bind through its `signal`, exactly as with `ctx.signal`.
 */
export function clusterContext(c: GoContext, fence: bigint): ClusterContext {
  return {
    get signal() {
      return c.signal;
    },
    id: c.id,
    name: c.name,
    go: (fn, options) => c.go(fn, options),
    fence,
  };
}
