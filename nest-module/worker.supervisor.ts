/** @module */
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Subject } from 'rxjs';
import { GORX_MODULE_OPTIONS } from './gorx.module-definition.js';
import type { SupervisorHost } from './internal/host.js';
import { SupersedeSlots } from './internal/supersede-slots.js';
import { WorkerRunner } from './internal/worker-runner.js';
import type { WorkerFunction } from './worker.context.js';
import { WorkerRegistryError } from './worker.errors.js';
import type { WorkerEvent } from './worker.events.js';
import {
  resolveShutdownGrace,
  resolveWorkerOptions,
  type BackgroundWorkerOptions,
  type GorxModuleOptions,
} from './worker.options.js';

// 'idle' is not final: a worker waiting for its start (autoStart: false) keeps its name.
const FINAL_STATES = new Set(['stopped', 'failed', 'gave-up']);

/**
 * Owns every supervised worker and supersede slot of the application: starts the workers when
 * the application has bootstrapped and kills them all at shutdown, within the grace period.
 * Internal to `GorxModule`; use `WorkerRegistry`.
 *
 * @example
 * ```ts
 * import { Injectable } from '@nestjs/common';
 * import { WorkerSupervisor } from 'gorx/nest';
 *
 * @Injectable()
 * class Diagnostics {
 *   constructor(private readonly supervisor: WorkerSupervisor) {}
 *   count(): number {
 *     return this.supervisor.runners().length;
 *   }
 * }
 * ```
 */
@Injectable()
export class WorkerSupervisor
  implements
    SupervisorHost,
    OnApplicationBootstrap,
    BeforeApplicationShutdown,
    OnApplicationShutdown,
    OnModuleDestroy
{
  readonly logger = new Logger('Gorx');
  readonly events = new Subject<WorkerEvent>();
  closing = false;
  /** Randomness of backoff jitter; replaceable for deterministic tests. */
  random: () => number = Math.random;
  private bootstrapped = false;
  private readonly workers = new Map<string, WorkerRunner>();
  private readonly slotGroups: SupersedeSlots[] = [];
  /** The slots of `WorkerRegistry.supersede(key, fn)`. */
  readonly slots: SupersedeSlots;

  /** Validated when the module is created: a bad value fails the bootstrap, not the shutdown. */
  private readonly graceMs: number;
  readonly options: GorxModuleOptions;

  constructor(@Inject(GORX_MODULE_OPTIONS) options: GorxModuleOptions | undefined) {
    this.options = options ?? {};
    this.graceMs = resolveShutdownGrace(this.options);
    this.slots = this.createSlots();
  }

  emit(event: WorkerEvent): void {
    this.events.next(event);
  }

  /** A separate key space for one `@Supersede` method. */
  createSlots(): SupersedeSlots {
    const slots = new SupersedeSlots(this);
    this.slotGroups.push(slots);
    return slots;
  }

  runners(): WorkerRunner[] {
    return [...this.workers.values()];
  }

  runner(name: string): WorkerRunner {
    const w = this.workers.get(name);
    if (w === undefined) {
      throw new WorkerRegistryError('ERR_WORKER_NOT_FOUND', `no worker named "${name}"`);
    }
    return w;
  }

  has(name: string): boolean {
    return this.workers.has(name);
  }

  /** Adds a worker; a worker in a final state (stopped, failed, gave-up) may be replaced. */
  register(name: string, body: WorkerFunction, own?: BackgroundWorkerOptions): WorkerRunner {
    if (typeof body !== 'function')
      throw new TypeError(`worker "${name}": body must be a function`);
    const existing = this.workers.get(name);
    if (existing !== undefined && !FINAL_STATES.has(existing.state)) {
      throw new WorkerRegistryError(
        'ERR_WORKER_EXISTS',
        `a worker named "${name}" is ${existing.state}`,
      );
    }
    const runner = new WorkerRunner(resolveWorkerOptions(name, own, this.options), body, this);
    this.workers.set(name, runner);
    return runner;
  }

  /** Registers and starts a worker at run time. */
  spawn(name: string, body: WorkerFunction, own?: BackgroundWorkerOptions): WorkerRunner {
    this.assertOpen(`spawn "${name}"`);
    const runner = this.register(name, body, own);
    void runner.start();
    return runner;
  }

  assertOpen(what: string): void {
    if (this.closing) throw new WorkerRegistryError('ERR_SHUTTING_DOWN', `${what}: shutting down`);
  }

  onApplicationBootstrap(): void {
    this.bootstrapped = true;
    for (const w of this.workers.values()) {
      if (w.options.autoStart && w.state === 'idle') void w.start();
    }
  }

  get started(): boolean {
    return this.bootstrapped;
  }

  /**
   * Stops starting work, kills every worker and supersede run, and waits for their `finally`
   * blocks up to `shutdownGraceMs`; then logs the ones that did not finish (they ignore their
   * signal, or their cleanup is stuck) and lets the shutdown go on.
   */
  /**
   * Nest runs every `onModuleDestroy` (where providers close their connections) before
   * `beforeApplicationShutdown`: from here on nothing is started or restarted, so a worker that
   * fails because a dependency went away is not restarted into a crash loop during shutdown.
   */
  onModuleDestroy(): void {
    this.closing = true;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    const grace = this.graceMs;
    const waits: Promise<void>[] = [];
    for (const w of this.workers.values()) waits.push(w.stop('application shutdown'));
    for (const s of this.slotGroups) waits.push(s.killAll('application shutdown'));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const graceOver = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), grace);
    });
    const timedOut = await Promise.race([Promise.all(waits).then(() => false), graceOver]);
    clearTimeout(timer);
    if (!timedOut) return;
    const stubborn = [
      ...this.runners()
        .filter((w) => w.state === 'stopping')
        .map((w) => `worker "${w.name}" attempt ${w.attempt}`),
      ...this.slotGroups.flatMap((s) => s.pending()),
    ];
    this.logger.error(
      `shutdown: ${stubborn.length} worker(s) did not stop within ${grace} ms ` +
        `(they ignore their signal or their cleanup is stuck): ${stubborn.join(', ')}`,
    );
  }

  onApplicationShutdown(): void {
    this.events.complete();
  }
}
