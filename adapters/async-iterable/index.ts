/**
 * `gorx/async-iterable`: async iterables as channels. Channels are themselves async iterables
 * (`for await`; `break` withdraws the pending receive).
 * @module
 */
export { fromAsyncIterable, type FromAsyncIterableOptions } from './from-async-iterable.js';
