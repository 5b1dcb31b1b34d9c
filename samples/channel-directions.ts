// Direction types: a function that only sends takes a SendChan, one that only receives a RecvChan,
// and the compiler rejects the other direction (Go's `chan<- T` and `<-chan T`).
// Port of Go by Example "Channel Directions" (https://gobyexample.com/channel-directions).
import { chan, type RecvChan, type SendChan } from 'gorx';

async function ping(pings: SendChan<string>, msg: string): Promise<void> {
  await pings.send(msg);
}

async function pong(pings: RecvChan<string>, pongs: SendChan<string>): Promise<void> {
  const msg = await pings.recv();
  await pongs.send(msg);
}

// Compile-time checks only (never called): each line is a type error that tsc must report.
export function misuse(pings: RecvChan<string>, pongs: SendChan<string>): void {
  // @ts-expect-error a RecvChan has no send
  void pings.send('nope');
  // @ts-expect-error a RecvChan has no close: only the sending side may close
  pings.close();
  // @ts-expect-error a SendChan has no recv
  void pongs.recv();
}

const pings = chan<string>(1);
const pongs = chan<string>(1);
await ping(pings, 'passed message');
await pong(pings, pongs);
console.log(await pongs.recv());
