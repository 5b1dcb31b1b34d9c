/**
 * gorx: Go's concurrency model (channels, select, goroutines) on Node's event loop.
 * @module
 */
export { chan, isChan } from './chan.js';
export { recv, select, selectCallback, send, trySelect } from './select.js';
export type { CaseResult, RecvCase, SelectCase, SelectResult, SendCase } from './select.js';
export { go } from './go.js';
export { until } from './until.js';
export type {
  Chan,
  ChanInfo,
  ChanOptions,
  GoContext,
  GoFunction,
  GoOptions,
  Goroutine,
  GoroutineInfo,
  GoroutineState,
  GroupOptions,
  OpOptions,
  RangeOptions,
  RecvCallback,
  RecvCallbackOptions,
  RecvChan,
  SelectOptions,
  SendChan,
  SignalOptions,
  SleepOptions,
  TimeoutOptions,
  TryRecvResult,
  WaitOptions,
} from './types.js';
export { goContext } from './types.js';
export { dumpGoroutines, goroutines } from './goroutines.js';
export { WaitGroup } from './wait-group.js';
export { Group } from './group.js';
export { range } from './range.js';
export { sleep } from './sleep.js';
export { after } from './after.js';
export { ticker, type Ticker } from './ticker.js';
export { timeout } from './timeout.js';
export { installClock, type Clock } from './clock.js';
export {
  ChannelClosedError,
  DeadlockError,
  GorxError,
  GoroutineExit,
  HeartbeatTimeoutError,
  SupersededError,
  TimeoutError,
  type GorxErrorCode,
} from './errors.js';
