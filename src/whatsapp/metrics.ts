import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

type Labels = Record<string, string>;

/** Seconds, for request and job durations: 5 ms to 10 s (prom-client's defaults). */
const DEFAULT_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Prometheus metrics of one Coxcox, in prom-client: it escapes label values (a newline in a URL cannot
 * break the exposition), types each metric, and adds the process's default metrics. Each Coxcox has its
 * own Registry, not prom-client's global one, so several in one process (tests, the bench) do not collide.
 *
 * A metric is declared by its first use, with that call's label names; later calls may leave labels out
 * but not add new ones (prom-client throws: a programming error, caught by any test that reaches it).
 * Callers keep label values to a bounded set (an unknown app id is `unknown`, never the id itself).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter>();
  private readonly gauges = new Map<string, Gauge>();
  private readonly histograms = new Map<string, Histogram>();
  /** prom-client reads values asynchronously; `value()` answers synchronously from this copy. */
  private readonly values = new Map<string, number>();

  constructor(options: { hasDefaultMetrics?: boolean } = {}) {
    if (options.hasDefaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  increment(name: string, help: string, labels: Labels = {}, by = 1): void {
    let counter = this.counters.get(name);
    if (!counter) {
      counter = new Counter({ name, help, labelNames: Object.keys(labels), registers: [this.registry] });
      this.counters.set(name, counter);
    }
    counter.inc(labels, by);
    const key = valueKey(name, labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  set(name: string, help: string, labels: Labels, value: number): void {
    let gauge = this.gauges.get(name);
    if (!gauge) {
      gauge = new Gauge({ name, help, labelNames: Object.keys(labels), registers: [this.registry] });
      this.gauges.set(name, gauge);
    }
    gauge.set(labels, value);
    this.values.set(valueKey(name, labels), value);
  }

  /** Records one observation (a duration in seconds, a size) in a histogram. */
  observe(
    name: string,
    help: string,
    labels: Labels,
    value: number,
    buckets: number[] = DEFAULT_BUCKETS_SECONDS,
  ): void {
    let histogram = this.histograms.get(name);
    if (!histogram) {
      histogram = new Histogram({
        name,
        help,
        labelNames: Object.keys(labels),
        buckets,
        registers: [this.registry],
      });
      this.histograms.set(name, histogram);
    }
    histogram.observe(labels, value);
  }

  /** A counter's total or a gauge's value for exactly these labels; 0 when never recorded. */
  value(name: string, labels: Labels = {}): number {
    return this.values.get(valueKey(name, labels)) ?? 0;
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

function valueKey(name: string, labels: Labels): string {
  const sorted = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([name, sorted]);
}
