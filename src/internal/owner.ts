/**
 * The brands that tie operations to goroutines without a listener (a leaf: imports nothing).
 */

/** Property set on a goroutine's `ctx.signal`, so ops given that signal bind to it without a listener. */
export const kOwner: unique symbol = Symbol('gorx.owner');

/**
 * Brand on the goroutine runtime's prototype. A goroutine's `GoContext` has a `signal`, so it is
 * itself a valid options object: `ch.recv(ctx)` binds the operation to the goroutine directly,
 * without creating the AbortController behind `ctx.signal`.
 */
export const kIsOwner: unique symbol = Symbol('gorx.isOwner');
