// `npm run test:browser`: the worker board in a real headless Chromium (Debian's `chromium`,
// driven by playwright-core; no browser download). Not part of `npm test`, which must run
// without a browser. Set CHROMIUM_PATH if the browser is not /usr/bin/chromium.
import base from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  testMatch: ['<rootDir>/test/browser/**/*.browser.ts'],
  testTimeout: 60_000,
};
