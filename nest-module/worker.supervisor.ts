/** @module */
import {
  Inject,
  Injectable,
  Optional,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Subject } from 'rxjs';
import { GORX_MODULE_OPTIONS } from './gorx.module-definition.js';
import type { LeaseStore } from 'gorx/cluster';
import type { SupervisorHost } from './internal/host.js';
import {
  checkTimerMs,
  resolveModuleOptions,
  resolveWorkerOptions,
  type ResolvedModuleOptions,
} from './internal/resolve-options.js';
import { gateDestroyHooks } from './internal/shutdown-gate.js';
import { SupersedeSlots } from './internal/supersede-slots.js';
import { GORX_TELEMETRY } from './internal/telemetry.provider.js';
import { STOP_REASON, type Telemetry } from './internal/telemetry.js';
import { ClusterSupersede } from './internal/cluster-supersede.js';
import { WorkerRunner } from './internal/worker-runner.js';
import type { WorkerFunction } from './worker.context.js';
import { ShutdownError, WorkerRegistryError } from './worker.errors.js';
import type { WorkerEvent, WorkerState } from './worker.events.js';
import type {
  BackgroundWorkerOptions,
  GorxModuleOptions,
  LifecycleLogLevel,
} from './worker.options.js';

// 'idle' is not final: a worker waiting for its start (autoStart: false) keeps its name.
const FINAL_STATES = new Set(['stopped', 'failed', 'gave-up']);

/**
 * Owns every supervised worker and supersede slot of the application: starts the workers when
 * the application has bootstrapped and stops them all at the start of shutdown, within the grace
 * period. Not exported from `gorx/nest`: `WorkerRegistry` is the public face.
 */
@Injectable()
export class WorkerSupervisor
  implements
    SupervisorHost,
    OnApplicationBootstrap,
    BeforeApplicationShutdown,
    OnApplicationShutdown
{
  readonly logger = new Logger('Gorx');
  readonly events = new Subject<WorkerEvent>();
  closing = false;
  /** Randomness of backoff jitter; replaceable for deterministic tests. */
  random: () => number = Math.random;
  readonly options: GorxModuleOptions;
  /** Validated when the module is created: a bad value fails the bootstrap, not the shutdown. */
  readonly settings: ResolvedModuleOptions;
  /** The slots of `WorkerRegistry.supersede(key, fn)`. */
  readonly slots: SupersedeSlots;
  private readonly workers = new Map<string, WorkerRunner>();
  private readonly slotGroups: SupersedeSlots[] = [];
  private shutdown: Promise<void> | null = null;
  private clusterRuns: ClusterSupersede | null = null;
  private ungate: () => void = () => {};

  /** Metrics and traces (`metrics` / `tracing` options); null when neither is configured. */
  readonly telemetry: Telemetry | null;

  constructor(
    @Inject(GORX_MODULE_OPTIONS) options: GorxModuleOptions | undefined,
    @Optional() @Inject(GORX_TELEMETRY) telemetry?: Telemetry | null,
  ) {
    this.options = options ?? {};
    this.settings = resolveModuleOptions(this.options);
    this.telemetry = telemetry ?? null;
    this.telemetry?.attach({ workerStates: () => this.states() });
    this.slots = this.createSlots();
  }

  /** The state of every worker (gauges read it at scrape time). */
  private *states(): Iterable<WorkerState> {
    for (const w of this.workers.values()) yield w.state;
  }

  get clusterStore(): LeaseStore | undefined {
    return this.options.cluster?.store;
  }

  /** The tracker of `@Supersede({ scope: 'cluster' })` calls; throws without a cluster store. */
  clusterSupersede(where: string): ClusterSupersede {
    const store = this.clusterStore;
    if (store === undefined) {
      throw new TypeError(
        `${where}: scope 'cluster' needs a lease store: GorxModule.forRoot({ cluster: { store: postgresStore(...) } })`,
      );
    }
    return (this.clusterRuns ??= new ClusterSupersede(this, store));
  }

  get lifecycleLogLevel(): LifecycleLogLevel {
    return this.settings.lifecycleLogLevel;
  }

  emit(event: WorkerEvent): void {
    this.telemetry?.event(event);
    this.events.next(event);
  }

  /** A separate key space for one `@Supersede` method (`scope`: its `Class.method`). */
  createSlots(scope?: string): SupersedeSlots {
    const slots = new SupersedeSlots(this, scope);
    this.slotGroups.push(slots);
    return slots;
  }

  runners(): IterableIterator<WorkerRunner> {
    return this.workers.values();
  }

  get size(): number {
    return this.workers.size;
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
    if (typeof name !== 'string' || name === '') {
      throw new TypeError('a worker needs a non-empty name');
    }
    if (typeof body !== 'function')
      throw new TypeError(`worker "${name}": body must be a function`);
    const existing = this.workers.get(name);
    if (existing !== undefined && (!FINAL_STATES.has(existing.state) || existing.live)) {
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

  /** Starts a worker; a run still dying from a stop gets the grace period to end first. */
  async start(name: string, graceMs?: number): Promise<void> {
    this.assertOpen(`start "${name}"`);
    const grace = this.graceOf(graceMs);
    const w = this.runner(name);
    // A running worker is left alone; a dying run (stopped or hung) must end first.
    if (w.state === 'stopping' || w.state === 'hung') await this.awaitEnd(w, grace, 'not started');
    this.assertOpen(`start "${name}"`);
    await w.start();
  }

  /**
   * Stops a worker and waits up to the grace period (default `shutdownGraceMs`) for its run to
   * end. Past it, rejects `ERR_STOP_TIMEOUT`; the worker stays `stopping` (reported down) until
   * its run gives in.
   */
  async stop(name: string, graceMs?: number, reason: unknown = STOP_REASON.stop): Promise<void> {
    const grace = this.graceOf(graceMs);
    const w = this.runner(name);
    void w.stop(reason);
    await this.awaitEnd(w, grace, 'still stopping');
  }

  /** Stops the worker (with the grace) and forgets it: `list()` and health no longer show it. */
  async remove(name: string, graceMs?: number): Promise<void> {
    const grace = this.graceOf(graceMs);
    const w = this.runner(name);
    void w.stop(STOP_REASON.remove);
    await this.awaitEnd(w, grace, 'not removed');
    if (this.workers.get(name) === w) this.workers.delete(name);
  }

  /** The grace of a stop or start, checked before anything changes. */
  private graceOf(graceMs: number | undefined): number {
    const grace = graceMs ?? this.settings.shutdownGraceMs;
    checkTimerMs(grace, 'graceMs');
    return grace;
  }

  private async awaitEnd(w: WorkerRunner, grace: number, outcome: string): Promise<void> {
    if (!w.live) return;
    if (await withinGrace(w.whenEnded(), grace)) return;
    w.stopOverdue = true;
    const message =
      `worker "${w.name}" attempt ${w.attempt} did not stop within ${grace} ms ` +
      `(it ignores its signal or its cleanup is stuck); ${outcome}`;
    this.logger.error(message);
    throw new WorkerRegistryError('ERR_STOP_TIMEOUT', message);
  }

  /** Called by the explorer once every instance exists: see internal/shutdown-gate.ts. */
  gateDestroyHooks(instances: Iterable<unknown>): void {
    this.ungate();
    this.ungate = gateDestroyHooks(instances, () => this.beginShutdown());
  }

  onApplicationBootstrap(): void {
    for (const name of Object.keys(this.options.workers ?? {})) {
      if (!this.workers.has(name)) {
        this.logger.warn(
          `workers["${name}"]: no worker has this name; the override applies if one is spawned with it later`,
        );
      }
    }
    for (const w of this.workers.values()) {
      if (w.options.autoStart && w.state === 'idle') void w.start();
    }
  }

  /**
   * Shutdown, once: nothing starts or restarts from here on; every worker and supersede run is
   * killed (reason: a `ShutdownError`) and their `finally` blocks get up to `shutdownGraceMs`;
   * the ones that did not finish are logged and shutdown goes on. Runs in front of the first
   * `onModuleDestroy` of the application (see internal/shutdown-gate.ts), else here.
   */
  beginShutdown(): Promise<void> {
    return (this.shutdown ??= this.stopEverything());
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.beginShutdown();
  }

  onApplicationShutdown(): void {
    this.ungate();
    this.events.complete();
    this.telemetry?.close();
  }

  private async stopEverything(): Promise<void> {
    this.closing = true;
    const grace = this.settings.shutdownGraceMs;
    const reason = new ShutdownError();
    const waits: Promise<void>[] = [];
    for (const w of this.workers.values()) waits.push(w.stop(reason));
    for (const s of this.slotGroups) waits.push(s.killAll(reason));
    if (this.clusterRuns !== null) waits.push(this.clusterRuns.killAll(reason));
    if (await withinGrace(Promise.all(waits), grace)) return;
    const stubborn = [
      ...[...this.workers.values()]
        .filter((w) => w.state === 'stopping')
        .map((w) => `worker "${w.name}" attempt ${w.attempt}`),
      ...this.slotGroups.flatMap((s) => s.pending()),
    ];
    for (const w of this.workers.values()) if (w.state === 'stopping') w.stopOverdue = true;
    this.logger.error(
      `shutdown: ${stubborn.length} worker(s) did not stop within ${grace} ms ` +
        `(they ignore their signal or their cleanup is stuck): ${stubborn.join(', ')}`,
    );
  }
}

/** True if `p` settles within `ms`; the timer is cleared either way. */
async function withinGrace(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const graceOver = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), graceOver]);
  } finally {
    clearTimeout(timer);
  }
}
