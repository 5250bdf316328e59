import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, Gauge } from 'prom-client';
import { MetricsBridge } from '../../src/metrics/bridge.js';
import type { MetricAttributes, OtelMeter, OtelMeterProviderLike, OtelObservableResult } from '../../src/metrics/types.js';

const COUNT = {
  otelName: 'db.client.connection.count',
  promName: 'db_client_connection_count',
  help: 'connections by state',
  labels: { 'db.client.connection.state': 'state', 'db.client.connection.pool.name': 'pool' },
};

test('gauges from two bridges share one Prometheus metric; close() removes only its own series', async () => {
  const registry = new Registry();
  const a = new MetricsBridge({ registry, otel: false });
  const b = new MetricsBridge({ registry, otel: false });
  a.upDownCounter(COUNT, (observe) => {
    observe(3, { 'db.client.connection.state': 'used', 'db.client.connection.pool.name': 'a' });
    observe(2, { 'db.client.connection.state': 'idle', 'db.client.connection.pool.name': 'a', 'not.a.label': 'x' });
  });
  b.upDownCounter(COUNT, (observe) => observe(7, { 'db.client.connection.state': 'used', 'db.client.connection.pool.name': 'b' }));
  let text = await registry.metrics();
  assert.match(text, /# TYPE db_client_connection_count gauge/);
  assert.match(text, /db_client_connection_count\{state="used",pool="a"\} 3/);
  assert.match(text, /db_client_connection_count\{state="idle",pool="a"\} 2/);
  assert.match(text, /db_client_connection_count\{state="used",pool="b"\} 7/);
  assert.doesNotMatch(text, /not_a_label|not\.a\.label/);
  a.close();
  text = await registry.metrics();
  assert.doesNotMatch(text, /pool="a"/);
  assert.match(text, /pool="b"\} 7/);
  b.close();
});

test('counter and histogram render as Prometheus counter and cumulative buckets', async () => {
  const registry = new Registry();
  const bridge = new MetricsBridge({ registry, otel: false });
  const leaks = bridge.counter({ otelName: 'leakhound.pool.leaks', promName: 'leakhound_pool_leaks_total', help: 'leaks', labels: { pool: 'pool' } });
  leaks.add(1, { pool: 'p' });
  leaks.add(2, { pool: 'p' });
  const wait = bridge.histogram({ otelName: 'w', promName: 'wait_seconds', help: 'wait', labels: { pool: 'pool' }, buckets: [0.01, 0.1, 1] });
  wait.record(0.05, { pool: 'p' });
  wait.record(0.5, { pool: 'p' });
  wait.record(5, { pool: 'p' });
  const text = await registry.metrics();
  assert.match(text, /# TYPE leakhound_pool_leaks_total counter\nleakhound_pool_leaks_total\{pool="p"\} 3/);
  assert.match(text, /wait_seconds_bucket\{pool="p",le="0.01"\} 0/);
  assert.match(text, /wait_seconds_bucket\{pool="p",le="0.1"\} 1/);
  assert.match(text, /wait_seconds_bucket\{pool="p",le="1"\} 2/);
  assert.match(text, /wait_seconds_bucket\{pool="p",le="\+Inf"\} 3/);
  assert.match(text, /wait_seconds_sum\{pool="p"\} 5.55/);
  assert.match(text, /wait_seconds_count\{pool="p"\} 3/);
});

test('a name already taken by a foreign metric is left alone, without throwing', async () => {
  const registry = new Registry();
  new Gauge({ name: 'db_client_connection_count', help: 'theirs', registers: [registry] });
  const bridge = new MetricsBridge({ registry, otel: false });
  bridge.gauge(COUNT, (observe) => observe(1, { 'db.client.connection.state': 'used' }));
  const text = await registry.metrics();
  assert.match(text, /# HELP db_client_connection_count theirs/);
});

test('a throwing collector drops its samples but not the scrape', async () => {
  const registry = new Registry();
  const bridge = new MetricsBridge({ registry, otel: false });
  bridge.gauge({ ...COUNT, promName: 'g1' }, () => {
    throw new Error('pool is gone');
  });
  bridge.gauge({ ...COUNT, promName: 'g2' }, (observe) => observe(4, {}));
  assert.match(await registry.metrics(), /^g2 4$/m);
});

test('OpenTelemetry: instruments are created on the given meter provider with OTel names and attributes', () => {
  // A recording MeterProvider stands in for the OTel SDK (not installed here); the bridge is what is under test.
  const created: string[] = [];
  const observed: Array<[string, number, MetricAttributes | undefined]> = [];
  const added: Array<[string, number]> = [];
  const callbacks = new Map<string, (r: OtelObservableResult) => void>();
  const observable = (name: string) => ({
    addCallback: (cb: (r: OtelObservableResult) => void) => callbacks.set(name, cb),
    removeCallback: () => callbacks.delete(name),
  });
  const meter: OtelMeter = {
    createCounter: (name) => (created.push(`counter ${name}`), { add: (v) => added.push([name, v]) }),
    createHistogram: (name, options) => (created.push(`histogram ${name} ${options?.unit} ${options?.advice?.explicitBucketBoundaries?.join(',')}`), { record: (v) => added.push([name, v]) }),
    createObservableGauge: (name) => (created.push(`gauge ${name}`), observable(name)),
    createObservableUpDownCounter: (name) => (created.push(`updown ${name}`), observable(name)),
  };
  const provider: OtelMeterProviderLike = { getMeter: () => meter };
  const bridge = new MetricsBridge({ meterProvider: provider });
  assert.equal(bridge.active, true);
  bridge.upDownCounter(COUNT, (observe) => observe(5, { 'db.client.connection.state': 'used' }));
  bridge.counter({ otelName: 'leakhound.pool.leaks', promName: 'x', help: 'h' }).add(1, {});
  bridge.histogram({ otelName: 'db.client.connection.wait_time', promName: 'y', help: 'h', unit: 's', buckets: [0.1, 1] }).record(0.2, {});
  assert.deepEqual(created, ['updown db.client.connection.count', 'counter leakhound.pool.leaks', 'histogram db.client.connection.wait_time s 0.1,1']);
  callbacks.get('db.client.connection.count')?.({ observe: (v, a) => observed.push(['count', v, a]) });
  assert.deepEqual(observed, [['count', 5, { 'db.client.connection.state': 'used' }]]);
  assert.deepEqual(added, [['leakhound.pool.leaks', 1], ['db.client.connection.wait_time', 0.2]]);
  bridge.close();
  assert.equal(callbacks.size, 0);
});

test('with only @opentelemetry/api installed (no SDK) nothing is recorded and nothing fails', () => {
  const bridge = new MetricsBridge({});
  assert.equal(bridge.active, false);
  bridge.gauge(COUNT, (observe) => observe(1, {}));
  bridge.counter(COUNT).add(1, {});
  bridge.close();
  assert.equal(new MetricsBridge({ otel: false }).active, false);
});
