/** @module */
import { GorxError } from 'gorx';

/** Stable codes of `ObservabilityError`. */
export type ObservabilityErrorCode =
  | 'ERR_PEER_MISSING'
  | 'ERR_METRICS_REGISTERED'
  | 'ERR_INVALID_OPTIONS'
  | 'ERR_BOARD_GUARD_REQUIRED';

/**
 * A misconfiguration of `metrics`, `tracing` or `board`, reported when the module is created,
 * before anything starts: a missing optional peer (`ERR_PEER_MISSING`), `gorx_*` metrics already
 * in the Prometheus registry (`ERR_METRICS_REGISTERED`), a bad option (`ERR_INVALID_OPTIONS`),
 * board actions without a guard (`ERR_BOARD_GUARD_REQUIRED`).
 *
 * @example
 * ```ts
 * import { ObservabilityError } from 'gorx/nest';
 *
 * const isMissingPeer = (e: unknown): boolean =>
 *   e instanceof ObservabilityError && e.code === 'ERR_PEER_MISSING';
 * ```
 */
export class ObservabilityError extends GorxError {
  declare readonly code: ObservabilityErrorCode;
  constructor(code: ObservabilityErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
