// One place that turns "this is a gauge/counter/histogram" into instruments on
// both back ends the host may have: a prom-client registry it passed in, and the
// OpenTelemetry global meter (or a meter provider it passed in). Pool and memory
// monitoring both describe their metrics once and report through this.
import { globalMeterProvider } from './otel.js';
import { sharedPromMetric, type Collector, type SharedPromMetric } from './prometheus.js';
import type { MetricAttributes, OtelMeter, OtelMeterProviderLike, OtelObservable, OtelObservableResult, PromRegistryLike } from './types.js';

export interface MetricDefinition {
  /** OpenTelemetry instrument name, e.g. `db.client.connection.count`. */
  otelName: string;
  /** Prometheus metric name, e.g. `db_client_connection_count`. */
  promName: string;
  help: string;
  /** UCUM unit for OpenTelemetry (`s`, `By`, `{connection}`). */
  unit?: string;
  /** OpenTelemetry attribute key → Prometheus label name; attributes not listed are not Prometheus labels. */
  labels?: Readonly<Record<string, string>>;
}

export interface HistogramDefinition extends MetricDefinition {
  /** Upper bounds, in the unit of the recorded values. */
  buckets: readonly number[];
}

export type Observe = (value: number, attributes: MetricAttributes) => void;

export interface MetricsBridgeOptions {
  /** A prom-client Registry (e.g. `client.register`). */
  registry?: PromRegistryLike;
  /** An OpenTelemetry MeterProvider; defaults to the global one when @opentelemetry/api is installed. */
  meterProvider?: OtelMeterProviderLike;
  /** false: do not look for @opentelemetry/api at all. Default true. */
  otel?: boolean;
  /** Instrumentation scope name for OpenTelemetry. */
  meterName?: string;
}

export interface CounterInstrument {
  add(value: number, attributes: MetricAttributes): void;
}
export interface HistogramInstrument {
  record(value: number, attributes: MetricAttributes): void;
}

const SCOPE = '@leakhound/agent';

export class MetricsBridge {
  private readonly _registry: PromRegistryLike | undefined;
  private readonly _meter: OtelMeter | undefined;
  private readonly _disposers: Array<() => void> = [];

  constructor(options: MetricsBridgeOptions = {}) {
    this._registry = options.registry;
    const provider = options.meterProvider ?? (options.otel === false ? undefined : globalMeterProvider());
    this._meter = guard(() => provider?.getMeter(options.meterName ?? SCOPE));
  }

  /** True when at least one back end will receive the metrics. */
  get active(): boolean {
    return this._registry !== undefined || this._meter !== undefined;
  }

  /** A value read when metrics are collected (OTel observable gauge, Prometheus gauge). */
  gauge(definition: MetricDefinition, collect: (observe: Observe) => void): void {
    this._observable(definition, 'gauge', collect);
  }

  /** Like gauge, but OpenTelemetry gets an observable UpDownCounter (what the db semantic conventions ask for counts). */
  upDownCounter(definition: MetricDefinition, collect: (observe: Observe) => void): void {
    this._observable(definition, 'updown', collect);
  }

  counter(definition: MetricDefinition): CounterInstrument {
    const prom = this._prom(definition, 'counter');
    const otel = guard(() => this._meter?.createCounter(definition.otelName, { description: definition.help, unit: definition.unit }));
    return {
      add: (value, attributes) => {
        try {
          prom?.inc(promLabels(definition, attributes), value);
          otel?.add(value, attributes);
        } catch {
          // Metrics must never break the code path that reports them.
        }
      },
    };
  }

  histogram(definition: HistogramDefinition): HistogramInstrument {
    const prom = this._prom(definition, 'histogram', definition.buckets);
    const otel = guard(() =>
      this._meter?.createHistogram(definition.otelName, {
        description: definition.help,
        unit: definition.unit,
        advice: { explicitBucketBoundaries: [...definition.buckets] },
      }),
    );
    return {
      record: (value, attributes) => {
        try {
          prom?.observe(promLabels(definition, attributes), value);
          otel?.record(value, attributes);
        } catch {
          // As above.
        }
      },
    };
  }

  /** Stops the observable callbacks this bridge registered (counters and histograms keep their totals). */
  close(): void {
    for (const dispose of this._disposers.splice(0)) {
      try {
        dispose();
      } catch {
        // Closing is best effort.
      }
    }
  }

  private _observable(definition: MetricDefinition, kind: 'gauge' | 'updown', collect: (observe: Observe) => void): void {
    const prom = this._prom(definition, 'gauge');
    if (prom !== undefined) {
      const collector: Collector = (observe) => collect((value, attributes) => observe(value, promLabels(definition, attributes)));
      prom.collectors.add(collector);
      this._disposers.push(() => prom.collectors.delete(collector));
    }
    const meter = this._meter;
    if (meter !== undefined) {
      const options = { description: definition.help, unit: definition.unit };
      const instrument: OtelObservable | undefined = guard(() =>
        kind === 'gauge' ? meter.createObservableGauge(definition.otelName, options) : meter.createObservableUpDownCounter(definition.otelName, options),
      );
      if (instrument !== undefined) {
        const callback = (result: OtelObservableResult): void => {
          try {
            collect((value, attributes) => result.observe(value, attributes));
          } catch {
            // A failing source drops its samples, not the export.
          }
        };
        instrument.addCallback(callback);
        this._disposers.push(() => instrument.removeCallback(callback));
      }
    }
  }

  private _prom(definition: MetricDefinition, type: 'gauge' | 'counter' | 'histogram', buckets?: readonly number[]): SharedPromMetric | undefined {
    const registry = this._registry;
    if (registry === undefined) return undefined;
    return guard(() => sharedPromMetric(registry, definition.promName, definition.help, type, buckets));
  }
}

function promLabels(definition: MetricDefinition, attributes: MetricAttributes): MetricAttributes {
  const map = definition.labels;
  if (map === undefined) return {};
  const labels: MetricAttributes = {};
  for (const key of Object.keys(attributes)) {
    const name = map[key];
    const value = attributes[key];
    if (name !== undefined && value !== undefined) labels[name] = value;
  }
  return labels;
}

function guard<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
