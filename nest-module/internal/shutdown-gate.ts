/**
 * Puts gorx's shutdown in front of every `onModuleDestroy` of the application.
 *
 * Nest's shutdown runs `onModuleDestroy` of every module (root first, global modules last), then
 * `beforeApplicationShutdown` of every module, then `onApplicationShutdown`: no lifecycle hook
 * runs before the first `onModuleDestroy`, and a provider may close a connection there while
 * workers still use it. So each discovered instance with an `onModuleDestroy` gets an own
 * property that first awaits `before()` (which stops every worker, once) and then calls the
 * original. `undo()` restores the instances (they may outlive the application, e.g. `useValue`).
 */

type Destroyable = { onModuleDestroy?: (...args: unknown[]) => unknown };

export function gateDestroyHooks(
  instances: Iterable<unknown>,
  before: () => Promise<void>,
): () => void {
  const undo: (() => void)[] = [];
  const seen = new Set<object>();
  for (const instance of instances) {
    if (instance === null || typeof instance !== 'object' || seen.has(instance)) continue;
    seen.add(instance);
    const target = instance as Destroyable;
    const original = target.onModuleDestroy;
    if (typeof original !== 'function') continue;
    const own = Object.getOwnPropertyDescriptor(target, 'onModuleDestroy');
    try {
      Object.defineProperty(target, 'onModuleDestroy', {
        configurable: true,
        writable: true,
        value: async function gorxGatedOnModuleDestroy(this: unknown, ...args: unknown[]) {
          await before();
          return original.apply(this, args);
        },
      });
    } catch {
      continue; // frozen or non-configurable: left as it is (gorx then stops at its own hook)
    }
    undo.push(() => {
      if (own === undefined) delete target.onModuleDestroy;
      else Object.defineProperty(target, 'onModuleDestroy', own);
    });
  }
  return () => {
    for (const u of undo) u();
    undo.length = 0;
  };
}
