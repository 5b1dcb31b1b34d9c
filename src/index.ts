/**
 * gorx: Go's concurrency model (channels, select, goroutines) on Node's event loop.
 * @module
 */
export {
  chan,
  isChan,
  type Chan,
  type ChanInfo,
  type ChanOptions,
  type OpOptions,
  type RecvCallback,
  type RecvCallbackOptions,
  type RecvChan,
  type SendChan,
  type TryRecvResult,
} from './chan.js';
export {
  recv,
  select,
  selectCallback,
  send,
  trySelect,
  type CaseResult,
  type RecvCase,
  type SelectCase,
  type SelectOptions,
  type SelectResult,
  type SendCase,
} from './select.js';
export {
  go,
  type GoContext,
  type GoFunction,
  type GoOptions,
  type Goroutine,
  type GoroutineState,
} from './go.js';
export { dumpGoroutines, goroutines, type GoroutineInfo } from './goroutines.js';
export { WaitGroup, type WaitOptions } from './wait-group.js';
export { Group, type GroupOptions } from './group.js';
export { range, type RangeOptions } from './range.js';
export { sleep, type SleepOptions } from './sleep.js';
export { after } from './after.js';
export { ticker, type Ticker } from './ticker.js';
export { timeout, type TimeoutOptions } from './timeout.js';
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
