/**
 * gorx/nest: supervised background workers, heartbeats, restart policies, kill-on-supersede,
 * channels as providers and a health indicator for NestJS.
 * @module
 */
export { GorxModule } from './gorx.module.js';
export {
  GORX_MODULE_OPTIONS,
  type GorxRootAsyncOptions,
  type GorxRootOptions,
} from './gorx.module-definition.js';
export {
  GORX_DEFAULTS,
  type BackgroundWorkerOptions,
  type BackoffOptions,
  type GorxModuleOptions,
  type MaxRestartsOptions,
  type ResolvedWorkerOptions,
  type RestartPolicy,
} from './worker.options.js';
export type { WorkerContext, WorkerFunction } from './worker.context.js';
export type { WorkerEvent, WorkerEventType, WorkerState, WorkerStatus } from './worker.events.js';
export { WorkerRegistryError, type WorkerRegistryErrorCode } from './worker.errors.js';
export { BackgroundWorker } from './background-worker.decorator.js';
export {
  Supersede,
  supersedeContext,
  type SupersedeMode,
  type SupersedeOptions,
  type SupersedeRunContext,
} from './supersede.decorator.js';
export { WorkerRegistry, type SupersedeRunOptions } from './worker.registry.js';
export { WorkerSupervisor } from './worker.supervisor.js';
export { WorkerExplorer } from './worker.explorer.js';
export { WorkerMetadataAccessor } from './worker.metadata-accessor.js';
export { getChannelToken, InjectChannel } from './inject-channel.decorator.js';
export {
  GorxChannelsModule,
  type ChannelDefinition,
  type GorxFeatureOptions,
} from './gorx-channels.module.js';
export {
  GorxHealthIndicator,
  type EventLoopDelay,
  type GorxHealthResult,
  type WorkerHealth,
} from './gorx.health-indicator.js';
