// The CommonJS side of the package, built from the ESM build in dist/ (run after `tsc`).
//
// Every entry in package.json `exports` has an `import` and a `require` condition. `require` points
// at a small shim (dist/require/<entry>.cjs) that loads the ESM build through require(esm) (built
// into Node 20.19+ and 22.12+), so a process that loads gorx both ways holds ONE copy of it. Only
// where require(esm) is refused (Jest's module runtime before Node 24.9, or Node run with
// --no-experimental-require-module) does the shim fall back to the CommonJS copy in dist/cjs/,
// transformed file by file from the ESM build. See docs/commonjs.md for the design.
//
// Everything is derived from the exports map, so a new entry point only needs its exports entry.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** [subpath, { esm, esmTypes, shim, cjsTypes }] for every code entry of the exports map. */
export function entries(exportsMap) {
  const out = [];
  for (const [subpath, target] of Object.entries(exportsMap)) {
    if (typeof target === 'string') continue; // ./package.json
    const { import: imp, require: req } = target;
    if (!imp?.default || !imp?.types || !req?.default || !req?.types) {
      throw new Error(
        `package.json exports["${subpath}"] needs import: { types, default } and require: { types, default }`,
      );
    }
    out.push([
      subpath,
      { esm: imp.default, esmTypes: imp.types, shim: req.default, cjsTypes: req.types },
    ]);
  }
  return out;
}

const list = entries(pkg.exports);
rmSync(join(dist, 'cjs'), { recursive: true, force: true });
rmSync(join(dist, 'require'), { recursive: true, force: true });

// 1. The CommonJS copy: every .js of the top-level folders the entries live in, one file each,
//    same layout under dist/cjs/ (relative imports keep working; `gorx/...` imports go through the
//    shims, so the copy's adapters use the copy's core). Declarations are copied beside them: in a
//    "type": "commonjs" folder TypeScript reads them as CommonJS declarations.
/** Relative specifier from the file `from` to `target` (both relative to the package root). */
function toShim(from, target) {
  const rel = relative(dirname(join(root, from)), join(root, target)).replaceAll('\\', '/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

const folders = [...new Set(list.map(([, e]) => e.esm.split('/')[2]))];
const jsFiles = [];
for (const folder of folders) {
  for (const f of readdirSync(join(dist, folder), { recursive: true })) {
    const file = join(dist, folder, String(f));
    if (file.endsWith('.js')) jsFiles.push(file);
    else if (file.endsWith('.d.ts')) {
      const to = join(dist, 'cjs', relative(dist, file));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(file, to);
    }
  }
}
const built = await build({
  entryPoints: jsFiles,
  write: false,
  outdir: join(dist, 'cjs'),
  outbase: dist,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  bundle: false,
  // `import.meta.url` of the CommonJS file itself (thread modules, createRequire).
  define: { 'import.meta.url': '__gorxImportMetaUrl' },
  banner: {
    js: '"use strict";\nconst __gorxImportMetaUrl = require("node:url").pathToFileURL(__filename).href;',
  },
  logLevel: 'warning',
});
// `gorx`, `gorx/rxjs`, ... go to the shims by relative path: dist/cjs/package.json is a package
// boundary, so the package's self-reference would not resolve from inside it.
const shimOf = new Map(
  list.map(([subpath, e]) => [subpath === '.' ? 'gorx' : `gorx/${subpath.slice(2)}`, e.shim]),
);
for (const out of built.outputFiles) {
  const text = out.text.replace(/require\("(gorx(?:\/[\w-]+)?)"\)/g, (whole, name) => {
    const shim = shimOf.get(name);
    if (shim === undefined) throw new Error(`${out.path}: ${whole} is not an entry point`);
    return `require(${JSON.stringify(toShim(relative(root, out.path), shim))})`;
  });
  mkdirSync(dirname(out.path), { recursive: true });
  writeFileSync(out.path, text);
}
writeFileSync(join(dist, 'cjs', 'package.json'), '{ "type": "commonjs" }\n');

// 2. The shims.
mkdirSync(join(dist, 'require'), { recursive: true });
writeFileSync(
  join(dist, 'require', 'load.cjs'),
  `'use strict';
// One copy of gorx per process: require() returns the ES module build (require(esm)). The
// CommonJS copy is used only where require(esm) is refused with ERR_REQUIRE_ESM: Jest's module
// runtime before Node 24.9, or Node run with --no-experimental-require-module.
exports.load = function load(esm, cjs) {
  try {
    return esm();
  } catch (error) {
    if (error !== null && typeof error === 'object' && error.code === 'ERR_REQUIRE_ESM') return cjs();
    throw error;
  }
};
`,
);
for (const [subpath, e] of list) {
  const cjsCopy = e.esm.replace(/^\.\/dist\//, './dist/cjs/');
  const name = subpath === '.' ? 'gorx' : `gorx/${subpath.slice(2)}`;
  writeFileSync(
    join(root, e.shim),
    `'use strict';
// require('${name}'): the ES module build when this runtime can require it, else the CommonJS copy.
module.exports = require('./load.cjs').load(
  () => require('${toShim(e.shim, e.esm)}'),
  () => require('${toShim(e.shim, cjsCopy)}'),
);
`,
  );
  if (e.cjsTypes !== e.esmTypes.replace(/^\.\/dist\//, './dist/cjs/')) {
    throw new Error(
      `exports["${subpath}"].require.types must be ${e.esmTypes.replace(/^\.\/dist\//, './dist/cjs/')}`,
    );
  }
}
console.log(`build-cjs: ${jsFiles.length} files -> dist/cjs, ${list.length} shims -> dist/require`);
