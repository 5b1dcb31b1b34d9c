/**
 * The brand of a goroutine record, which lets a goroutine's context (or a wrapper naming it through
 * `goContext`) serve as operation options (a leaf: imports nothing). A goroutine's `ctx.signal` is
 * marked in its signal hub instead (signal-hub.ts `owner`).
 */

/**
 * Brand on the goroutine runtime's prototype: what a `goContext` property (see types.ts) must point
 * to. A goroutine's `GoContext` names itself, so `ch.recv(ctx)` binds the operation to the
 * goroutine directly, without creating the AbortController behind `ctx.signal`; a context from
 * another copy of gorx lacks this copy's brand and is refused.
 */
export const kIsOwner: unique symbol = Symbol('gorx.isOwner');
