/**
 * The CPUs this process may use: `os.availableParallelism()` bounded by the cgroup CPU quota
 * (Node 20's availableParallelism ignores the quota, so a container limited to 2 CPUs on a
 * 64-core host would otherwise get 64 threads).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

type Read = (path: string) => string | null;

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The CPU quota in CPUs (e.g. 1.5), or null when there is none. Reads cgroup v2 `cpu.max`
 * ("max 100000" or "<quota> <period>") for this process's cgroup, then at the root of the
 * cgroup mount (what a container sees), then cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`
 * (quota -1: none).
 */
export function cpuQuota(read: Read = readOrNull): number | null {
  const v2Paths = ['/sys/fs/cgroup/cpu.max'];
  const self = read('/proc/self/cgroup');
  const v2 = self?.split('\n').find((l) => l.startsWith('0::'));
  if (v2 !== undefined) {
    const rel = v2.slice(3).trim();
    if (rel !== '' && rel !== '/') v2Paths.unshift(`/sys/fs/cgroup${rel}/cpu.max`);
  }
  for (const p of v2Paths) {
    const text = read(p);
    if (text === null) continue;
    const [q, per] = text.trim().split(/\s+/);
    if (q === 'max') return null;
    const quota = Number(q);
    const period = Number(per ?? 100_000);
    if (quota > 0 && period > 0) return quota / period;
  }
  for (const dir of ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct']) {
    const q = read(`${dir}/cpu.cfs_quota_us`);
    const per = read(`${dir}/cpu.cfs_period_us`);
    if (q === null || per === null) continue;
    const quota = Number(q.trim());
    const period = Number(per.trim());
    if (quota > 0 && period > 0) return quota / period;
    return null;
  }
  return null;
}

/** Default pool size: available parallelism, capped by the quota rounded up, at least 1. */
export function defaultThreadCount(
  parallelism: number = availableParallelism(),
  quota: number | null = cpuQuota(),
): number {
  const byQuota = quota === null ? Infinity : Math.ceil(quota);
  return Math.max(1, Math.min(parallelism, byQuota));
}
