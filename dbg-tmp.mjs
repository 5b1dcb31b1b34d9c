import { MessageChannel } from 'node:worker_threads';
import { chan } from 'gorx';
import { ThreadPool } from 'gorx/threads';
const JOBS = new URL('./dist-aux/bench/threads/jobs.js', import.meta.url);
const pool = new ThreadPool({ size: 1 });
for (const batch of [1024, 1]) {
    const { port1, port2 } = new MessageChannel();
    let n = 0; const t0 = Date.now();
    const done = new Promise((resolve) => {
      port1.on('message', (m) => {
        if (m === null) { port1.close(); resolve(); } else n += Array.isArray(m) ? m.length : 1;
      });
    });
    const g = pool.go(JOBS, 'produceRaw', [port2, 200000, batch], { transfer: [port2] });
    g.done.then(() => console.log('g done'), e => console.log('g err', e));
    await done;
    await g.done;
    console.log(batch, n, Date.now() - t0);
}
const ping = chan(), back = chan();
const g = pool.go(JOBS, 'pong', [ping, back]);
let t0 = Date.now();
for (let i = 0; i < 5000; i++) { await ping.send(i); await back.recv(); }
console.log('pp', Date.now() - t0);
ping.close(); await g.done;
await pool.close();
