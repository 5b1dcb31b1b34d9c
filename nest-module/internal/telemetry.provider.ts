/**
 * Builds the supervisor's `Telemetry` from `metrics` and `tracing` when the module is created.
 * The optional peers are loaded here, with a dynamic import, only when their option is given:
 * an application without these options never loads them and its supervisor holds `null`.
 */
import type { Provider } from '@nestjs/common';
import type * as OtelApi from '@opentelemetry/api';
import { GORX_MODULE_OPTIONS } from '../gorx.module-definition.js';
import { ObservabilityError } from '../observability.errors.js';
import type { GorxModuleOptions } from '../worker.options.js';
import type { MetricsBackend } from '../metrics/metrics.catalog.js';
import { Telemetry, type TelemetrySink } from './telemetry.js';

/** Injection token of the supervisor's `Telemetry | null`. */
export const GORX_TELEMETRY = Symbol('GORX_TELEMETRY');

export const telemetryProvider: Provider = {
  provide: GORX_TELEMETRY,
  inject: [GORX_MODULE_OPTIONS],
  useFactory: (options: GorxModuleOptions | undefined) => createTelemetry(options ?? {}),
};

export async function createTelemetry(options: GorxModuleOptions): Promise<Telemetry | null> {
  const { metrics, tracing } = checkOptions(options);
  if (metrics === undefined && !tracing) return null;
  const sinks: TelemetrySink[] = [];
  const backends: MetricsBackend[] = [];
  if (metrics?.prometheus !== undefined) {
    const mod = (await load('prom-client', 'metrics.prometheus')) as Record<string, unknown>;
    // CommonJS: the exports may arrive as named exports or only as `default`.
    const client = 'Counter' in mod ? mod : mod.default;
    const { PrometheusBackend } = await import('../metrics/prometheus.backend.js');
    backends.push(new PrometheusBackend(client as never, metrics.prometheus.registry));
  }
  if (metrics?.openTelemetry === true || tracing) {
    const api = (await load(
      '@opentelemetry/api',
      metrics?.openTelemetry === true ? 'metrics.openTelemetry' : 'tracing',
    )) as typeof OtelApi;
    if (metrics?.openTelemetry === true) {
      const { OtelMetricsBackend } = await import('../metrics/otel-metrics.backend.js');
      backends.push(new OtelMetricsBackend(api));
    }
    if (tracing) {
      const { TracingSink } = await import('../tracing/tracing.sink.js');
      sinks.push(new TracingSink(api));
    }
  }
  if (backends.length > 0) {
    const { MetricsSink } = await import('../metrics/metrics.sink.js');
    sinks.unshift(new MetricsSink(backends));
  }
  return sinks.length === 0 ? null : new Telemetry(sinks);
}

function checkOptions(
  options: GorxModuleOptions,
): Pick<GorxModuleOptions, 'metrics'> & { tracing: boolean } {
  const { metrics, tracing = false } = options;
  if (typeof tracing !== 'boolean') {
    throw new ObservabilityError(
      'ERR_INVALID_OPTIONS',
      `tracing must be a boolean, got ${typeof tracing}`,
    );
  }
  if (metrics === undefined) return { tracing };
  if (typeof metrics !== 'object' || metrics === null) {
    throw new ObservabilityError(
      'ERR_INVALID_OPTIONS',
      'metrics must be an object: { prometheus?, openTelemetry? }',
    );
  }
  const { prometheus, openTelemetry } = metrics;
  if (prometheus !== undefined) {
    if (typeof prometheus !== 'object' || prometheus === null) {
      throw new ObservabilityError(
        'ERR_INVALID_OPTIONS',
        'metrics.prometheus must be an object: { registry? }',
      );
    }
    const r = prometheus.registry as Partial<Record<string, unknown>> | undefined;
    if (
      r !== undefined &&
      (typeof r !== 'object' ||
        r === null ||
        typeof r.getSingleMetric !== 'function' ||
        typeof r.registerMetric !== 'function' ||
        typeof r.removeSingleMetric !== 'function')
    ) {
      throw new ObservabilityError(
        'ERR_INVALID_OPTIONS',
        'metrics.prometheus.registry must be a prom-client Registry (new Registry(), or register)',
      );
    }
  }
  if (openTelemetry !== undefined && typeof openTelemetry !== 'boolean') {
    throw new ObservabilityError('ERR_INVALID_OPTIONS', 'metrics.openTelemetry must be a boolean');
  }
  if (prometheus === undefined && openTelemetry !== true) {
    throw new ObservabilityError(
      'ERR_INVALID_OPTIONS',
      'metrics: give prometheus: {} (or { registry }) and/or openTelemetry: true, or leave metrics out',
    );
  }
  return { metrics, tracing };
}

export async function load(peer: string, option: string): Promise<unknown> {
  try {
    return (await import(peer)) as unknown;
  } catch (e) {
    throw new ObservabilityError(
      'ERR_PEER_MISSING',
      `${option} needs the optional peer dependency "${peer}" (npm i ${peer})`,
      { cause: e },
    );
  }
}
