/** @module */
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { WorkerMetadataAccessor } from './worker.metadata-accessor.js';
import type { WorkerFunction } from './worker.context.js';
import { WorkerSupervisor } from './worker.supervisor.js';
import type { SupersedeOptions } from './supersede.decorator.js';
import { clusterKeyText } from './internal/cluster-supersede.js';

/** The part of Nest's `InstanceWrapper` the explorer reads (kept structural: no deep import). */
interface DiscoveredWrapper {
  readonly name: unknown;
  readonly instance: unknown;
  /** Transient providers: `instance` is a bare prototype copy whose constructor never ran. */
  readonly isTransient?: boolean;
  isDependencyTreeStatic(): boolean;
}

type Methods = Record<string, (...args: unknown[]) => unknown>;

/**
 * Methods already taken by a supervisor, per instance: two `GorxModule.forRoot()` imports with
 * different options make two supervisors, and a worker must still run once.
 */
const claimed = new WeakMap<object, Set<string>>();

/**
 * Finds `@BackgroundWorker` and `@Supersede` methods on every provider and controller in
 * `onModuleInit`, registers the workers with the supervisor and wraps the supersede methods.
 * Request-scoped (non-static) providers are skipped with a warning: there is no single instance
 * to run a background worker on. It also hands every instance to the supervisor's shutdown gate.
 * Not exported from `gorx/nest`.
 */
@Injectable()
export class WorkerExplorer implements OnModuleInit {
  private readonly logger = new Logger('Gorx');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: WorkerMetadataAccessor,
    private readonly supervisor: WorkerSupervisor,
  ) {}

  onModuleInit(): void {
    const wrappers = [
      ...this.discovery.getControllers(),
      ...this.discovery.getProviders(),
    ] as unknown as DiscoveredWrapper[];
    this.supervisor.gateDestroyHooks(
      wrappers
        .filter((w) => w.isDependencyTreeStatic() && w.isTransient !== true)
        .map((w) => w.instance),
    );
    for (const wrapper of wrappers) {
      const instance = wrapper.instance as Methods | null | undefined;
      if (instance === null || typeof instance !== 'object') continue;
      const proto = Object.getPrototypeOf(instance) as object | null;
      if (proto === null) continue;
      // Request-scoped and transient providers have no single instance to run a worker on.
      const isStatic = wrapper.isDependencyTreeStatic() && wrapper.isTransient !== true;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        this.visit(instance, method, isStatic, String(wrapper.name));
      }
    }
  }

  private visit(instance: Methods, method: string, isStatic: boolean, provider: string): void {
    const fn = instance[method];
    const workerOptions = this.accessor.getWorkerOptions(fn);
    const supersedeOptions = this.accessor.getSupersedeOptions(fn);
    if (workerOptions === undefined && supersedeOptions === undefined) return;
    const label = `${instance.constructor.name}.${method}`;
    if (!isStatic) {
      this.logger.warn(
        `cannot supervise "${provider}.${method}": it is defined in a request-scoped or transient provider; skipped`,
      );
      return;
    }
    let mine = claimed.get(instance);
    if (mine === undefined) claimed.set(instance, (mine = new Set()));
    if (mine.has(method)) {
      this.logger.warn(
        `"${label}" is already supervised by another GorxModule.forRoot() import; import it once (isGlobal: true)`,
      );
      return;
    }
    mine.add(method);
    if (workerOptions !== undefined) {
      const body = fn!.bind(instance) as WorkerFunction;
      this.supervisor.register(workerOptions.name ?? label, body, workerOptions);
    }
    if (supersedeOptions !== undefined && supersedeOptions.scope === 'cluster') {
      this.wrapClusterSupersede(instance, method, label, supersedeOptions);
    } else if (supersedeOptions !== undefined) {
      const slots = this.supervisor.createSlots(label);
      const keyOf = supersedeOptions.key;
      const mode = supersedeOptions.mode;
      const original = fn!;
      // An own property shadows the prototype method, for this instance only.
      Object.defineProperty(instance, method, {
        configurable: true,
        writable: true,
        value: function superseding(...args: unknown[]): Promise<unknown> {
          const key = keyOf === undefined ? undefined : keyOf(...args);
          const name = keyOf === undefined ? label : `${label}(${String(key)})`;
          return slots.run(
            key,
            name,
            () => original.apply(instance, args) as Promise<unknown>,
            mode,
          );
        },
      });
    }
  }

  /** `@Supersede({ scope: 'cluster' })`: the method runs through supersedeAcrossCluster. */
  private wrapClusterSupersede(
    instance: Methods,
    method: string,
    label: string,
    options: SupersedeOptions,
  ): void {
    if ((options.mode ?? 'kill') !== 'kill') {
      throw new TypeError(`@Supersede on ${label}: scope 'cluster' supports mode 'kill' only`);
    }
    const runs = this.supervisor.clusterSupersede(`@Supersede on ${label}`);
    const keyOf = options.key;
    const ttlMs = options.leaseTtlMs;
    const original = instance[method]!;
    Object.defineProperty(instance, method, {
      configurable: true,
      writable: true,
      value: function supersedingAcrossCluster(...args: unknown[]): Promise<unknown> {
        const key = keyOf === undefined ? undefined : keyOf(...args);
        const name = keyOf === undefined ? label : `${label}(${clusterKeyText(key)})`;
        return runs.run(name, key, () => original.apply(instance, args) as Promise<unknown>, ttlMs);
      },
    });
  }
}
