// The heartbeat watchdog: a worker beats on a channel while it makes progress; its supervisor
// receives each beat with a deadline. When a beat is missed, the supervisor reports it and kills
// the worker with a HeartbeatTimeoutError. The worker is a generator goroutine, so the kill stops
// it even though it hangs on a promise that never settles, and its cleanup runs first.
import {
  chan,
  go,
  goroutines,
  HeartbeatTimeoutError,
  sleep,
  timeout,
  TimeoutError,
  type SendChan,
} from 'gorx';

const HEARTBEAT_TIMEOUT_MS = 250;

function* worker(beats: SendChan<number>): Generator<unknown, void, unknown> {
  try {
    for (let job = 1; ; job++) {
      yield sleep(10); // one unit of work
      if (job === 4) {
        console.log('worker: job 4 waits on a service that never answers');
        yield new Promise<never>(() => {});
      }
      yield beats.send(job);
    }
  } finally {
    console.log('worker: cleanup ran (connection released)');
  }
}

const beats = chan<number>(0, { name: 'heartbeat' });
const w = go(() => worker(beats), { name: 'worker' });

for (;;) {
  try {
    const job = await timeout(HEARTBEAT_TIMEOUT_MS, (signal) => beats.recv({ signal }));
    console.log(`supervisor: beat after job ${job}`);
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    const [info] = goroutines();
    console.log(`supervisor: no beat within ${HEARTBEAT_TIMEOUT_MS} ms from "${info?.name}"`);
    console.log(`supervisor: it is ${info?.state} on ${info?.blockedOn}`);
    await w.kill(new HeartbeatTimeoutError(HEARTBEAT_TIMEOUT_MS));
    break;
  }
}

const exit = await w.done.catch((e: unknown) => e);
console.log(
  `supervisor: worker is ${w.state}`,
  exit instanceof HeartbeatTimeoutError ? exit.code : exit,
);
console.log('live goroutines:', goroutines().length);
