// Minimal metric objects that a prom-client Registry accepts through
// `registerMetric` (it only calls `get()`), so the agent never imports prom-client
// and works with whichever copy the host uses. One object per metric name and
// registry, shared by every pool/bridge that reports under that name.
import type { MetricAttributes, PromMetricLike, PromRegistryLike, PromValue } from './types.js';

const OURS = Symbol.for('leakhound.promMetric');

export type Collector = (observe: (value: number, labels: MetricAttributes) => void) => void;

interface HistogramSeries {
  labels: MetricAttributes;
  counts: number[];
  sum: number;
  count: number;
}

export class SharedPromMetric implements PromMetricLike {
  readonly [OURS] = true;
  readonly collectors = new Set<Collector>();
  private readonly _series = new Map<string, { labels: MetricAttributes; value: number }>();
  private readonly _histograms = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter' | 'histogram',
    readonly buckets: readonly number[] = [],
  ) {}

  inc(labels: MetricAttributes, value: number): void {
    const key = labelKey(labels);
    const series = this._series.get(key);
    if (series === undefined) this._series.set(key, { labels, value });
    else series.value += value;
  }

  observe(labels: MetricAttributes, value: number): void {
    const key = labelKey(labels);
    let series = this._histograms.get(key);
    if (series === undefined) {
      series = { labels, counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
      this._histograms.set(key, series);
    }
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] as number)) series.counts[i] = (series.counts[i] as number) + 1;
    }
    series.sum += value;
    series.count++;
  }

  async get(): Promise<{ name: string; help: string; type: string; values: PromValue[]; aggregator: string }> {
    const values: PromValue[] = [];
    for (const collect of this.collectors) {
      try {
        collect((value, labels) => values.push({ value, labels }));
      } catch {
        // A failing source (a pool mid-shutdown) drops its samples, not the scrape.
      }
    }
    for (const series of this._series.values()) values.push({ value: series.value, labels: series.labels });
    for (const series of this._histograms.values()) {
      for (let i = 0; i < this.buckets.length; i++) {
        values.push({ metricName: `${this.name}_bucket`, value: series.counts[i] as number, labels: { ...series.labels, le: this.buckets[i] as number } });
      }
      values.push({ metricName: `${this.name}_bucket`, value: series.count, labels: { ...series.labels, le: '+Inf' } });
      values.push({ metricName: `${this.name}_sum`, value: series.sum, labels: series.labels });
      values.push({ metricName: `${this.name}_count`, value: series.count, labels: series.labels });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }
}

/**
 * The registry's metric of that name if it is ours and of the same type, a new one registered
 * otherwise, or undefined when the name is taken by someone else's metric (we never replace it).
 */
export function sharedPromMetric(
  registry: PromRegistryLike,
  name: string,
  help: string,
  type: 'gauge' | 'counter' | 'histogram',
  buckets?: readonly number[],
): SharedPromMetric | undefined {
  const existing = registry.getSingleMetric(name);
  if (existing !== undefined) {
    return existing instanceof Object && OURS in existing && (existing as SharedPromMetric).type === type ? (existing as SharedPromMetric) : undefined;
  }
  const metric = new SharedPromMetric(name, help, type, buckets);
  registry.registerMetric(metric as never);
  return metric;
}

function labelKey(labels: MetricAttributes): string {
  let key = '';
  for (const name of Object.keys(labels).sort()) key += `${name}\u0000${String(labels[name])}\u0001`;
  return key;
}
