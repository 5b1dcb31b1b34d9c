/**
 * `gorx/rxjs`: channels and goroutines as RxJS Observables and operators.
 * @module
 */
export { fromChannel } from './from-channel.js';
export { fromChannelGo, type FromChannelGoOptions } from './from-channel-go.js';
export { toChannel, type Overflow, type ToChannelOptions } from './to-channel.js';
export { ChannelOverflowError } from './overflow-error.js';
export { select$ } from './select-observable.js';
export { switchGo, type SwitchGoOptions } from './switch-go.js';
export { mergeGo, type MergeGoOptions } from './merge-go.js';
export type { GoWork } from './go-work.js';
export { runMarbles, type MarbleHelpers } from './run-marbles.js';
