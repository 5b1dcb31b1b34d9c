/**
 * When a scheduled worker's next tick is due. Cron expressions are read by `croner`, an optional
 * peer loaded on first use, so apps without schedules never need it. Only `nextRun` is used: the
 * timers are the runner's own (fake timers drive them; no croner timer is ever armed).
 */
import { createRequire } from 'node:module';
import type { OverlapPolicy } from '../worker.options.js';

/** The part of croner's `Cron` used here (structural: croner's types stay out of our d.ts). */
interface CronLike {
  nextRun(from?: Date): Date | null;
}
type CronConstructor = new (
  pattern: string,
  options: { paused: boolean; timezone?: string },
) => CronLike;

export interface ResolvedSchedule {
  readonly overlap: OverlapPolicy;
  readonly runOnStart: boolean;
  /** Human form for status and logs: the cron expression (with its zone) or `every N ms`. */
  readonly describe: string;
  /** The first tick strictly after `after` (ms since epoch), or null when there is none. */
  next(after: number): number | null;
}

let Cron: CronConstructor | undefined;

function loadCroner(where: string): CronConstructor {
  if (Cron !== undefined) return Cron;
  try {
    const mod = createRequire(import.meta.url)('croner') as { Cron: CronConstructor };
    return (Cron = mod.Cron);
  } catch (e) {
    throw new TypeError(
      `${where}: a cron schedule needs the optional peer dependency "croner" (npm i croner)`,
      { cause: e },
    );
  }
}

export function cronSchedule(
  where: string,
  pattern: string,
  timezone: string | undefined,
  overlap: OverlapPolicy,
  runOnStart: boolean,
): ResolvedSchedule {
  const C = loadCroner(where);
  let cron: CronLike;
  try {
    cron = new C(pattern, { paused: true, ...(timezone !== undefined && { timezone }) });
    cron.nextRun(); // an unknown time zone only shows when a date is converted
  } catch (e) {
    throw new TypeError(`${where}: schedule: ${(e as Error).message}`, { cause: e });
  }
  return {
    overlap,
    runOnStart,
    describe: timezone === undefined ? `cron ${pattern}` : `cron ${pattern} (${timezone})`,
    next: (after) => cron.nextRun(new Date(after))?.getTime() ?? null,
  };
}

export function intervalSchedule(
  intervalMs: number,
  overlap: OverlapPolicy,
  runOnStart: boolean,
): ResolvedSchedule {
  return {
    overlap,
    runOnStart,
    describe: `every ${intervalMs} ms`,
    next: (after) => after + intervalMs,
  };
}
