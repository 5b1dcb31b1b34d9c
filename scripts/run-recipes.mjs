// Runs the test-runner recipes of docs/testing.md (issue 15 item 6), after `npm run build`:
// - each recipe file in test/recipes/ must appear verbatim as a ```ts block of docs/testing.md
//   (so the doc shows exactly what runs; docs:check type-checks the blocks);
// - the Vitest recipe runs with `vitest run`, the node:test recipe with `node --test` (compiled
//   by esbuild; `gorx` resolves to the build through the package's exports map). The Jest recipe
//   runs with the unit tests (test/recipes/*.test.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const doc = readFileSync(join(root, 'docs/testing.md'), 'utf8');
const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const recipes = readdirSync(join(root, 'test/recipes')).filter((f) => f.endsWith('.ts'));
for (const f of recipes) {
  const text = readFileSync(join(root, 'test/recipes', f), 'utf8');
  if (!blocks.includes(text)) {
    console.error(
      `docs/testing.md has no \`\`\`ts block equal to test/recipes/${f}: copy the file into it`,
    );
    process.exit(1);
  }
}

function run(title, cmd, args) {
  console.log(`> ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run('vitest recipe', process.execPath, [
  join(root, 'node_modules/vitest/vitest.mjs'),
  'run',
  '--config',
  'test/recipes/vitest.config.mjs',
  '--root',
  '.',
]);
const out = join(root, 'dist-aux/recipes/node-test-mock-timers.mjs');
buildSync({
  entryPoints: [join(root, 'test/recipes/node-test-mock-timers.ts')],
  outfile: out,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
run('node:test recipe', process.execPath, ['--test', '--test-reporter=spec', out]);
console.log(`recipes: ${recipes.length} in docs/testing.md, run by Jest, Vitest and node:test`);
