/**
 * Builds a script with esbuild from the SOURCES (`gorx`, `gorx/rxjs`, ... resolve through the
 * tsconfig `paths`), for tests that must run gorx in a child process: what they test is the code
 * in the tree, never a stale `dist/`. Peers (rxjs, Nest) stay external and load from node_modules.
 *
 * `respectSideEffects: false` ignores package.json `sideEffects` (the bundle behaves like the
 * sources run directly); `true` lets esbuild drop every module whose exports are unused, as a
 * user's bundler would.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Bundles `entry` (relative to the repo root) into dist-aux/bundles/ and returns the file. */
export async function bundle(
  entry: string,
  { respectSideEffects = false, tag = '' }: { respectSideEffects?: boolean; tag?: string } = {},
): Promise<string> {
  const outDir = join(root, 'dist-aux', 'bundles');
  mkdirSync(outDir, { recursive: true });
  const name = basename(entry).replace(/\.[mc]?[jt]s$/, '');
  const outfile = join(outDir, `${name}${tag}${respectSideEffects ? '.shaken' : ''}.mjs`);
  await build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    tsconfig: join(root, 'tsconfig.json'),
    ignoreAnnotations: !respectSideEffects,
    treeShaking: true,
    external: ['rxjs', 'rxjs/*', '@nestjs/*', 'reflect-metadata', 'pg'],
    logLevel: 'silent',
  });
  return outfile;
}

/** Runs a built script with Node and collects its exit code and output (bounded by a timeout). */
export function runScript(file: string, args: string[] = [], timeoutMs = 15_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [file, ...args],
      { cwd: root, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
