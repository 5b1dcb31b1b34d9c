/**
 * `select` breaks ties with `Math.random`. A property run must be replayable from its seed, so
 * each run swaps in a small seeded generator (mulberry32) and puts the real one back afterwards.
 */

/** A deterministic `() => number` in [0, 1) for `seed`. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `body` with `Math.random` seeded; the real `Math.random` is restored even on failure. */
export async function withSeededRandom<T>(seed: number, body: () => Promise<T>): Promise<T> {
  const real = Math.random;
  Math.random = seededRandom(seed);
  try {
    return await body();
  } finally {
    Math.random = real;
  }
}
