/**
 * What the board shows, as plain JSON-safe values: worker rows, recent events, the goroutine
 * dump, and the live stream of them for server-sent events. Everything user-supplied (names,
 * heartbeat details, error messages) stays text here; the page escapes it, the client sets it as
 * `textContent`. The stream's timers exist only while a board is open, and every stream ends at
 * the start of shutdown so that the HTTP server can close.
 */
import {
  Injectable,
  type BeforeApplicationShutdown,
  type MessageEvent,
  type OnModuleDestroy,
} from '@nestjs/common';
import { goroutines, type GoroutineInfo } from 'gorx';
import {
  Subject,
  bufferTime,
  concat,
  defer,
  filter,
  interval,
  map,
  merge,
  of,
  share,
  takeUntil,
  tap,
  type Observable,
  type Subscription,
} from 'rxjs';
import { errorText } from '../internal/host.js';
import type { WorkerEvent, WorkerStatus } from '../worker.events.js';
import { WorkerSupervisor } from '../worker.supervisor.js';

/** How many events the board keeps for a page that opens (and the timeline). */
export const BOARD_RECENT_EVENTS = 300;
/** At most this many workers in a snapshot, in registration order (the count says how many). */
export const BOARD_WORKERS = 500;
/** At most this many goroutines in a dump (the count says how many there are). */
export const BOARD_GOROUTINES = 300;
const SNAPSHOT_EVERY_MS = 1_000;
const EVENT_BATCH_MS = 250;
const TEXT_LIMIT = 500;

export interface BoardWorker {
  name: string;
  state: string;
  attempt: number;
  restarts: number;
  lastHeartbeatAt: number | null;
  details: string | null;
  lastError: string | null;
  heartbeatTimeoutMs: number;
  nextRestartAt: number | null;
  schedule: string | null;
  nextRunAt: number | null;
}

export interface BoardEvent {
  type: string;
  worker: string;
  attempt: number;
  at: number;
  error: string | null;
}

export interface BoardSnapshot {
  /** Server `Date.now()`: the client computes ages against it. */
  now: number;
  workers: BoardWorker[];
  workerCount: number;
  goroutines: GoroutineInfo[];
  goroutineCount: number;
}

@Injectable()
export class BoardFeed implements BeforeApplicationShutdown, OnModuleDestroy {
  private readonly recentEvents: BoardEvent[] = [];
  private readonly closing = new Subject<void>();
  private readonly subscription: Subscription;
  private readonly snapshots: Observable<MessageEvent>;

  constructor(private readonly supervisor: WorkerSupervisor) {
    this.subscription = supervisor.events.subscribe((e) => {
      this.recentEvents.push(boardEvent(e));
      if (this.recentEvents.length > BOARD_RECENT_EVENTS) this.recentEvents.shift();
    });
    // One timer for every open board.
    this.snapshots = interval(SNAPSHOT_EVERY_MS).pipe(
      map(() => ({ type: 'snapshot', data: this.snapshot() })),
      share(),
    );
  }

  snapshot(): BoardSnapshot {
    const all = goroutines();
    const workers: BoardWorker[] = [];
    for (const w of this.supervisor.runners()) {
      if (workers.length === BOARD_WORKERS) break;
      workers.push(boardWorker(w.status()));
    }
    return {
      now: Date.now(),
      workers,
      workerCount: this.supervisor.size,
      goroutines: all.slice(0, BOARD_GOROUTINES),
      goroutineCount: all.length,
    };
  }

  recent(): BoardEvent[] {
    return [...this.recentEvents];
  }

  /**
   * `snapshot` now and every second, `events` in batches as they happen; ends at the start of
   * shutdown, calling `onShutdown` first.
   */
  stream(onShutdown: () => void = () => {}): Observable<MessageEvent> {
    const events = this.supervisor.events.pipe(
      bufferTime(EVENT_BATCH_MS),
      filter((batch) => batch.length > 0),
      map((batch) => ({ type: 'events', data: batch.map(boardEvent) })),
    );
    const first = defer(() => of({ type: 'snapshot', data: this.snapshot() }));
    return merge(concat(first, this.snapshots), events).pipe(
      takeUntil(this.closing.pipe(tap(onShutdown))),
    );
  }

  beforeApplicationShutdown(): void {
    this.closing.next();
    this.closing.complete();
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }
}

export function boardWorker(s: WorkerStatus): BoardWorker {
  return {
    name: s.name,
    state: s.state,
    attempt: s.attempt,
    restarts: s.restarts,
    lastHeartbeatAt: s.lastHeartbeatAt,
    details: s.lastHeartbeatDetails === undefined ? null : preview(s.lastHeartbeatDetails),
    lastError: s.lastError === undefined ? null : clip(errorText(s.lastError)),
    heartbeatTimeoutMs: s.heartbeatTimeoutMs,
    nextRestartAt: s.nextRestartAt,
    schedule: s.schedule,
    nextRunAt: s.nextRunAt,
  };
}

export function boardEvent(e: WorkerEvent): BoardEvent {
  return {
    type: e.type,
    worker: e.worker,
    attempt: e.attempt,
    at: e.at,
    error: e.error === undefined ? null : clip(errorText(e.error)),
  };
}

/** Heartbeat details as short text: any value (circular, huge, a BigInt) becomes a string. */
function preview(v: unknown): string {
  if (typeof v === 'string') return clip(v);
  try {
    return clip(
      JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v),
    );
  } catch {
    return clip(String(v));
  }
}

function clip(s: string): string {
  return s.length > TEXT_LIMIT ? `${s.slice(0, TEXT_LIMIT)}…` : s;
}
