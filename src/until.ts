/**
 * The typed form of a generator goroutine's wait: `const v = yield* until(promise)` gives `v` the
 * promise's type (a bare `yield promise` is `any`), and the goroutine's `done` gets the type the
 * generator returns. It is the same wait: `yield*` hands the promise itself to the goroutine's
 * driver, so a kill still stops the goroutine at once at this point, its `finally` blocks run,
 * and a receive it was waiting in is put back on the channel as with `yield ch.recv()`.
 *
 * @example
 * ```ts
 * import { chan, go, until } from 'gorx';
 *
 * const jobs = chan<string>(1);
 * jobs.trySend('build');
 * const g = go(function* () {
 *   const job = yield* until(jobs.recv()); // job: string
 *   return job.length; // done: Promise<number>
 * });
 * console.log(await g.done); // 5
 * ```
 */
export function* until<T>(value: PromiseLike<T> | T): Generator<unknown, Awaited<T>, unknown> {
  return (yield value) as Awaited<T>;
}
