/**
 * Every copy of gorx loaded in this realm (JavaScript global), by the URL of its channel module: two
 * different URLs mean two copies with separate state (channels, goroutines, deadlock detection).
 * That happens when the package is installed twice, or when one process loads gorx by `import`
 * and by `require()` where require(esm) is refused (Node run with --no-experimental-require-module,
 * or a test runner's module system that cannot require an ES module; see docs/commonjs.md).
 * The second copy to load warns once (GORX_DUPLICATE_COPY); mixing their channels fails in
 * select with an error that names this list.
 */
const COPIES = Symbol.for('gorx.copies');

/** URLs of every gorx copy loaded in this realm, this one included, in load order. */
export function loadedCopies(): readonly string[] {
  return ((globalThis as Record<symbol, string[] | undefined>)[COPIES] ??= []);
}

/** Records the copy whose channel module lives at `url`; warns if another copy is loaded. */
export function registerCopy(url: string): void {
  const copies = loadedCopies() as string[];
  if (copies.includes(url)) return; // the same file loaded again (a test runner's fresh registry)
  copies.push(url);
  if (copies.length !== 2) return;
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  proc?.emitWarning?.(
    `two copies of gorx are loaded in this process: ${copies.join(' and ')}. Each has its own ` +
      `channels, goroutines and deadlock detection, and channels of one cannot be used in the ` +
      `other's select. Deduplicate the install (npm ls gorx), and load gorx one way: on Node ` +
      `20.19+ require('gorx') returns the ES module build unless require(esm) is turned off.`,
    { type: 'GorxWarning', code: 'GORX_DUPLICATE_COPY' },
  );
}
