// Non-blocking sends, receives and multi-way selects: Go's `select` with a `default` case.
// Port of Go by Example "Non-Blocking Channel Operations"
// (https://gobyexample.com/non-blocking-channel-operations).
import { chan, go, recv, send, trySelect } from 'gorx';

const messages = chan<string>();
const signals = chan<boolean>();

// trySelect returns undefined at once when no case is ready: that is the `default` branch.
const r1 = trySelect([recv(messages)]);
console.log(r1 === undefined ? 'no message received' : `received message ${r1.value}`);

// An unbuffered send is ready only when a receiver is waiting, and none is.
const msg = 'hi';
const r2 = trySelect([send(messages, msg)]);
console.log(r2 === undefined ? 'no message sent' : `sent message ${msg}`);

const r3 = trySelect([recv(messages), recv(signals)]);
if (r3 === undefined) console.log('no activity');
else if (r3.index === 0) console.log('received message', r3.value);
else console.log('received signal', r3.value);

// Single-channel shortcuts: trySend / tryRecv.
const got = messages.tryRecv();
console.log(got.ok ? `received message ${got.value}` : 'no message received (tryRecv)');

// Once a receiver is parked on the channel, the same non-blocking send succeeds.
const receiver = go(() => messages.recv());
console.log(messages.trySend(msg) ? `sent message ${msg} (trySend)` : 'no message sent');
console.log('receiver got', await receiver.done);
