// The public surface of every entry point, as API Extractor reports (api/<entry>.api.md).
//
//   node scripts/api-report.mjs           # check: fails when dist/'s surface differs from api/
//   node scripts/api-report.mjs --update  # rewrite api/*.api.md (npm run api:update)
//
// The entry points are read from package.json `exports` (every key but ./package.json), so an
// entry point added by another branch (gorx/threads, gorx/cluster) gets its report on the next
// `npm run api:update` without editing this script. Needs `npm run build` first (it reads the
// .d.ts files under dist/).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const update = process.argv.includes('--update');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const reportFolder = join(root, 'api');
const tempFolder = join(root, 'dist-aux', 'api-temp');
mkdirSync(reportFolder, { recursive: true });
mkdirSync(tempFolder, { recursive: true });

/** `.` -> `gorx`, `./rxjs` -> `gorx-rxjs`: the report's file name. */
const reportName = (key) =>
  key === '.' ? pkg.name : `${pkg.name}-${key.slice(2).replace(/\//g, '-')}`;

const entries = Object.entries(pkg.exports)
  .filter(([key]) => key !== './package.json')
  .map(([key, target]) => ({
    key,
    types: join(root, (target.import ?? target).types),
    name: reportName(key),
  }));

let failed = 0;
for (const entry of entries) {
  if (!existsSync(entry.types)) {
    console.error(`api-report: ${entry.types} is missing: run \`npm run build\` first`);
    failed++;
    continue;
  }
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: entry.types,
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2022',
            lib: ['ES2022'],
            module: 'nodenext',
            moduleResolution: 'nodenext',
            skipLibCheck: true,
            types: ['node'],
          },
          files: [entry.types],
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: `${entry.name}.api.md`,
        reportFolder,
        reportTempFolder: tempFolder,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // The report is the check; TSDoc style is docs:check's job.
        extractorMessageReporting: {
          default: { logLevel: 'none' },
          'ae-missing-release-tag': { logLevel: 'none' },
        },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
        compilerMessageReporting: { default: { logLevel: 'warning' } },
      },
    },
    configObjectFullPath: join(root, 'api', 'api-extractor.json'),
    packageJsonFullPath: join(root, 'package.json'),
  });
  const result = Extractor.invoke(config, {
    localBuild: update,
    showVerboseMessages: false,
    messageCallback: (m) => {
      // "You have changed the public API signature": reported below in our own words.
      if (m.messageId === 'console-api-report-changed') m.logLevel = 'none';
    },
  });
  if (result.apiReportChanged && !update) {
    console.error(
      `api-report: the public surface of '${entry.key === '.' ? pkg.name : `${pkg.name}/${entry.key.slice(2)}`}' ` +
        `changed. If that is intended, run \`npm run api:update\` and commit api/${entry.name}.api.md ` +
        `(diff: ${join('dist-aux', 'api-temp', `${entry.name}.api.md`)}).`,
    );
    failed++;
  } else if (!result.succeeded) {
    console.error(`api-report: API Extractor failed on ${entry.types}`);
    failed++;
  } else if (update && result.apiReportChanged) {
    console.log(`api-report: updated api/${entry.name}.api.md`);
  }
}

// A report whose entry point was removed from `exports` is stale.
const known = new Set(entries.map((e) => `${e.name}.api.md`));
for (const f of readdirSync(reportFolder).filter((f) => f.endsWith('.api.md'))) {
  if (known.has(f)) continue;
  if (update) {
    rmSync(join(reportFolder, f));
    console.log(`api-report: removed api/${f} (no such entry point)`);
  } else {
    console.error(`api-report: api/${f} has no entry point in package.json exports`);
    failed++;
  }
}

if (failed > 0) process.exit(1);
console.log(
  `api-report: ${entries.length} entry points ${update ? 'written' : 'match api/*.api.md'}`,
);
