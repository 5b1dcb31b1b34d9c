/**
 * The catalog's metrics in a prom-client registry. prom-client is an optional peer: this file
 * receives the loaded module (see telemetry.provider.ts), it never imports it.
 */
import type { PrometheusRegistryLike } from '../observability.options.js';
import { ObservabilityError } from '../observability.errors.js';
import {
  METRICS,
  type GaugeSample,
  type Labels,
  type MetricKey,
  type MetricsBackend,
} from './metrics.catalog.js';

/** The part of prom-client used here (structural). */
export interface PromClientLike {
  register: PrometheusRegistryLike;
  Counter: new (config: PromConfig & { collect(): void }) => {
    inc(labels: Labels, value?: number): void;
  };
  Histogram: new (config: PromConfig & { buckets: number[] }) => {
    observe(labels: Labels, value: number): void;
  };
  Gauge: new (config: PromConfig & { collect(this: PromGauge): void }) => PromGauge;
}

interface PromConfig {
  name: string;
  help: string;
  labelNames: string[];
  registers: PrometheusRegistryLike[];
}

interface PromGauge {
  set(labels: Labels, value: number): void;
  reset(): void;
}

/** Counts of one counter since the last scrape, by label set. */
type PendingCounts = Map<string, { labels: Labels; n: number }>;

/**
 * Counters are counted here and handed to prom-client when it is scraped (its `inc` costs about
 * a microsecond: it hashes and validates the labels on every call); histograms go to prom-client
 * at once.
 */
export class PrometheusBackend implements MetricsBackend {
  private readonly counters = new Map<MetricKey, PendingCounts>();
  private readonly histograms = new Map<
    MetricKey,
    { observe(labels: Labels, value: number): void }
  >();
  private readonly readers = new Map<MetricKey, () => Iterable<GaugeSample>>();
  private readonly registry: PrometheusRegistryLike;

  constructor(client: PromClientLike, registry: PrometheusRegistryLike | undefined) {
    this.registry = registry ?? client.register;
    const taken = Object.values(METRICS)
      .map((m) => m.prometheus)
      .filter((name) => this.registry.getSingleMetric(name) !== undefined);
    if (taken.length > 0) {
      throw new ObservabilityError(
        'ERR_METRICS_REGISTERED',
        `metrics.prometheus: the registry already holds ${taken.join(', ')}: another GorxModule ` +
          'of this process registered them (close that application first, or give each one its ' +
          'own registry: metrics: { prometheus: { registry: new Registry() } })',
      );
    }
    const registers = [this.registry];
    const readers = this.readers;
    for (const [key, m] of Object.entries(METRICS) as [MetricKey, (typeof METRICS)[MetricKey]][]) {
      const config = { name: m.prometheus, help: m.help, labelNames: [...m.labels], registers };
      if (m.type === 'counter') {
        const pending: PendingCounts = new Map();
        this.counters.set(key, pending);
        const counter = new client.Counter({
          ...config,
          collect() {
            for (const p of pending.values()) {
              if (p.n > 0) counter.inc(p.labels, p.n);
              p.n = 0;
            }
          },
        });
      } else if (m.type === 'histogram') {
        this.histograms.set(key, new client.Histogram({ ...config, buckets: [...m.buckets!] }));
      } else {
        new client.Gauge({
          ...config,
          collect(this: PromGauge) {
            this.reset();
            const read = readers.get(key);
            if (read !== undefined) for (const s of read()) this.set(s.labels, s.value);
          },
        });
      }
    }
  }

  add(key: MetricKey, labels: Labels): void {
    const pending = this.counters.get(key)!;
    // Label sets of one metric are built with the same keys in the same order (metrics.sink.ts).
    const id = Object.values(labels).join('\u0000');
    const p = pending.get(id);
    if (p === undefined) pending.set(id, { labels, n: 1 });
    else p.n++;
  }

  observe(key: MetricKey, labels: Labels, value: number): void {
    this.histograms.get(key)!.observe(labels, value);
  }

  gauge(key: MetricKey, read: () => Iterable<GaugeSample>): void {
    this.readers.set(key, read);
  }

  close(): void {
    this.readers.clear();
    for (const m of Object.values(METRICS)) this.registry.removeSingleMetric(m.prometheus);
  }
}
