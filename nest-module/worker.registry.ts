/** @module */
import { Injectable } from '@nestjs/common';
import type { GoFunction } from 'gorx';
import type { Observable } from 'rxjs';
import type { SupersedeMode } from './internal/supersede-slots.js';
import type { WorkerFunction } from './worker.context.js';
import type { WorkerEvent, WorkerStatus } from './worker.events.js';
import type { BackgroundWorkerOptions } from './worker.options.js';
import { STOP_REASON } from './internal/telemetry.js';
import { WorkerSupervisor } from './worker.supervisor.js';

/**
 * Options of `WorkerRegistry.supersede()`.
 *
 * @example
 * ```ts
 * import type { SupersedeRunOptions } from 'gorx/nest';
 *
 * const options: SupersedeRunOptions = { name: 'render', mode: 'kill' };
 * ```
 */
export interface SupersedeRunOptions {
  /** Label in events and logs (default `supersede:<key>`). */
  name?: string | undefined;
  /**
   * `'kill'` (default): kill the running call, then start. `'join'`: return the running call's
   * promise instead of starting. `'queue'`: start after the running call ends by itself.
   */
  mode?: SupersedeMode | undefined;
}

/**
 * Options of `WorkerRegistry.stop()`, `start()`, `restart()` and `remove()`.
 *
 * @example
 * ```ts
 * import type { StopOptions } from 'gorx/nest';
 *
 * const options: StopOptions = { graceMs: 2_000 };
 * ```
 */
export interface StopOptions {
  /** How long to wait for a killed run's `finally` blocks (default: `shutdownGraceMs`). */
  graceMs?: number | undefined;
}

/**
 * The runtime face of gorx/nest: worker status, manual control, run-time workers, kill-on-supersede
 * and lifecycle events.
 *
 * @example
 * ```ts
 * import { Controller, Get, Post, Param } from '@nestjs/common';
 * import { sleep } from 'gorx';
 * import { WorkerRegistry, type WorkerStatus } from 'gorx/nest';
 *
 * @Controller('workers')
 * class WorkersController {
 *   constructor(private readonly registry: WorkerRegistry) {
 *     registry.events$.subscribe((e) => console.log(e.type, e.worker, e.attempt));
 *   }
 *   @Get()
 *   list(): WorkerStatus[] {
 *     return this.registry.list();
 *   }
 *   @Post(':name/restart')
 *   restart(@Param('name') name: string): Promise<void> {
 *     return this.registry.restart(name);
 *   }
 *   @Post('render/:id')
 *   render(@Param('id') id: string): Promise<string> {
 *     return this.registry.supersede(`render:${id}`, function* () {
 *       yield sleep(1000);
 *       return `rendered ${id}`;
 *     });
 *   }
 * }
 * ```
 */
@Injectable()
export class WorkerRegistry {
  constructor(private readonly supervisor: WorkerSupervisor) {}

  /**
   * Lifecycle events: `started`, `heartbeat-missed`, `failed`, `restarted`, `superseded`,
   * `stopped`, `gave-up`, and for scheduled workers `completed` and `skipped`.
   */
  get events$(): Observable<WorkerEvent> {
    return this.supervisor.events.asObservable();
  }

  /** Status snapshots of every worker, in registration order (JSON-ready). */
  list(): WorkerStatus[] {
    return [...this.supervisor.runners()].map((w) => w.status());
  }

  /** The status of one worker, or `undefined`. */
  get(name: string): WorkerStatus | undefined {
    return this.supervisor.has(name) ? this.supervisor.runner(name).status() : undefined;
  }

  /**
   * Starts a stopped, failed or given-up worker (a restart-intensity reset). If its previous run
   * is still ending, waits for it up to the grace (default `shutdownGraceMs`), else rejects
   * `ERR_STOP_TIMEOUT`: two runs of a worker never overlap.
   */
  async start(name: string, options?: StopOptions): Promise<void> {
    return this.supervisor.start(name, options?.graceMs);
  }

  /**
   * Kills the worker (its `finally` blocks run) and keeps it stopped; resolves once it ended.
   * A run that has not ended within the grace (default `shutdownGraceMs`) makes it reject
   * `ERR_STOP_TIMEOUT`: the worker stays `stopping`, reported down, until the run gives in.
   */
  async stop(name: string, options?: StopOptions): Promise<void> {
    return this.supervisor.stop(name, options?.graceMs);
  }

  /** `stop` then `start`, each within the grace. */
  async restart(name: string, options?: StopOptions): Promise<void> {
    this.supervisor.assertOpen(`restart "${name}"`);
    await this.supervisor.stop(name, options?.graceMs, STOP_REASON.restart);
    await this.supervisor.start(name, options?.graceMs);
  }

  /**
   * Stops the worker (as `stop`) and forgets it: `list()`, `get()` and health no longer show it,
   * and its name is free again. For workers made with `spawn`, so that they do not pile up.
   */
  async remove(name: string, options?: StopOptions): Promise<void> {
    return this.supervisor.remove(name, options?.graceMs);
  }

  /** Creates and starts a supervised worker at run time. Returns its first status. */
  spawn<D = unknown>(
    name: string,
    fn: WorkerFunction<D>,
    options?: Omit<BackgroundWorkerOptions, 'name'>,
  ): WorkerStatus {
    return this.supervisor.spawn(name, fn as WorkerFunction, options).status();
  }

  /**
   * Kill-on-supersede: runs `fn` as a goroutine; a later call with the same `key` kills this run
   * (`SupersededError`; its `finally` finishes before the next run starts) and this call's promise
   * rejects with that `SupersededError`. Cut off by shutdown (or called after it began), it
   * rejects `ShutdownError`.
   */
  supersede<R>(key: unknown, fn: GoFunction<R>, options?: SupersedeRunOptions): Promise<R> {
    return this.supervisor.slots.run(
      key,
      options?.name ?? `supersede:${String(key)}`,
      fn,
      options?.mode,
    );
  }
}
