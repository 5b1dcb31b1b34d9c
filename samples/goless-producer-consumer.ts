// Producer / consumers / logger connected by channels.
// Port of goless's examples/producer_consumer.py (https://github.com/rgalanakis/goless).
// In goless each consumer closes `out` when it runs dry, so the second close fails. Here `out` is
// closed exactly once, by whoever sees the last consumer finish. Which consumer handles which
// message depends on scheduling, so the logger prints the messages in order plus a total.
import { chan, go, WaitGroup } from 'gorx';

const done = chan<void>();
const msgs = chan<number>();
const out = chan<string>();

async function produce(): Promise<void> {
  for (let i = 0; i < 10; i++) await msgs.send(i);
  msgs.close();
}

const consumers = new WaitGroup();
async function consume(name: string): Promise<void> {
  try {
    for await (const msg of msgs) await out.send(`${name}:${msg}`);
  } finally {
    consumers.done();
  }
}

async function logger(): Promise<void> {
  const seen: string[] = [];
  const byConsumer = new Map<string, number>();
  for await (const msg of out) {
    seen.push(msg);
    const name = msg.split(':')[0]!;
    byConsumer.set(name, (byConsumer.get(name) ?? 0) + 1);
  }
  const numbers = seen.map((m) => Number(m.split(':')[1])).sort((a, b) => a - b);
  console.log(`received ${seen.length} messages: ${numbers.join(' ')}`);
  const total = [...byConsumer.values()].reduce((a, b) => a + b, 0);
  console.log(`handled by: ${[...byConsumer.keys()].sort().join(', ')} (${total} in all)`);
  await done.send();
}

go(produce);
consumers.add(2);
go(() => consume('one'));
go(() => consume('two'));
go(async () => {
  await consumers.wait();
  out.close(); // the single close: after both consumers have finished sending
});
go(logger);

await done.recv();
