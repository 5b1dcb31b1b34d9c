/**
 * Walks goroutine arguments for channels: top level, and inside plain arrays and plain objects
 * (prototype `Object.prototype` or `null`). Other objects are left to structured clone.
 */
import { CHANNEL_KEY } from './protocol.js';

function isPlainObject(v: object): boolean {
  const p = Object.getPrototypeOf(v) as object | null;
  return p === Object.prototype || p === null;
}

/**
 * Copies `value`, replacing every node for which `swap` returns something other than `undefined`
 * by that result. Shared sub-objects stay shared and cycles are kept.
 */
export function mapArgs(value: unknown, swap: (v: object) => unknown): unknown {
  const seen = new Map<object, unknown>();
  const walk = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    const s = swap(v);
    if (s !== undefined) return s;
    if (seen.has(v)) return seen.get(v);
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      seen.set(v, out);
      for (let i = 0; i < v.length; i++) out[i] = walk(v[i]);
      return out;
    }
    if (!isPlainObject(v)) return v;
    const out: Record<string, unknown> =
      Object.getPrototypeOf(v) === null ? Object.create(null) : {};
    seen.set(v, out);
    for (const k of Object.keys(v)) out[k] = walk((v as Record<string, unknown>)[k]);
    return out;
  };
  return walk(value);
}

export function isDescriptor(v: object): v is { [CHANNEL_KEY]: number } {
  return typeof (v as Record<string, unknown>)[CHANNEL_KEY] === 'number';
}
