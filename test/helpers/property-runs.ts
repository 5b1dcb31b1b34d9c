/**
 * The one knob for property-test run counts: `PROPERTY_RUNS=<n>` overrides every property's
 * default (a quick count in `npm test`, a long bug hunt with e.g. `PROPERTY_RUNS=20000`).
 */
export function propertyRuns(defaultRuns: number): number {
  const raw = process.env.PROPERTY_RUNS;
  if (raw === undefined || raw === '') return defaultRuns;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`PROPERTY_RUNS must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return n;
}
