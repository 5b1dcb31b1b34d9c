// Piscina's task for the pooled round-trip comparison: an empty function, like jobs.empty.
export default function empty(): number {
  return 0;
}
