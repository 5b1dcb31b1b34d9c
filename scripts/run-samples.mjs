// Builds the samples (scripts/build-aux.mjs) and runs every top-level dist-aux/samples/*.js with
// plain `node`, the way a user would run them. A sample passes when it exits 0 within the timeout
// and, if samples/<name>.expected.txt exists, its stdout equals that file (trailing whitespace of
// each line and trailing blank lines ignored). Sub-folders (e.g. samples/nest-service/) are not run
// here, except the sample service's CPU endpoints (`nest-service-cpu`, see
// scripts/check-sample-cpu.mjs). Usage: node scripts/run-samples.mjs [--no-build] [name ...]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TIMEOUT_MS = 20_000;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));

if (!args.includes('--no-build')) {
  // Rebuilds dist/ too (cheap), so a sample never runs against a stale library build.
  const r = spawnSync(process.execPath, [join(root, 'scripts/build-aux.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const outDir = join(root, 'dist-aux/samples');
const files = existsSync(outDir)
  ? readdirSync(outDir, { withFileTypes: true })
      .filter((d) => d.isFile() && d.name.endsWith('.js'))
      .map((d) => d.name)
      .filter((f) => only.length === 0 || only.includes(basename(f, '.js')))
      .sort()
  : [];

const normalize = (text) =>
  text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trimEnd();

function runOne(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(outDir, file)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

let passed = 0;
let failed = 0;
for (const file of files) {
  const name = basename(file, '.js');
  const { code, signal, stdout, stderr, timedOut } = await runOne(file);
  const problems = [];
  if (timedOut) problems.push(`timed out after ${TIMEOUT_MS} ms`);
  else if (code !== 0) problems.push(`exited with ${code ?? signal}`);
  const expectedPath = join(root, 'samples', `${name}.expected.txt`);
  if (!timedOut && existsSync(expectedPath)) {
    const expected = normalize(readFileSync(expectedPath, 'utf8'));
    const actual = normalize(stdout);
    if (expected !== actual) {
      problems.push(
        `stdout differs from samples/${name}.expected.txt\n--- expected\n${expected}\n--- actual\n${actual}`,
      );
    }
  }
  if (problems.length === 0) {
    passed++;
    console.log(`ok ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}`);
    for (const p of problems) console.log(`  ${p.replace(/\n/g, '\n  ')}`);
    if (stderr.trim()) console.log(`  --- stderr\n  ${stderr.trimEnd().replace(/\n/g, '\n  ')}`);
  }
}

// The sample service's CPU endpoints (threads) are checked over HTTP on the built service: Jest
// runs it from sources, where its thread module does not exist (scripts/check-sample-cpu.mjs).
if (only.length === 0 || only.includes('nest-service-cpu')) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/check-sample-cpu.mjs')], {
    cwd: root,
    stdio: 'inherit',
    timeout: 120_000,
  });
  if (r.status === 0) passed++;
  else {
    failed++;
    if (r.status === null) console.log('FAIL nest-service /cpu: timed out');
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
