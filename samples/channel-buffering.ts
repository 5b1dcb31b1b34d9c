// A buffered channel accepts a limited number of values without a waiting receiver.
// Port of Go by Example "Channel Buffering" (https://gobyexample.com/channel-buffering).
import { chan } from 'gorx';

const messages = chan<string>(2);

// Neither send blocks: the buffer has room for both, so no receiver is needed yet.
await messages.send('buffered');
await messages.send('channel');
console.log(`length ${messages.length} of capacity ${messages.capacity}`);

console.log(await messages.recv());
console.log(await messages.recv());
