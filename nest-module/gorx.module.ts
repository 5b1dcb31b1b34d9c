/** @module */
import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { boardModuleParts } from './board/board.module-parts.js';
import { GorxChannelsModule, type GorxFeatureOptions } from './gorx-channels.module.js';
import { GorxHealthIndicator } from './gorx.health-indicator.js';
import {
  ConfigurableGorxModule,
  type GorxRootAsyncOptions,
  type GorxRootOptions,
} from './gorx.module-definition.js';
import { telemetryProvider } from './internal/telemetry.provider.js';
import { WorkerExplorer } from './worker.explorer.js';
import { WorkerMetadataAccessor } from './worker.metadata-accessor.js';
import { WorkerRegistry } from './worker.registry.js';
import { WorkerSupervisor } from './worker.supervisor.js';

/**
 * Supervised background workers, kill-on-supersede and channels for NestJS. Import
 * `GorxModule.forRoot()` once (add `isGlobal: true` to inject `WorkerRegistry` everywhere), and
 * `GorxModule.forFeature({ channels })` where channels are shared.
 *
 * @example
 * ```ts
 * import { Module } from '@nestjs/common';
 * import { GorxModule } from 'gorx/nest';
 *
 * @Module({
 *   imports: [
 *     GorxModule.forRoot({ shutdownGraceMs: 3_000, workerDefaults: { heartbeatTimeoutMs: 10_000 } }),
 *     GorxModule.forFeature({ channels: [{ name: 'jobs', capacity: 100 }] }),
 *   ],
 * })
 * class AppModule {}
 *
 * @Module({
 *   imports: [GorxModule.forRootAsync({ useFactory: () => ({ shutdownGraceMs: 1_000 }) })],
 * })
 * class AsyncConfiguredModule {}
 * ```
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    WorkerMetadataAccessor,
    telemetryProvider,
    WorkerSupervisor,
    WorkerExplorer,
    WorkerRegistry,
    GorxHealthIndicator,
  ],
  exports: [WorkerRegistry, GorxHealthIndicator],
})
export class GorxModule extends ConfigurableGorxModule {
  /** Registers the supervisor with `options` (defaults apply to everything left out). */
  static override forRoot(options: GorxRootOptions = {}): DynamicModule {
    return withBoard(super.forRoot(options), options.board);
  }

  /** As `forRoot`, with options from a factory, class or existing provider. */
  static override forRootAsync(options: GorxRootAsyncOptions): DynamicModule {
    return withBoard(super.forRootAsync(options), options.board);
  }

  /** Channels as providers, injected with `@InjectChannel(name)`. */
  static forFeature(options: GorxFeatureOptions): DynamicModule {
    return GorxChannelsModule.register(options);
  }
}

/** Adds the board's controller and providers when `board` is given (its options checked here). */
function withBoard(module: DynamicModule, board: GorxRootOptions['board']): DynamicModule {
  if (board === undefined) return module;
  const parts = boardModuleParts(board);
  return {
    ...module,
    controllers: [...(module.controllers ?? []), ...parts.controllers],
    providers: [...(module.providers ?? []), ...parts.providers],
  };
}
