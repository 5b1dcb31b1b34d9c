// Channels connect concurrent code: one goroutine sends a value, another receives it.
// Port of Go by Example "Channels" (https://gobyexample.com/channels).
import { chan, go } from 'gorx';

// An unbuffered channel: a send completes only when a receiver takes the value.
const messages = chan<string>();

go(async () => {
  await messages.send('ping');
});

const msg = await messages.recv();
console.log(msg);
