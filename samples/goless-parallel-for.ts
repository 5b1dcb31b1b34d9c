// A parallel for loop: one goroutine per item writes its own slot of a shared results array, and
// a buffered "semaphore" channel counts finished items.
// Port of goless's examples/parallel_for.py (https://github.com/rgalanakis/goless).
import { chan, go, sleep } from 'gorx';

const dosomething = async (x: number): Promise<number> => {
  await sleep(x % 3); // pretend some items take longer, so they finish out of order
  return 0 - x;
};

const n = 10;
const items = Array.from({ length: n }, (_, i) => i);
const results: (number | undefined)[] = new Array(n).fill(undefined);
// Buffered to n, so no mapper ever waits for main to take its signal.
const semaphore = chan<void>(n);

items.forEach((item, index) => {
  go(async () => {
    results[index] = await dosomething(item);
    await semaphore.send();
  });
});

for (let i = 0; i < n; i++) await semaphore.recv();
console.log(`Finished: [${results.join(', ')}]`);
