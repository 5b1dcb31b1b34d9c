// Futures from channels: start a computation now, receive its result when it is needed.
// Port of goless's examples/futures.py (https://github.com/rgalanakis/goless).
import { chan, go, type RecvChan } from 'gorx';

// Async versions: each starts a goroutine and returns the channel its result will arrive on.
function inverseAsync(future: RecvChan<number>): RecvChan<number> {
  const c = chan<number>();
  go(async () => c.send((await future.recv()) * -1));
  return c;
}

function productAsync(futureA: RecvChan<number>, futureB: RecvChan<number>): RecvChan<number> {
  const c = chan<number>();
  go(async () => c.send((await futureA.recv()) * (await futureB.recv())));
  return c;
}

// A future that is already resolved: a one-slot buffered channel holding the value.
function promise(value: number): RecvChan<number> {
  const future = chan<number>(1);
  future.trySend(value);
  return future;
}

// Synchronous versions, written as "start the async version, then cash in the future at once".
const inverse = (a: number): Promise<number> => inverseAsync(promise(a)).recv();
const product = (a: number, b: number): Promise<number> =>
  productAsync(promise(a), promise(b)).recv();

const a = 2;
const b = -4;

async function inverseProductSync(): Promise<number> {
  const ai = await inverse(a);
  const bi = await inverse(b);
  return product(ai, bi);
}

function inverseProductAsync(): RecvChan<number> {
  // Both inverses run concurrently; the product waits for whichever finishes last.
  const aiFuture = inverseAsync(promise(a));
  const biFuture = inverseAsync(promise(b));
  return productAsync(aiFuture, biFuture);
}

console.log(`Sync: ${await inverseProductSync()}`);
console.log(`Async: ${await inverseProductAsync().recv()}`);
