// Checks the CPU endpoints of the sample service (samples/nest-service) over HTTP, on its built
// output (dist-aux), the way `npm run sample:nest` runs it: Jest runs the service from its
// TypeScript sources, where the thread module (cpu-jobs.js) does not exist, so the /cpu story is
// checked here, by `npm run samples`. The story of the README's curl session:
//   POST /cpu/start            a CPU job runs on a worker thread and returns a result;
//   POST /cpu/hang             the next job spins in a synchronous loop on its thread;
//   GET /health                still answers, reporting the cpu worker hung (the heartbeat
//                              timeout judged it: the event loop was free to serve this);
//   GET /cpu                   lastKillMode 'terminated' (the thread ignored the cooperative kill);
//   GET /cpu                   results grow again (the worker restarted with a new thread).
// Waits poll the service (a script, not a test: a bounded number of polls, no timing asserts).
// Usage: node scripts/check-sample-cpu.mjs (after scripts/build-aux.mjs)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist-aux/samples/nest-service/main.js');
const POLL_MS = 50;
const MAX_POLLS = 600; // 30 s per step on a loaded machine

if (!existsSync(main)) {
  console.error(`check-sample-cpu: ${main} is missing (run node scripts/build-aux.mjs)`);
  process.exit(1);
}

const child = spawn(process.execPath, [main], {
  cwd: root,
  env: { ...process.env, PORT: '0', NO_COLOR: '1' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
child.stdout.on('data', (c) => (output += c));
child.stderr.on('data', (c) => (output += c));

async function step(what, probe) {
  for (let i = 0; i < MAX_POLLS; i++) {
    const r = await probe();
    if (r !== undefined) return r;
    await delay(POLL_MS);
  }
  throw new Error(`gave up waiting for: ${what}`);
}

let base = '';
async function http(method, path) {
  const res = await fetch(`${base}${path}`, { method });
  const text = await res.text();
  return { status: res.status, json: text === '' ? null : JSON.parse(text) };
}

let failed = false;
try {
  base = await step('the service to listen', () => {
    // eslint-disable-next-line no-control-regex
    const m = /listening on (http:\/\/[^\s\u001b]+)/.exec(output);
    return m === null ? undefined : m[1].replace('[::1]', '127.0.0.1');
  });
  const start = await http('POST', '/cpu/start');
  if (start.status !== 202) throw new Error(`POST /cpu/start answered ${start.status}`);
  await step('a first CPU job result', async () => {
    const { json } = await http('GET', '/cpu');
    return json.results >= 1 ? json : undefined;
  });
  const hang = await http('POST', '/cpu/hang');
  if (hang.status !== 202) throw new Error(`POST /cpu/hang answered ${hang.status}`);
  const health = await step('GET /health reporting the cpu worker hung', async () => {
    const r = await http('GET', '/health');
    return JSON.stringify(r.json).includes('hung') ? r : undefined;
  });
  if (health.status !== 503) throw new Error(`GET /health answered ${health.status}, not 503`);
  const killed = await step('the hung thread to be terminated', async () => {
    const { json } = await http('GET', '/cpu');
    return json.lastKillMode !== null ? json : undefined;
  });
  if (killed.lastKillMode !== 'terminated') {
    throw new Error(`lastKillMode is ${JSON.stringify(killed.lastKillMode)}, not 'terminated'`);
  }
  const after = await step('a CPU job result after the restart', async () => {
    const { json } = await http('GET', '/cpu');
    return json.results > killed.results ? json : undefined;
  });
  console.log(
    `ok nest-service /cpu (result, hang: /health answered ${health.status} with the worker hung, ` +
      `killMode ${killed.lastKillMode}, restarted: ${after.results} results)`,
  );
} catch (e) {
  failed = true;
  console.log(`FAIL nest-service /cpu: ${e instanceof Error ? e.message : String(e)}`);
  console.log(`  --- service output\n  ${output.trimEnd().replace(/\n/g, '\n  ')}`);
}

child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
process.exit(failed ? 1 : 0);
