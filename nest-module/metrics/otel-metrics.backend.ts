/**
 * The catalog's metrics as OpenTelemetry instruments of the global `MeterProvider`.
 * `@opentelemetry/api` is an optional peer: this file receives the loaded module (see
 * telemetry.provider.ts) and imports only its types.
 */
import type * as OtelApi from '@opentelemetry/api';
import {
  METRICS,
  type GaugeSample,
  type Labels,
  type MetricKey,
  type MetricsBackend,
} from './metrics.catalog.js';

export class OtelMetricsBackend implements MetricsBackend {
  private readonly counters = new Map<MetricKey, OtelApi.Counter>();
  private readonly histograms = new Map<MetricKey, OtelApi.Histogram>();
  private readonly gauges = new Map<MetricKey, OtelApi.ObservableGauge>();
  private readonly callbacks: [OtelApi.ObservableGauge, OtelApi.ObservableCallback][] = [];

  constructor(api: typeof OtelApi) {
    const meter = api.metrics.getMeter('gorx');
    for (const [key, m] of Object.entries(METRICS) as [MetricKey, (typeof METRICS)[MetricKey]][]) {
      const options = { description: m.help, unit: m.unit };
      if (m.type === 'counter')
        this.counters.set(key, meter.createCounter(m.openTelemetry, options));
      else if (m.type === 'histogram') {
        this.histograms.set(
          key,
          meter.createHistogram(m.openTelemetry, {
            ...options,
            advice: { explicitBucketBoundaries: [...m.buckets!] },
          }),
        );
      } else this.gauges.set(key, meter.createObservableGauge(m.openTelemetry, options));
    }
  }

  add(key: MetricKey, labels: Labels): void {
    this.counters.get(key)!.add(1, labels);
  }

  observe(key: MetricKey, labels: Labels, value: number): void {
    this.histograms.get(key)!.record(value, labels);
  }

  gauge(key: MetricKey, read: () => Iterable<GaugeSample>): void {
    const gauge = this.gauges.get(key)!;
    const callback: OtelApi.ObservableCallback = (result) => {
      for (const s of read()) result.observe(s.value, s.labels);
    };
    gauge.addCallback(callback);
    this.callbacks.push([gauge, callback]);
  }

  close(): void {
    for (const [gauge, callback] of this.callbacks.splice(0)) gauge.removeCallback(callback);
  }
}
