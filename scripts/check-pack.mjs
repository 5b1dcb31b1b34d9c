// Checks what `npm pack` would publish (issue 15 item 4), after `npm run build`:
// - every exports target (each condition), `main`, `types` and `typesVersions` target is packed;
// - every source map and declaration map names sources that are packed (stack traces under
//   --enable-source-maps and "go to definition" land on real files);
// - LICENSE (MIT) is packed;
// - the README's links work from the npm page: a link to a packed file is absolute, to
//   https://unpkg.com/gorx@<version>/<path> (npm renders relative links against a repository,
//   and gorx has none), and <path> is packed;
// - relative links inside packed docs resolve to packed files;
// - no tests, build info or dist-aux.
//
//   node scripts/check-pack.mjs            # check
//   node scripts/check-pack.mjs --fix-links  # rewrite README links to the current version
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const base = `https://unpkg.com/${pkg.name}@${pkg.version}/`;
const problems = [];

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const [packed] = JSON.parse(
  execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
  }),
);
const files = new Set(packed.files.map((f) => f.path));
const has = (path) => files.has(normalize(path).replaceAll('\\', '/').replace(/^\.\//, ''));

// Exports and the fields older resolvers read.
const targets = [pkg.main, pkg.types];
const walk = (t) => (typeof t === 'string' ? targets.push(t) : Object.values(t).forEach(walk));
walk(pkg.exports);
for (const list of Object.values(pkg.typesVersions?.['*'] ?? {})) targets.push(...list);
for (const t of targets) if (!has(t)) problems.push(`package.json names ${t}, which is not packed`);

// Maps.
let maps = 0;
for (const f of files) {
  if (!f.endsWith('.map')) continue;
  maps++;
  const map = JSON.parse(readFileSync(join(root, f), 'utf8'));
  for (const s of map.sources) {
    const source = join(dirname(f), map.sourceRoot ?? '', s);
    if (!has(source)) problems.push(`${f} points at ${source}, which is not packed`);
  }
}

// LICENSE.
if (!has('LICENSE')) problems.push('no LICENSE in the package');
else if (
  !/^MIT License/.test(readFileSync(join(root, 'LICENSE'), 'utf8')) ||
  pkg.license !== 'MIT'
) {
  problems.push('LICENSE and package.json "license" must both say MIT');
}

// README links: [text](target).
const LINK = /\]\(([^)\s]+)\)/g;
const readmePath = join(root, 'README.md');
let readme = readFileSync(readmePath, 'utf8');
if (process.argv.includes('--fix-links')) {
  readme = readme.replace(
    new RegExp(`\\]\\(https://unpkg\\.com/${pkg.name}@[^/]+/`, 'g'),
    `](${base}`,
  );
  readme = readme.replace(LINK, (whole, target) =>
    /^[a-z]+:|^#/.test(target) ? whole : `](${base}${target.replace(/^\.\//, '')})`,
  );
  writeFileSync(readmePath, readme);
}
for (const [, target] of readme.matchAll(LINK)) {
  if (target.startsWith('#')) continue;
  if (target.startsWith('https://unpkg.com/')) {
    if (!target.startsWith(base))
      problems.push(`README links ${target}: use ${base}... (--fix-links)`);
    else if (!has(target.slice(base.length).split('#')[0]))
      problems.push(`README links ${target}, not packed`);
  } else if (!/^[a-z]+:/.test(target)) {
    problems.push(`README links ${target} relatively: broken on the npm page (--fix-links)`);
  }
}

// Relative links inside packed markdown.
for (const f of files) {
  if (!f.endsWith('.md') || f === 'README.md') continue;
  for (const [, target] of readFileSync(join(root, f), 'utf8').matchAll(LINK)) {
    if (/^[a-z]+:|^#/.test(target)) continue;
    const path = join(dirname(f), target.split('#')[0]);
    if (!has(path)) problems.push(`${f} links ${target} (${path}), which is not packed`);
  }
}

// Nothing that is not part of the product.
for (const f of files) {
  if (/\.test\.ts$|\.tsbuildinfo$|^dist-aux\/|^test\//.test(f))
    problems.push(`${f} should not be packed`);
}

if (problems.length > 0) {
  console.error(`check-pack: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `check-pack: ${files.size} files (${Math.round(packed.size / 1024)} kB packed), ${maps} maps with their sources, ` +
    `${targets.length} entry targets, README links to ${base}`,
);
