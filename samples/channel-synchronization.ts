// Waiting on a channel to learn that a goroutine has finished its work.
// Port of Go by Example "Channel Synchronization" (https://gobyexample.com/channel-synchronization).
import { chan, go, sleep, type SendChan } from 'gorx';

async function worker(done: SendChan<boolean>): Promise<void> {
  process.stdout.write('working...');
  await sleep(20);
  console.log('done');
  await done.send(true);
}

const done = chan<boolean>(1);
go(() => worker(done));

// Blocks until the worker reports; without it the program would not wait for "done".
await done.recv();
