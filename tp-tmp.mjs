import { chan } from 'gorx';
import { ThreadPool } from 'gorx/threads';
const JOBS = new URL('file:///work/wt/threads/dist-aux/bench/threads/jobs.js');
const N = 200000;
const pool = new ThreadPool({ size: 1 });
for (let r = 0; r < 6; r++) {
  const out = chan(1024);
  const t0 = process.hrtime.bigint();
  const g = pool.go(JOBS, 'produce', [out, N]);
  let n = 0;
  for await (const v of out) n++;
  await g.done;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(Math.round(N / s), n);
}
await pool.close();
