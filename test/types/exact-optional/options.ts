// Type test (issue 15 item 2): under `exactOptionalPropertyTypes`, every options type of every
// entry point accepts `undefined` for each optional property, so `{ signal: maybeSignal }` compiles.
// Checked by `npm run typecheck` (tsc -p test/types/exact-optional). test/types/options-list.test.ts
// fails when an entry point exports an options type this file does not list.
import type {
  ChanOptions,
  GoOptions,
  GroupOptions,
  OpOptions,
  RangeOptions,
  RecvCallbackOptions,
  SelectOptions,
  SignalOptions,
  SleepOptions,
  TimeoutOptions,
  WaitOptions,
} from 'gorx';
import type { FromAsyncIterableOptions } from 'gorx/async-iterable';
import type {
  LeaseOptions,
  PostgresStoreOptions,
  SupersedeAcrossClusterOptions,
} from 'gorx/cluster';
import type {
  BackgroundWorkerOptions,
  BackoffOptions,
  GorxBoardOptions,
  GorxClusterOptions,
  GorxFeatureOptions,
  GorxMetricsOptions,
  GorxModuleOptions,
  GorxRootOptions,
  MaxRestartsOptions,
  ScheduleOptions,
  StopOptions,
  SupersedeOptions,
  SupersedeRunOptions,
  WorkerOverride,
} from 'gorx/nest';
import type {
  FromChannelGoOptions,
  MergeGoOptions,
  SwitchGoOptions,
  ToChannelOptions,
} from 'gorx/rxjs';
import type { BridgedSendOptions, ThreadOptions, ThreadPoolOptions } from 'gorx/threads';

/** The optional keys of T. */
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
/** T with every optional property present and undefined (the required ones as they are). */
type AllUndefined<T> = { [K in OptionalKeys<T>]-?: undefined } & Omit<T, OptionalKeys<T>>;
/** Compiles only if T accepts `undefined` in each optional property. */
type AcceptsUndefined<T> = AllUndefined<T> extends T ? true : never;

export const checked: { [name: string]: true } = {
  ChanOptions: true satisfies AcceptsUndefined<ChanOptions>,
  GoOptions: true satisfies AcceptsUndefined<GoOptions>,
  GroupOptions: true satisfies AcceptsUndefined<GroupOptions>,
  OpOptions: true satisfies AcceptsUndefined<OpOptions>,
  RangeOptions: true satisfies AcceptsUndefined<RangeOptions>,
  RecvCallbackOptions: true satisfies AcceptsUndefined<RecvCallbackOptions>,
  SelectOptions: true satisfies AcceptsUndefined<SelectOptions>,
  SignalOptions: true satisfies AcceptsUndefined<SignalOptions>,
  SleepOptions: true satisfies AcceptsUndefined<SleepOptions>,
  TimeoutOptions: true satisfies AcceptsUndefined<TimeoutOptions>,
  WaitOptions: true satisfies AcceptsUndefined<WaitOptions>,
  FromAsyncIterableOptions: true satisfies AcceptsUndefined<FromAsyncIterableOptions>,
  ToChannelOptions: true satisfies AcceptsUndefined<ToChannelOptions>,
  SwitchGoOptions: true satisfies AcceptsUndefined<SwitchGoOptions>,
  MergeGoOptions: true satisfies AcceptsUndefined<MergeGoOptions>,
  FromChannelGoOptions: true satisfies AcceptsUndefined<FromChannelGoOptions>,
  GorxMetricsOptions: true satisfies AcceptsUndefined<GorxMetricsOptions>,
  GorxBoardOptions: true satisfies AcceptsUndefined<GorxBoardOptions>,
  BackgroundWorkerOptions: true satisfies AcceptsUndefined<BackgroundWorkerOptions>,
  BackoffOptions: true satisfies AcceptsUndefined<BackoffOptions>,
  MaxRestartsOptions: true satisfies AcceptsUndefined<MaxRestartsOptions>,
  GorxModuleOptions: true satisfies AcceptsUndefined<GorxModuleOptions>,
  GorxRootOptions: true satisfies AcceptsUndefined<GorxRootOptions>,
  GorxFeatureOptions: true satisfies AcceptsUndefined<GorxFeatureOptions>,
  SupersedeOptions: true satisfies AcceptsUndefined<SupersedeOptions<unknown[]>>,
  SupersedeRunOptions: true satisfies AcceptsUndefined<SupersedeRunOptions>,
  ScheduleOptions: true satisfies AcceptsUndefined<ScheduleOptions>,
  StopOptions: true satisfies AcceptsUndefined<StopOptions>,
  WorkerOverride: true satisfies AcceptsUndefined<WorkerOverride>,
  GorxClusterOptions: true satisfies AcceptsUndefined<GorxClusterOptions>,
  ThreadOptions: true satisfies AcceptsUndefined<ThreadOptions>,
  ThreadPoolOptions: true satisfies AcceptsUndefined<ThreadPoolOptions>,
  BridgedSendOptions: true satisfies AcceptsUndefined<BridgedSendOptions>,
  LeaseOptions: true satisfies AcceptsUndefined<LeaseOptions>,
  PostgresStoreOptions: true satisfies AcceptsUndefined<PostgresStoreOptions>,
  SupersedeAcrossClusterOptions: true satisfies AcceptsUndefined<SupersedeAcrossClusterOptions>,
};

/** Types that are not inputs, or are Nest's own (its ConfigurableModuleBuilder async options). */
export const notChecked = ['ResolvedWorkerOptions', 'GorxRootAsyncOptions'];

// The case from the issue, written out: a signal that may be undefined.
declare const maybeSignal: AbortSignal | undefined;
declare const maybeName: string | undefined;
export const examples: [SignalOptions, GoOptions, ChanOptions, ToChannelOptions] = [
  { signal: maybeSignal },
  { name: maybeName, signal: maybeSignal },
  { name: maybeName },
  { capacity: undefined, overflow: undefined, name: maybeName },
];

// The check can fail: a property without `| undefined` is refused.
interface Strict {
  signal?: AbortSignal;
}
// @ts-expect-error `signal?: AbortSignal` does not accept undefined under exactOptionalPropertyTypes
export const strict: AcceptsUndefined<Strict> = true;
