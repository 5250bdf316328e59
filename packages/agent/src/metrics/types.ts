// Structural types for the two metric back ends, so the agent needs neither
// prom-client nor @opentelemetry/api to compile or to load.

/** The part of a prom-client `Registry` the bridge uses. */
export interface PromRegistryLike {
  // `never`: prom-client types the parameter as its own Metric class; ours is structurally what its registry calls.
  registerMetric(metric: never): void;
  getSingleMetric(name: string): unknown;
  removeSingleMetric?(name: string): void;
}

export interface PromValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** What prom-client's registry calls on a registered metric. */
export interface PromMetricLike {
  name: string;
  help: string;
  type: 'gauge' | 'counter' | 'histogram';
  get(): Promise<{ name: string; help: string; type: string; values: PromValue[]; aggregator: string }>;
}

export type MetricAttributes = Record<string, string | number>;

export interface OtelObservableResult {
  observe(value: number, attributes?: MetricAttributes): void;
}
export interface OtelObservable {
  addCallback(callback: (result: OtelObservableResult) => void): void;
  removeCallback(callback: (result: OtelObservableResult) => void): void;
}
export interface OtelInstrumentOptions {
  description?: string;
  unit?: string;
  advice?: { explicitBucketBoundaries?: number[] };
}
export interface OtelMeter {
  createCounter(name: string, options?: OtelInstrumentOptions): { add(value: number, attributes?: MetricAttributes): void };
  createHistogram(name: string, options?: OtelInstrumentOptions): { record(value: number, attributes?: MetricAttributes): void };
  createObservableGauge(name: string, options?: OtelInstrumentOptions): OtelObservable;
  createObservableUpDownCounter(name: string, options?: OtelInstrumentOptions): OtelObservable;
}
export interface OtelMeterProviderLike {
  getMeter(name: string, version?: string): OtelMeter;
}
