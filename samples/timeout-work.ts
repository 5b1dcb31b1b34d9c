// timeout() around work, like stacklesslib's timeout context manager: the work gets an
// AbortSignal; when time is up the signal is aborted (with the TimeoutError) and the call rejects.
// Pass the signal on: to gorx operations, or as `options.signal` to a goroutine, which is then
// killed (its finally blocks run) when the deadline passes.
import { chan, go, sleep, timeout, TimeoutError, type Goroutine, type GoroutineExit } from 'gorx';

async function lookup(name: string, ms: number, signal: AbortSignal): Promise<string> {
  try {
    await sleep(ms, { signal });
    return `${name}: found`;
  } finally {
    if (signal.aborted) console.log(`${name}: lookup abandoned, cleanup ran`);
  }
}

async function attempt<R>(label: string, work: Promise<R>): Promise<void> {
  try {
    console.log(`${label} ->`, await work);
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    console.log(`${label} -> ${e.code} (${e.message})`);
  }
}

// 1. Work that finishes in time: its result comes back, the timer is cleared.
await attempt(
  'fast lookup',
  timeout(200, (signal) => lookup('alpha', 10, signal)),
);

// 2. Work that is too slow: the sleep inside is aborted, its cleanup runs, the call rejects.
await attempt(
  'slow lookup',
  timeout(30, (signal) => lookup('beta', 5_000, signal)),
);

// 3. A goroutine bound to the deadline through options.signal: killed when time is up.
const requests = chan<string>(0, { name: 'requests' });
let handler: Goroutine<void> | undefined;
await attempt(
  'goroutine',
  timeout(30, (signal) => {
    handler = go(
      function* () {
        try {
          const req = (yield requests.recv()) as string; // nobody sends: it waits until killed
          console.log('never printed', req);
        } finally {
          console.log('handler: killed at its yield, finally ran');
        }
      },
      { name: 'handler', signal },
    );
    return handler.done;
  }),
);
const exit = (await handler!.done.catch((e: unknown) => e)) as GoroutineExit;
console.log(`handler is ${handler!.state}; its exit carries`, (exit.reason as Error).name);
console.log('receivers still waiting on requests:', requests.trySend('late') ? 1 : 0);
