/** Metadata keys and injection tokens. @module */

/** @internal Metadata key of `@BackgroundWorker()`. */
export const GORX_WORKER_METADATA = 'gorx:background-worker';
/** @internal Metadata key of `@Supersede()`. */
export const GORX_SUPERSEDE_METADATA = 'gorx:supersede';
