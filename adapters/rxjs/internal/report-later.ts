/** Surfaces an error nobody is subscribed to hear (gorx's panic rule: never swallowed). */
export function reportLater(e: unknown): void {
  void Promise.reject(e);
}
