// `select` waits on several channel operations at once and performs whichever is ready first.
// Port of Go by Example "Select" (https://gobyexample.com/select).
import { chan, go, recv, select, sleep } from 'gorx';

const c1 = chan<string>();
const c2 = chan<string>();

// Each channel receives a value after some time, as if from a slow call.
go(async () => {
  await sleep(10);
  await c1.send('one');
});
go(async () => {
  await sleep(30);
  await c2.send('two');
});

// Both sleeps run concurrently: the loop takes about 30 ms, not 40.
for (let i = 0; i < 2; i++) {
  const r = await select([recv(c1), recv(c2)]);
  // `r.index` says which case fired; `r.value` is typed from that case's channel.
  switch (r.index) {
    case 0:
      console.log('received', r.value);
      break;
    case 1:
      console.log('received', r.value);
      break;
  }
}
