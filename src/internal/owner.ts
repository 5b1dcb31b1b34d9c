/**
 * The brand that lets a goroutine's context serve as operation options (a leaf: imports nothing).
 * A goroutine's `ctx.signal` is marked in its signal hub instead (signal-hub.ts `owner`).
 */

/**
 * Brand on the goroutine runtime's prototype. A goroutine's `GoContext` has a `signal`, so it is
 * itself a valid options object: `ch.recv(ctx)` binds the operation to the goroutine directly,
 * without creating the AbortController behind `ctx.signal`.
 */
export const kIsOwner: unique symbol = Symbol('gorx.isOwner');
