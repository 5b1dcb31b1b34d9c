// Keeps the exactOptionalPropertyTypes type test (test/types/exact-optional/options.ts) complete,
// and checks at run time that an explicit `undefined` option means "not given".
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { chan, go } from 'gorx';
import { resolveWorkerOptions } from '../../nest-module/internal/resolve-options.js';
import { expectNothingLeft } from '../helpers/leaks.js';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

/** Source index of every code entry point of the exports map. */
function entrySources(): string[] {
  const pkg = JSON.parse(read('package.json')) as {
    exports: Record<string, string | { import: { types: string } }>;
  };
  return Object.values(pkg.exports)
    .filter((t): t is { import: { types: string } } => typeof t !== 'string')
    .map((t) => t.import.types.replace(/^\.\/dist\//, './').replace(/\.d\.ts$/, '.ts'));
}

describe('options types under exactOptionalPropertyTypes', () => {
  it('the type test covers every options type each entry point exports', () => {
    const exported = new Set(entrySources().flatMap((f) => read(f).match(/\b\w+Options\b/g) ?? []));
    const test = read('test/types/exact-optional/options.ts');
    const listed = new Set(
      test.match(/^\s+(\w+): true satisfies/gm)?.map((l) => l.trim().split(':')[0]),
    );
    const skipped: string[] = /notChecked = \[([^\]]*)\]/.exec(test)?.[1].match(/\w+/g) ?? [];
    const missing = [...exported].filter((n) => !listed.has(n) && !skipped.includes(n));
    expect(missing).toEqual([]);
    expect(listed.size).toBeGreaterThan(20);
  });

  it('an explicit undefined worker option takes the default, like an omitted one', () => {
    const given = resolveWorkerOptions(
      'w',
      {
        heartbeatTimeoutMs: undefined,
        heartbeatTimeout: undefined,
        schedule: undefined,
        lifecycleLogLevel: undefined,
        restart: undefined,
        autoStart: undefined,
        backoff: { initialMs: 5, maxMs: 50, factor: undefined, jitter: undefined },
        maxRestarts: undefined,
      },
      { workerDefaults: { restart: undefined, backoff: undefined }, shutdownGraceMs: undefined },
    );
    const omitted = resolveWorkerOptions('w', { backoff: { initialMs: 5, maxMs: 50 } }, {});
    expect(given).toEqual(omitted);
  });

  it('core operations take { signal: undefined, name: undefined } as no signal, no name', async () => {
    const ch = chan<number>(1, { name: undefined });
    await ch.send(1, { signal: undefined });
    expect(await ch.recv({ signal: undefined })).toBe(1);
    await go(async () => 2, { name: undefined, signal: undefined }).done;
    expectNothingLeft();
  });
});
