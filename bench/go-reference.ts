/**
 * Go's own channels as the reference: builds bench/go/main.go once into a temp dir and runs it.
 * Skipped (returns null) when no `go` binary is on the PATH.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sample } from './harness.js';

export interface GoReference {
  version: string;
  /** One round of every channel and goroutine benchmark (after one unmeasured warm-up round). */
  round(n: number): Sample[];
  /** A whole-process benchmark (`daisy`, `blocked`): one JSON object. */
  single(mode: string, n: number): Record<string, number>;
}

function lines(out: string): Record<string, unknown>[] {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function goReference(root: string, log: (msg: string) => void): GoReference | null {
  const v = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (v.error !== undefined || v.status !== 0) {
    log('go: no `go` binary found, the Go reference column is skipped');
    return null;
  }
  const version = v.stdout.trim().replace(/^go version /, '');
  const dir = mkdtempSync(join(tmpdir(), 'gorx-bench-go-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, 'reference');
  // Go needs a build cache; without a HOME it has no default one.
  const env =
    process.env.HOME === undefined && process.env.GOCACHE === undefined
      ? { ...process.env, GOCACHE: join(dir, 'cache') }
      : process.env;
  const b = spawnSync('go', ['build', '-o', bin, join(root, 'bench/go/main.go')], {
    encoding: 'utf8',
    env,
  });
  if (b.status !== 0) {
    log(`go: build failed, the Go reference column is skipped\n${b.stderr}`);
    return null;
  }
  log(`go: ${version}`);
  const exec = (args: string[]): Record<string, unknown>[] => {
    const r = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`go reference ${args.join(' ')} failed: ${r.stderr}`);
    return lines(r.stdout);
  };
  return {
    version,
    round(n) {
      return exec(['-mode', 'channels', '-n', String(n), '-rounds', '1', '-warmup', '1']).map(
        (o) => ({ bench: String(o.bench), impl: 'go', value: Number(o.nsPerOp) }),
      );
    },
    single(mode, n) {
      const [o] = exec(['-mode', mode, '-n', String(n)]);
      if (o === undefined) throw new Error(`go reference -mode ${mode} printed no result`);
      return o as Record<string, number>;
    },
  };
}
