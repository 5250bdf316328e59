// Pool metrics in OpenTelemetry's database client semantic conventions, plus
// HikariCP's leak counter, through the generic metrics bridge.
import { MetricsBridge, type CounterInstrument, type HistogramInstrument } from '../metrics/bridge.js';
import type { PoolMonitorOptions, PoolStats } from './types.js';

const POOL = 'db.client.connection.pool.name';
const STATE = 'db.client.connection.state';
const LABELS = { [POOL]: 'pool', [STATE]: 'state' } as const;
// Seconds: sub-millisecond hand-offs up to a connection held for minutes.
const TIME_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

const noop = (): void => {};

export const POOL_METRICS = {
  count: { otelName: 'db.client.connection.count', promName: 'db_client_connection_count', unit: '{connection}', help: 'Connections in the pool by state (used, idle).', labels: LABELS },
  max: { otelName: 'db.client.connection.max', promName: 'db_client_connection_max', unit: '{connection}', help: 'Maximum connections the pool allows.', labels: LABELS },
  pending: { otelName: 'db.client.connection.pending_requests', promName: 'db_client_connection_pending_requests', unit: '{request}', help: 'Borrowers waiting for a connection.', labels: LABELS },
  timeouts: { otelName: 'db.client.connection.timeouts', promName: 'db_client_connection_timeouts_total', unit: '{timeout}', help: 'Borrows that failed because the pool could not lend a connection in time.', labels: LABELS },
  waitTime: { otelName: 'db.client.connection.wait_time', promName: 'db_client_connection_wait_time_seconds', unit: 's', help: 'Time to obtain a connection from the pool.', labels: LABELS, buckets: TIME_BUCKETS },
  useTime: { otelName: 'db.client.connection.use_time', promName: 'db_client_connection_use_time_seconds', unit: 's', help: 'Time between borrowing a connection and returning it.', labels: LABELS, buckets: TIME_BUCKETS },
  leaks: { otelName: 'leakhound.pool.leaks', promName: 'leakhound_pool_leaks_total', unit: '{connection}', help: 'Connections held longer than leakDetectionThreshold.', labels: LABELS },
} as const;

/** Records pool metrics; when neither back end is present, every method is a no-op (no work per borrow). */
export class PoolMetrics {
  /** False when no back end is present: the methods do nothing, so callers may skip computing their arguments. */
  readonly recording: boolean;
  private readonly _bridge: MetricsBridge;
  private readonly _attributes: Record<string, string>;
  private readonly _timeouts: CounterInstrument;
  private readonly _leaks: CounterInstrument;
  private readonly _wait: HistogramInstrument;
  private readonly _use: HistogramInstrument;

  constructor(pool: string, stats: () => PoolStats, options: Pick<PoolMonitorOptions, 'registry' | 'meterProvider'>) {
    this._bridge = new MetricsBridge({ registry: options.registry, meterProvider: options.meterProvider });
    const attributes = { [POOL]: pool };
    this._attributes = attributes;
    this.recording = this._bridge.active;
    if (!this.recording) {
      this.waited = this.used = this.timedOut = this.leaked = noop;
    }
    this._bridge.upDownCounter(POOL_METRICS.count, (observe) => {
      const s = stats();
      observe(s.active, { ...attributes, [STATE]: 'used' });
      observe(s.idle, { ...attributes, [STATE]: 'idle' });
    });
    this._bridge.upDownCounter(POOL_METRICS.pending, (observe) => observe(stats().waiting, attributes));
    this._bridge.upDownCounter(POOL_METRICS.max, (observe) => {
      const max = stats().max;
      if (max !== undefined) observe(max, attributes);
    });
    this._timeouts = this._bridge.counter(POOL_METRICS.timeouts);
    this._leaks = this._bridge.counter(POOL_METRICS.leaks);
    this._wait = this._bridge.histogram(POOL_METRICS.waitTime);
    this._use = this._bridge.histogram(POOL_METRICS.useTime);
  }

  waited(ms: number): void {
    this._wait.record(ms / 1000, this._attributes);
  }

  used(ms: number): void {
    this._use.record(ms / 1000, this._attributes);
  }

  timedOut(): void {
    this._timeouts.add(1, this._attributes);
  }

  leaked(): void {
    this._leaks.add(1, this._attributes);
  }

  close(): void {
    this._bridge.close();
  }
}
