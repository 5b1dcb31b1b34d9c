// Type checks that need the build (run by `npm test` after `npm run build`):
// 1. exactOptionalPropertyTypes (issue 15 item 2): test/types/exact-optional against dist/.
// 2. Type resolution matrix (issue 15 item 3): test/types/resolution/consumer.ts, compiled against
//    the package as `npm pack` would ship it (extracted into a temp node_modules/gorx), as a
//    CommonJS and as an ES module project, under moduleResolution node10, node16, nodenext and
//    bundler, with each TypeScript devDependency (typescript-5.0, -5.4, -5.9 aliases and the
//    repo's own typescript 6.x). Exits non-zero on the first failure, printing tsc's output.
//
//   node scripts/check-types.mjs [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function tsc(compiler, project) {
  const r = spawnSync(process.execPath, [require.resolve(`${compiler}/bin/tsc`), '-p', project], {
    encoding: 'utf8',
  });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

/**
 * Compiles `file` once per options object with the TypeScript package `compiler`, in this
 * process, parsing each declaration file once per format (the settings share @types/node, rxjs
 * and Nest's declarations): a few seconds per compiler instead of one tsc start per setting.
 */
function compileAll(compiler, file, optionsList) {
  const ts = require(compiler);
  const cache = new Map();
  return optionsList.map((json) => {
    const { options, errors } = ts.convertCompilerOptionsFromJson(json, dirname(file));
    if (errors.length > 0) return { ok: false, out: ts.formatDiagnostics(errors, formatHost(ts)) };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, languageVersion, ...rest) => {
      const key = `${name}\0${JSON.stringify(languageVersion)}`;
      if (!cache.has(key)) cache.set(key, getSourceFile(name, languageVersion, ...rest));
      return cache.get(key);
    };
    const program = ts.createProgram([file], options, host);
    const diagnostics = ts.getPreEmitDiagnostics(program);
    return { ok: diagnostics.length === 0, out: ts.formatDiagnostics(diagnostics, formatHost(ts)) };
  });
}

function formatHost(ts) {
  return {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => ts.sys.newLine,
  };
}

// 1. exactOptionalPropertyTypes.
const exact = tsc('typescript', join(root, 'test/types/exact-optional'));
if (!exact.ok) {
  console.error(`exactOptionalPropertyTypes type test failed:\n${exact.out}`);
  process.exit(1);
}
console.log('types: exactOptionalPropertyTypes: every options type accepts undefined');

// 2. The resolution matrix.
const work = mkdtempSync(join(tmpdir(), 'gorx-types-'));
let failed = 0;
try {
  const tgz = execFileSync(
    npm,
    ['pack', '--silent', '--ignore-scripts', '--pack-destination', work],
    {
      cwd: root,
      encoding: 'utf8',
    },
  )
    .trim()
    .split('\n')
    .pop();
  const modules = join(work, 'node_modules');
  mkdirSync(join(modules, 'gorx'), { recursive: true });
  execFileSync('tar', [
    'xzf',
    join(work, tgz),
    '-C',
    join(modules, 'gorx'),
    '--strip-components=1',
  ]);
  // The peers and @types, as a user's install would have them.
  for (const dep of ['rxjs', '@nestjs', 'reflect-metadata', '@types', 'tslib', 'pg', 'croner']) {
    try {
      symlinkSync(join(root, 'node_modules', dep), join(modules, dep), 'dir');
    } catch {
      // not installed in the repo: not needed
    }
  }
  const consumer = readFileSync(join(root, 'test/types/resolution/consumer.ts'), 'utf8');
  for (const type of ['commonjs', 'module']) {
    mkdirSync(join(work, type), { recursive: true });
    writeFileSync(join(work, type, 'package.json'), JSON.stringify({ type }));
    writeFileSync(join(work, type, 'consumer.ts'), consumer);
  }
  const settings = [
    ['node10', 'commonjs', { module: 'commonjs', moduleResolution: 'node10' }],
    ['node16', 'commonjs', { module: 'node16', moduleResolution: 'node16' }],
    ['node16', 'module', { module: 'node16', moduleResolution: 'node16' }],
    ['nodenext', 'commonjs', { module: 'nodenext', moduleResolution: 'nodenext' }],
    ['nodenext', 'module', { module: 'nodenext', moduleResolution: 'nodenext' }],
    ['bundler', 'module', { module: 'esnext', moduleResolution: 'bundler' }],
  ];
  const compilers = ['typescript-5.0', 'typescript-5.4', 'typescript-5.9', 'typescript'];
  const rows = [];
  for (const compiler of compilers) {
    const version = JSON.parse(
      readFileSync(require.resolve(`${compiler}/package.json`), 'utf8'),
    ).version;
    const major = Number(version.split('.')[0]);
    const row = [`TypeScript ${version}`];
    for (const type of ['commonjs', 'module']) {
      const mine = settings.filter(([, t]) => t === type);
      const results = compileAll(
        compiler,
        join(work, type, 'consumer.ts'),
        mine.map(([resolution, , options]) => ({
          ...options,
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          esModuleInterop: true,
          types: ['node'],
          typeRoots: [join(modules, '@types')],
          // TypeScript 6 deprecates node10 resolution; users who keep it set this.
          ...(major >= 6 && resolution === 'node10' ? { ignoreDeprecations: '6.0' } : {}),
        })),
      );
      results.forEach((r, i) => {
        row[1 + settings.indexOf(mine[i])] = r.ok ? 'ok' : 'FAIL';
        if (!r.ok) {
          failed++;
          console.error(`\n${compiler} ${version}, ${mine[i][0]}, ${type} package:\n${r.out}`);
        }
      });
    }
    rows.push(row);
  }
  const header = [
    '',
    ...settings.map(([res, type]) => `${res} ${type === 'module' ? 'ESM' : 'CJS'}`),
  ];
  for (const row of [header, ...rows])
    console.log(row.map((c, i) => c.padEnd(i === 0 ? 20 : 16)).join(''));
} finally {
  if (process.argv.includes('--keep')) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
if (failed > 0) {
  console.error(`types: ${failed} resolution setting(s) failed`);
  process.exit(1);
}
console.log('types: gorx resolves in every setting of the matrix');
