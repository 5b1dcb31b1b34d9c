// A pool of goroutines takes jobs from one channel and sends results to another.
// Port of Go by Example "Worker Pools" (https://gobyexample.com/worker-pools), durations in ms.
// Which worker takes which job depends on timing, so results are printed sorted.
import { chan, go, sleep, type RecvChan, type SendChan } from 'gorx';

interface Result {
  worker: number;
  job: number;
  value: number;
}

async function worker(id: number, jobs: RecvChan<number>, results: SendChan<Result>) {
  // Each worker competes for jobs; the loop ends when `jobs` is closed and drained.
  for await (const j of jobs) {
    await sleep(20); // an expensive task
    await results.send({ worker: id, job: j, value: j * 2 });
  }
}

const numJobs = 5;
const jobs = chan<number>(numJobs);
const results = chan<Result>(numJobs);

const workers = [1, 2, 3].map((w) => go(() => worker(w, jobs, results), { name: `worker ${w}` }));

for (let j = 1; j <= numJobs; j++) await jobs.send(j);
jobs.close();

const collected: Result[] = [];
for (let a = 1; a <= numJobs; a++) collected.push(await results.recv());
await Promise.all(workers.map((w) => w.done));

collected.sort((a, b) => a.job - b.job);
for (const r of collected) console.log(`job ${r.job} -> ${r.value}`);
const busy = new Set(collected.map((r) => r.worker)).size;
console.log(`${numJobs} jobs done, ${busy} of ${workers.length} workers were busy`);
