/** Shared by the adapters (never exported): what a channel may be closed with. */

/** Channels close with an `Error`; RxJS errors and iterator throws can be anything. */
export function asError(e: unknown): Error {
  // Error-shaped objects from another realm (a DOMException abort reason under a VM) pass as is.
  if (
    e instanceof Error ||
    (typeof e === 'object' && e !== null && 'message' in e && 'name' in e)
  ) {
    return e as Error;
  }
  return new Error(String(e), { cause: e });
}
