// package.json says `"sideEffects": false`: a bundler may then drop any gorx module whose exports
// a program does not use. These tests bundle programs with esbuild honouring that claim and check
// that nothing gorx needs at run time was dropped (once, the deadlock reporter of the goroutine
// runtime was installed when its module loaded: esbuild dropped that module, and every deadlock
// report said "main program" instead of naming the goroutines).
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, root, runScript } from '../helpers/bundle.js';

const normalize = (text: string): string =>
  text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trimEnd();

describe('sideEffects: what a bundler may drop', () => {
  it('a tree-shaken bundle reports a deadlock exactly as the sources do, naming each blocked goroutine', async () => {
    const fixture = 'test/fixtures/deadlock-report.mjs';
    const [plain, shaken] = await Promise.all([
      bundle(fixture, { tag: '-side-effects' }).then((f) => runScript(f)),
      bundle(fixture, { respectSideEffects: true }).then((f) => runScript(f)),
    ]);
    expect(plain.stderr).toMatch(/goroutine \d+ "worker" \[blocked, \d+ ms\]: recv on chan "jobs"/);
    const report = (stderr: string): string[] =>
      stderr
        .split('\n')
        .filter((l) => /^(goroutine \d+|main program:)/.test(l))
        .map((l) => l.replace(/\d+ ms/, 'N ms'));
    expect({ code: shaken.code, report: report(shaken.stderr) }).toEqual({
      code: plain.code,
      report: report(plain.stderr),
    });
  }, 30_000);

  it('a sample bundled with tree shaking prints its expected output', async () => {
    const run = await runScript(
      await bundle('samples/quick-start.ts', { respectSideEffects: true }),
    );
    const expected = readFileSync(join(root, 'samples/quick-start.expected.txt'), 'utf8');
    expect({ code: run.code, stdout: normalize(run.stdout) }).toEqual({
      code: 0,
      stdout: normalize(expected),
    });
  }, 30_000);
});
