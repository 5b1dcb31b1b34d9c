/**
 * Options of gorx/nest's observability: metrics (`prom-client`, OpenTelemetry), traces
 * (OpenTelemetry) and the worker board. Each is off unless configured; the optional peers are
 * loaded only when their option is given.
 * @module
 */

/**
 * The part of a `prom-client` `Registry` gorx uses (structural, so `prom-client`'s types stay
 * out of gorx's declarations). Pass `new Registry()` or prom-client's global `register`.
 *
 * @example
 * ```ts
 * import type { PrometheusRegistryLike } from 'gorx/nest';
 *
 * const seen: string[] = [];
 * const registry: PrometheusRegistryLike = {
 *   getSingleMetric: () => undefined,
 *   registerMetric: () => {},
 *   removeSingleMetric: (name) => void seen.push(name),
 * };
 * ```
 */
export interface PrometheusRegistryLike {
  getSingleMetric(name: string): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  registerMetric(metric: any): void;
  removeSingleMetric(name: string): void;
}

/**
 * `GorxModuleOptions.metrics`: where gorx's figures go. `prometheus: {}` registers the `gorx_*`
 * metrics in prom-client's global registry (serve it at your `/metrics`), `prometheus: { registry }`
 * in that registry; `openTelemetry: true` records them through the global `MeterProvider` of
 * `@opentelemetry/api`. See docs/observability.md for the list.
 *
 * @example
 * ```ts
 * import type { GorxMetricsOptions } from 'gorx/nest';
 *
 * const metrics: GorxMetricsOptions = { prometheus: {}, openTelemetry: false };
 * ```
 */
export interface GorxMetricsOptions {
  /** Needs the optional peer `prom-client` (`npm i prom-client`). */
  prometheus?: { registry?: PrometheusRegistryLike | undefined } | undefined;
  /** Needs the optional peer `@opentelemetry/api` and a registered `MeterProvider`. */
  openTelemetry?: boolean | undefined;
}

/**
 * Who may use the worker board: a Nest guard class (resolved like any `@UseGuards` guard, so it
 * may inject providers visible to `GorxModule`), or a function of the platform's request object
 * (Express `Request` or Fastify `FastifyRequest`) that returns whether the request may pass.
 * Runs on every board request: the page, its event stream and its actions. Refusing answers 403
 * (throw `UnauthorizedException` from a guard class for 401).
 *
 * @example
 * ```ts
 * import type { BoardGuard } from 'gorx/nest';
 *
 * // Everyone on the internal network may look; acting needs the admin token.
 * const guard: BoardGuard = (req) =>
 *   (req as { method: string }).method === 'GET' ||
 *   (req as { headers: Record<string, string | undefined> }).headers['x-admin-token'] === 'secret';
 * ```
 */
export type BoardGuard =
  | (abstract new (...args: never[]) => { canActivate(context: never): unknown })
  | ((request: unknown) => boolean | Promise<boolean>);

/**
 * `GorxModule.forRoot({ board })`: a live worker board (one self-contained HTML page) at `path`,
 * its server-sent events at `path + '/events'`, and with `actions: true` the buttons stop,
 * start, restart and remove (`POST {path}/workers/:name/{action}`, with a CSRF token). Off when
 * `board` is not given; read-only unless `actions: true`, which requires a `guard`.
 *
 * @example
 * ```ts
 * import { GorxModule } from 'gorx/nest';
 *
 * GorxModule.forRoot({
 *   board: {
 *     path: '/gorx',
 *     guard: (req) => (req as { headers: { authorization?: string } }).headers.authorization === 'Bearer t0ken',
 *     actions: true,
 *   },
 * });
 * ```
 */
export interface GorxBoardOptions {
  /** Where the page is served (default `'/gorx'`). */
  path?: string | undefined;
  guard?: BoardGuard | undefined;
  /** Show and accept stop / start / restart / remove (default false). Requires `guard`. */
  actions?: boolean | undefined;
}
