// Type-checks every fenced ```ts block found in TSDoc comments (/** ... */) of the public sources
// (src/, adapters/, nest-module/, cluster/; `internal/` folders are skipped), in README.md and in docs/*.md. Each block becomes its own
// module .doc-examples/<file>-<n>.ts (with `export {}` so top-level await works) and is compiled
// with `tsc --noEmit` through a tsconfig extending the root one (same `paths`), so
// `import { chan } from 'gorx'` resolves to the source. Fails, naming the source file and line of each broken example.
// Then scripts/run-doc-examples.mjs runs them and checks their `console.log(x); // output` claims
// (a fence written ```ts no-run is type-checked only).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, '.doc-examples');
const sourceDirs = ['src', 'adapters', 'nest-module', 'threads', 'cluster'];

function listSources(dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
    .filter((f) => !f.split(sep).includes('internal'))
    .sort();
}

/**
 * A TypeScript fence: ```ts or ```typescript, optionally ```ts no-run for an example that is
 * type-checked but not run by scripts/run-doc-examples.mjs (it needs a server, never ends, ...).
 */
const FENCE = /^```\s*(ts|typescript)(\s+no-run)?\s*$/;

/** Returns `{ line, code, run }` for every ```ts / ```typescript fence inside a /** comment. */
function extractExamples(text) {
  const examples = [];
  const lines = text.split(/\r?\n/);
  let inDoc = false;
  let fence = null; // { line, body: string[] } while inside a ts fence
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (!inDoc) {
      if (/^\s*\/\*\*/.test(raw) && !/\*\/\s*$/.test(raw.replace(/^\s*\/\*\*/, ''))) inDoc = true;
      continue;
    }
    if (/^\s*\*\/\s*$/.test(raw) || (!fence && /\*\/\s*$/.test(raw))) {
      inDoc = false;
      fence = null;
      continue;
    }
    // Strip the leading ` * ` (or ` *`) of a TSDoc line.
    const content = raw.replace(/^\s*\* ?/, '');
    if (!fence) {
      const m = FENCE.exec(content.trim());
      if (m) fence = { line: i + 2, body: [], run: m[2] === undefined };
    } else if (/^```\s*$/.test(content.trim())) {
      examples.push({ line: fence.line, code: fence.body.join('\n'), run: fence.run });
      fence = null;
    } else {
      fence.body.push(content);
    }
  }
  return examples;
}

/** Returns `{ line, code }` for every ```ts / ```typescript fence of a Markdown file. */
function extractMarkdownExamples(text) {
  const examples = [];
  const lines = text.split(/\r?\n/);
  let fence = null;
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (!fence) {
      const m = FENCE.exec(trimmed);
      if (m) fence = { line: i + 2, body: [], run: m[2] === undefined };
    } else if (/^```\s*$/.test(trimmed)) {
      examples.push({ line: fence.line, code: fence.body.join('\n'), run: fence.run });
      fence = null;
    } else {
      fence.body.push(lines[i]);
    }
  }
  return examples;
}

/** README.md and docs/*.md: the prose users read first must compile too. */
function listMarkdown() {
  const docs = existsSync(join(root, 'docs'))
    ? readdirSync(join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => join('docs', f))
    : [];
  return ['README.md', ...docs.sort()].filter((f) => existsSync(join(root, f)));
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const origin = new Map(); // example file name -> "source:line"
const runnable = []; // example file names not marked no-run
for (const source of [...sourceDirs.flatMap(listSources), ...listMarkdown()]) {
  const text = readFileSync(join(root, source), 'utf8');
  const examples = source.endsWith('.md') ? extractMarkdownExamples(text) : extractExamples(text);
  examples.forEach((ex, n) => {
    const name = `${source
      .replace(/\.(ts|md)$/, '')
      .split(sep)
      .join('__')}-${n + 1}.ts`;
    writeFileSync(
      join(outDir, name),
      `// From ${source.split(sep).join('/')}:${ex.line}\n${ex.code}\n\nexport {};\n`,
    );
    origin.set(name, `${source.split(sep).join('/')}:${ex.line}`);
    if (ex.run) runnable.push(name);
  });
}
// scripts/run-doc-examples.mjs runs these after the type-check.
writeFileSync(
  join(outDir, 'examples.json'),
  JSON.stringify({ origin: Object.fromEntries(origin), runnable }, null, 2),
);

if (origin.size === 0) {
  console.log('checked 0 doc examples');
  process.exit(0);
}

writeFileSync(
  join(outDir, 'tsconfig.json'),
  JSON.stringify(
    {
      extends: '../tsconfig.json',
      compilerOptions: {
        noEmit: true,
        rootDir: '..',
        types: ['node'],
        // Examples may declare values only to show a type; don't fail them for that.
        noUnusedLocals: false,
        noUnusedParameters: false,
      },
      include: ['./*.ts'],
      exclude: [],
    },
    null,
    2,
  ),
);

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(
  process.execPath,
  [tsc, '--noEmit', '--pretty', 'false', '-p', join(outDir, 'tsconfig.json')],
  {
    cwd: root,
    encoding: 'utf8',
  },
);
if (r.status !== 0) {
  const out = `${r.stdout}${r.stderr}`;
  const failed = new Set();
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    const m = /^\.doc-examples[\\/]([^(]+)\((\d+),(\d+)\)/.exec(line);
    if (m && origin.has(m[1])) {
      failed.add(m[1]);
      // Example line 1 is the "// From" header, so example line k is source line (start + k - 2).
      const [src, start] = origin.get(m[1]).split(/:(?=\d+$)/);
      const srcLine = Number(start) + Number(m[2]) - 2;
      console.error(
        `${src}:${srcLine} (doc example ${m[1]}): ${line.slice(m[0].length).replace(/^:\s*/, '')}`,
      );
    } else {
      console.error(line);
    }
  }
  console.error(`doc examples failed to type-check: ${failed.size} of ${origin.size}`);
  for (const name of failed) console.error(`  FAIL ${origin.get(name)} (.doc-examples/${name})`);
  process.exit(1);
}
console.log(`checked ${origin.size} doc examples`);
