/** Argument checks of goThread / ThreadPool.go: a user mistake throws before anything starts. */
import type { MessagePort } from 'node:worker_threads';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GoContext } from 'gorx';
import type { RunSpec } from './thread-run.js';

interface Opts {
  name?: unknown;
  signal?: unknown;
  killGraceMs?: unknown;
  transfer?: unknown;
  parent?: unknown;
}

export function moduleUrl(fn: string, module: unknown): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module === '') {
    throw new TypeError(`${fn}: module must be a URL or an absolute path`);
  }
  if (isAbsolute(module)) return pathToFileURL(module).href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return module;
  throw new TypeError(
    `${fn}: module must be a URL or an absolute path (got ${JSON.stringify(module)}); ` +
      `use new URL('./file.js', import.meta.url)`,
  );
}

export function validateRun(
  fn: string,
  module: unknown,
  exportName: unknown,
  args: unknown,
  options: unknown,
): RunSpec {
  const url = moduleUrl(fn, module);
  if (typeof exportName !== 'string' || exportName === '') {
    throw new TypeError(`${fn}: exportName must be a non-empty string`);
  }
  if (!Array.isArray(args)) throw new TypeError(`${fn}: args must be an array`);
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${fn}: options must be an object`);
  }
  const o = options as Opts;
  if (o.name !== undefined && typeof o.name !== 'string') {
    throw new TypeError(`${fn}: options.name must be a string`);
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new TypeError(`${fn}: options.signal must be an AbortSignal`);
  }
  const grace = o.killGraceMs ?? 1000;
  if (typeof grace !== 'number' || Number.isNaN(grace) || grace < 0) {
    throw new RangeError(`${fn}: options.killGraceMs must be a number >= 0 (or Infinity)`);
  }
  if (
    o.parent !== undefined &&
    (o.parent === null || typeof (o.parent as { go?: unknown }).go !== 'function')
  ) {
    throw new TypeError(`${fn}: options.parent must be a goroutine context (ctx)`);
  }
  if (o.transfer !== undefined && !Array.isArray(o.transfer)) {
    throw new TypeError(`${fn}: options.transfer must be an array`);
  }
  return {
    module: url,
    exportName,
    args,
    name: o.name as string | undefined,
    signal: o.signal as AbortSignal | undefined,
    parent: o.parent as GoContext | undefined,
    killGraceMs: grace,
    transfer: (o.transfer as (ArrayBuffer | MessagePort)[] | undefined) ?? [],
  };
}
