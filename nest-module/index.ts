/**
 * gorx/nest: supervised background workers, schedules, heartbeats, restart policies,
 * kill-on-supersede, channels as providers and a health indicator for NestJS.
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
  OVERLAP_POLICIES,
  RESTART_POLICIES,
  type BackgroundWorkerOptions,
  type BackoffOptions,
  type GorxClusterOptions,
  type GorxModuleOptions,
  type LifecycleLogLevel,
  type MaxRestartsOptions,
  type OverlapPolicy,
  type RestartPolicy,
  type ScheduleOptions,
  type WorkerOverride,
} from './worker.options.js';
export {
  WorkerContext,
  type SingletonWorkerContext,
  type WorkerFunction,
} from './worker.context.js';
export type {
  WorkerEvent,
  WorkerEventType,
  WorkerLeaseStatus,
  WorkerState,
  WorkerStatus,
} from './worker.events.js';
export {
  ShutdownError,
  WorkerRegistryError,
  type WorkerRegistryErrorCode,
} from './worker.errors.js';
export { ObservabilityError, type ObservabilityErrorCode } from './observability.errors.js';
export type {
  BoardGuard,
  GorxBoardOptions,
  GorxMetricsOptions,
  PrometheusRegistryLike,
} from './observability.options.js';
export { BackgroundWorker } from './background-worker.decorator.js';
export {
  Supersede,
  supersedeContext,
  type SupersedeMode,
  type SupersedeOptions,
  type SupersedeRunContext,
} from './supersede.decorator.js';
export { WorkerRegistry, type StopOptions, type SupersedeRunOptions } from './worker.registry.js';
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
