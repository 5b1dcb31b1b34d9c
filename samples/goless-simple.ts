// One channel used in both directions: main sends a number, a goroutine sends back its square.
// Port of goless's examples/simple.py (https://github.com/rgalanakis/goless).
import { chan, go } from 'gorx';

const channel = chan<number>();

// The goroutine loops forever, as in goless; main kills it when done. Passing ctx.signal to
// every blocking call is what lets kill() interrupt an async goroutine.
const squarer = go(async (ctx) => {
  for (;;) {
    const value = await channel.recv({ signal: ctx.signal });
    await channel.send(value ** 2, { signal: ctx.signal });
  }
});

for (let i = 2; i < 5; i++) {
  await channel.send(i);
  const squared = await channel.recv();
  console.log(`${i} squared is ${squared}`);
}

await squarer.kill();
