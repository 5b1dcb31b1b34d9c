// Jest 30 in native ESM mode (run through `node --experimental-vm-modules`, see package.json).
// @swc/jest compiles TypeScript with legacy decorators + decorator metadata (needed by Nest).
// In test files, take `jest`, `expect`, `describe`, ... from '@jest/globals': in ESM mode the
// `jest` object is not an injected global.

const swcConfig = {
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcConfig],
  },
  moduleNameMapper: {
    // Package self-imports resolve to SOURCE so tests, adapters and the Nest module share one
    // instance of the core module.
    '^gorx$': '<rootDir>/src/index.ts',
    '^gorx/async-iterable$': '<rootDir>/adapters/async-iterable/index.ts',
    '^gorx/rxjs$': '<rootDir>/adapters/rxjs/index.ts',
    '^gorx/nest$': '<rootDir>/nest-module/index.ts',
    '^gorx/threads$': '<rootDir>/threads/index.ts',
    '^gorx/cluster$': '<rootDir>/cluster/index.ts',
    // nodenext-style `./x.js` specifiers point at `./x.ts` sources.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/dist-aux/', '<rootDir>/.doc-examples/'],
};
