// Kill-on-supersede: each new update kills the update that is still running. The old task's
// cleanup (a rollback that takes time) finishes before the new one starts, because kill()
// resolves only after the killed goroutine's finally blocks have run.
// Progress is reported on a channel, so the demo decides when to send the next update from what
// the task has done, not from timing: the output is the same on every run.
import { chan, go, SupersededError, sleep, type GoContext, type Goroutine } from 'gorx';

const updates = chan<number>(0, { name: 'updates' });
const progress = chan<string>(Infinity, { name: 'progress' });

function* applyUpdate(ctx: GoContext, version: number): Generator<unknown, void, unknown> {
  let step = 0;
  try {
    for (step = 1; step <= 3; step++) {
      console.log(`update ${version}: step ${step}/3`);
      yield progress.send(`${version}.${step}`);
      yield sleep(20); // the work of this step
    }
    console.log(`update ${version}: applied`);
  } finally {
    if (ctx.signal.aborted) {
      const by = (ctx.signal.reason as SupersededError).reason;
      console.log(`update ${version}: superseded by ${by} during step ${step}, rolling back`);
      yield sleep(10); // cleanup may wait: the next update has not started yet
      console.log(`update ${version}: rollback done`);
    }
  }
}

const updater = go(
  async (ctx) => {
    let running: Goroutine<void> | null = null;
    for await (const version of updates) {
      if (running !== null && (running.state === 'running' || running.state === 'blocked')) {
        console.log(`updater: update ${version} arrived, stopping the running one`);
        await running.kill(new SupersededError(`update ${version}`));
      }
      running = ctx.go((c) => applyUpdate(c, version), { name: `update-${version}` });
    }
    await running?.done;
  },
  { name: 'updater' },
);

async function waitFor(tag: string): Promise<void> {
  while ((await progress.recv()) !== tag);
}

await updates.send(1);
await waitFor('1.2'); // update 1 is in its second step
await updates.send(2);
await waitFor('2.1');
await updates.send(3);
updates.close();
await updater.done;
console.log('updater: finished, last update applied');
