/** Metadata keys (not exported from `gorx/nest`). @module */

/** Metadata key of `@BackgroundWorker()`. */
export const GORX_WORKER_METADATA = 'gorx:background-worker';
/** Metadata key of `@Supersede()`. */
export const GORX_SUPERSEDE_METADATA = 'gorx:supersede';
