// The Nest 11 starter check (issue 15 item 1): a project laid out like `nest new` on Nest 11
// (test/starter-nest11: CommonJS output, tsconfig module nodenext, Jest + ts-jest, TypeScript 5.x)
// installs the packed gorx from `npm pack` output plus its own dependencies from the registry,
// then runs its own `tsc`, its app (`node dist/main`) and its own `jest`, with no configuration
// change. It also checks that one process loading gorx by require() and by import() holds one copy.
//
//   node scripts/check-starter.mjs [--no-build] [--node /path/to/node ...] [--keep]
//
// Each --node runs the app, the dual-load check and jest again under that Node binary (the
// install and tsc run once, under the Node running this script). Run by .ci/run (it needs the
// registry), not by `npm test`.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const nodes = [process.execPath];
for (let i = 0; i < args.length; i++) if (args[i] === '--node') nodes.push(args[++i]);
const work = mkdtempSync(join(tmpdir(), 'gorx-starter-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function step(title) {
  console.log(`\n== ${title}`);
}
/** Runs a command; returns its stdout; throws (with its output) when it fails. */
function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', ...opts });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) {
    console.log(out);
    throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status ?? r.signal}`);
  }
  return r;
}

try {
  if (!args.includes('--no-build')) {
    step('build gorx');
    run(npm, ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  }
  step(`npm pack (into ${work})`);
  const tgz = execFileSync(npm, ['pack', '--silent', '--pack-destination', work], {
    cwd: root,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop();
  const app = join(work, 'app');
  cpSync(join(root, 'test', 'starter-nest11'), app, { recursive: true });

  step('npm install (the starter dependencies from the registry, gorx from the tarball)');
  run(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', join(work, tgz)], {
    cwd: app,
    stdio: 'inherit',
  });
  const versions = run(npm, ['ls', '--depth=0'], { cwd: app }).stdout;
  console.log(versions.trim());

  step(
    `tsc -p tsconfig.build.json (the starter's own TypeScript ${run(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '--version'], { cwd: app }).stdout.trim()})`,
  );
  run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: app,
    stdio: 'inherit',
  });
  // The specs type-check too (ts-jest reports type errors as failures, this says where).
  run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'], {
    cwd: app,
    stdio: 'inherit',
  });

  writeFileSync(
    join(app, 'dual.cjs'),
    `// One process, gorx loaded by require() and by import(): one copy (require(esm)).
const viaRequire = require('gorx');
const nest = require('gorx/nest');
import('gorx').then(async (viaImport) => {
  if (viaRequire !== viaImport) throw new Error('require("gorx") and import("gorx") gave two copies');
  const ch = viaRequire.chan(1);
  ch.trySend('shared');
  const r = await viaImport.select([viaImport.recv(ch)]);
  if (r.value !== 'shared') throw new Error('select across require/import failed');
  if (typeof nest.GorxModule !== 'function') throw new Error('gorx/nest by require() has no GorxModule');
  console.log('one copy');
});
`,
  );
  writeFileSync(
    join(app, 'dual-refused.cjs'),
    `// require(esm) turned off: require() loads the CommonJS copy; mixing copies fails clearly.
const viaRequire = require('gorx');
import('gorx').then(async (viaImport) => {
  try {
    await viaImport.select([viaImport.recv(viaRequire.chan(1))]);
    throw new Error('a channel of the CommonJS copy was accepted by the ES module copy');
  } catch (e) {
    if (!/different copy of gorx/.test(e.message)) throw e;
    console.log('refused: ' + e.message.slice(0, 60));
  }
});
`,
  );

  for (const node of nodes) {
    const version = run(node, ['--version']).stdout.trim();
    step(`node ${version}: app (node dist/main)`);
    const main = run(node, ['dist/main'], { cwd: app }).stdout.trim();
    console.log(main);
    if (main !== 'results: A,B') throw new Error(`dist/main printed ${JSON.stringify(main)}`);

    step(`node ${version}: require() and import() of gorx in one process`);
    const dual = run(node, ['dual.cjs'], { cwd: app }).stdout.trim();
    if (dual !== 'one copy') throw new Error(`dual.cjs printed ${JSON.stringify(dual)}`);
    console.log(dual);
    const refused = run(node, ['--no-experimental-require-module', 'dual-refused.cjs'], {
      cwd: app,
    });
    if (!refused.stdout.startsWith('refused: '))
      throw new Error(`dual-refused.cjs: ${refused.stdout}`);
    if (!refused.stderr.includes('GORX_DUPLICATE_COPY'))
      throw new Error('no GORX_DUPLICATE_COPY warning');
    console.log(`${refused.stdout.trim()}... (and a GORX_DUPLICATE_COPY warning)`);

    step(`node ${version}: jest (the starter's config: ts-jest, CommonJS)`);
    run(
      node,
      [
        'node_modules/jest/bin/jest.js',
        '--ci',
        '--cacheDirectory',
        join(work, `jest-cache-${version}`),
      ],
      {
        cwd: app,
        stdio: 'inherit',
      },
    );
  }
  step(`starter check passed under ${nodes.length} Node version(s)`);
} finally {
  if (args.includes('--keep')) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
