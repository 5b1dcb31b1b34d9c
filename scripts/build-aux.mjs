// Builds the library (dist/) and then samples/ + bench/ (dist-aux/).
// The aux build resolves `gorx`, `gorx/rxjs`, ... through the package's exports map (self-reference),
// i.e. against the freshly built dist/, exactly as a user's project would. tsc (not esbuild/tsx)
// compiles them because the Nest sample needs `emitDecoratorMetadata`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function hasTs(dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return false;
  return readdirSync(abs, { recursive: true }).some((f) => String(f).endsWith('.ts'));
}

function run(project) {
  console.log(`> tsc -p ${project}`);
  const r = spawnSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const skipCore = process.argv.includes('--skip-core');
if (!skipCore) {
  run('tsconfig.build.json');
  // The CommonJS side (dist/require, dist/cjs) is derived from the ESM build: keep it in step.
  const r = spawnSync(process.execPath, [join(root, 'scripts/build-cjs.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
rmSync(join(root, 'dist-aux'), { recursive: true, force: true });
if (hasTs('samples') || hasTs('bench')) run('tsconfig.aux.json');
else console.log('build-aux: no samples/ or bench/ sources, nothing to build');
