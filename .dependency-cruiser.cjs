// The direction of dependencies in gorx, checked by `npm run deps:check` (part of `npm test`):
//
//   src/internal  <-  src  <-  adapters/*, threads/, cluster/  <-  nest-module/
//
// with two leaves under src/ that every layer may import: src/types.ts (public types) and
// src/errors.ts (the error classes internals throw).
// Type-only imports count (tsPreCompilationDeps): a type cycle today is a value cycle tomorrow.
// Outside the core, the core is reached only through its public barrel (`gorx`, mapped by the
// tsconfig paths to src/index.ts), and one entry point reaches another only through its barrel.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles (type-only ones included) are not allowed anywhere.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'internal-never-imports-upward',
      severity: 'error',
      comment:
        'src/internal is the bottom layer: besides itself it imports only the leaf modules of ' +
        'public types and errors (src/types.ts, src/errors.ts), never the public API files.',
      from: { path: '^src/internal/' },
      to: {
        path: '^(src/|adapters/|threads/|cluster/|nest-module/)',
        pathNot: '^src/(internal/|types\\.ts$|errors\\.ts$)',
      },
    },
    {
      name: 'public-leaves-stay-leaves',
      severity: 'error',
      comment:
        'src/types.ts and src/errors.ts are leaves (everything may import them): they import ' +
        'only each other.',
      from: { path: '^src/(types|errors)\\.ts$' },
      to: {
        path: '^(src|adapters|threads|cluster|nest-module)/',
        pathNot: '^src/(types|errors)\\.ts$',
      },
    },
    {
      name: 'core-imports-no-outer-layer',
      severity: 'error',
      comment: 'src/ never imports an adapter, threads, cluster or the Nest module.',
      from: { path: '^src/' },
      to: { path: '^(adapters|threads|cluster|nest-module)/' },
    },
    {
      name: 'core-has-no-runtime-dependencies',
      severity: 'error',
      comment: 'gorx (src/) has zero npm dependencies: only node: built-ins.',
      from: { path: '^src/' },
      to: {
        dependencyTypes: [
          'npm',
          'npm-dev',
          'npm-peer',
          'npm-optional',
          'npm-no-pkg',
          'npm-unknown',
        ],
      },
    },
    {
      name: 'outer-layers-use-the-public-core',
      severity: 'error',
      comment:
        'adapters/, threads/, cluster/ and nest-module/ reach the core only through `gorx` ' +
        '(src/index.ts), never a core file or src/internal.',
      from: { path: '^(adapters|threads|cluster|nest-module)/' },
      to: { path: '^src/', pathNot: '^src/index\\.ts$' },
    },
    {
      name: 'adapters-threads-cluster-do-not-import-nest',
      severity: 'error',
      comment: 'nest-module/ is the top layer.',
      from: { path: '^(adapters|threads|cluster)/' },
      to: { path: '^nest-module/' },
    },
    {
      name: 'entry-points-meet-only-through-barrels',
      severity: 'error',
      comment:
        'An adapter (or threads/, cluster/) imports another entry point only through its public ' +
        'barrel; adapters/internal is shared by the adapters and by nobody else.',
      from: { path: '^(adapters/[^/]+|threads|cluster)/' },
      to: {
        path: '^(adapters/[^/]+|threads|cluster)/',
        pathNot: ['^$1/', '^adapters/internal/', '^(adapters/[^/]+|threads|cluster)/index\\.ts$'],
      },
    },
    {
      name: 'adapters-internal-only-for-adapters',
      severity: 'error',
      from: { pathNot: '^adapters/' },
      to: { path: '^adapters/internal/' },
    },
    {
      name: 'threads-and-cluster-depend-on-the-core-only',
      severity: 'error',
      comment: 'API.md: gorx/threads and gorx/cluster depend on `gorx` only (plus pg for cluster).',
      from: { path: '^(threads|cluster)/' },
      to: { path: '^adapters/' },
    },
    {
      name: 'nest-uses-public-barrels',
      severity: 'error',
      comment: 'nest-module/ imports gorx, gorx/rxjs, gorx/threads, gorx/cluster by their barrels.',
      from: { path: '^nest-module/' },
      to: {
        path: '^(adapters|threads|cluster)/',
        pathNot: '^(adapters/[^/]+|threads|cluster)/index\\.ts$',
      },
    },
    {
      name: 'src-never-imports-rxjs-or-nest',
      severity: 'error',
      from: { path: '^(src|threads|cluster)/' },
      to: { path: '(^|/)node_modules/(rxjs|@nestjs)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // The layers; threads/ and cluster/ are checked as soon as they exist.
    includeOnly: '^(src|adapters|threads|cluster|nest-module)/|(^|/)node_modules/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    exclude: { path: '^(dist|dist-aux|.doc-examples)/' },
  },
};
