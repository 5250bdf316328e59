import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { startAgent } from '../../src/index.js';

test('memory metrics reach a prom-client registry under the documented names', async () => {
  const registry = new Registry();
  const agent = startAgent({ logger: { info() {}, warn() {} }, registry, otel: false, memory: { snapshots: false } });
  try {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
    agent.evaluateMemory();
    const text = await registry.metrics();
    for (const name of ['v8js_memory_heap_used_bytes', 'v8js_memory_heap_limit_bytes', 'process_memory_usage_bytes', 'leakhound_heap_post_gc_bytes', 'leakhound_heap_leak_slope_bytes_per_hour', 'leakhound_memory_limit_bytes', 'leakhound_memory_state', 'leakhound_v8_detached_contexts']) {
      assert.match(text, new RegExp(`^${name} \\d`, 'm'), `${name} missing in\n${text}`);
    }
    assert.match(text, /^leakhound_memory_state 0$/m);
    // Stable: no forecast, so no time-to-limit sample rather than a fake number.
    assert.doesNotMatch(text, /^leakhound_heap_time_to_limit_seconds \d/m);
    assert.match(text, /# TYPE leakhound_heap_snapshots_total counter/);
  } finally {
    await agent.stop();
  }
});

test('memory metrics reach an OpenTelemetry meter provider with the runtime names and units', async () => {
  // A recording MeterProvider (the SDK is not a dependency): what the agent asks OpenTelemetry for, and what it observes.
  const instruments = new Map<string, { kind: string; unit?: string; callbacks: Array<(r: { observe(v: number, a?: Record<string, string | number>): void }) => void> }>();
  const meter = {
    createCounter: (name: string, o?: { unit?: string }) => (instruments.set(name, { kind: 'counter', unit: o?.unit, callbacks: [] }), { add() {} }),
    createHistogram: (name: string, o?: { unit?: string }) => (instruments.set(name, { kind: 'histogram', unit: o?.unit, callbacks: [] }), { record() {} }),
    createObservableGauge: (name: string, o?: { unit?: string }) => observable(name, 'gauge', o?.unit),
    createObservableUpDownCounter: (name: string, o?: { unit?: string }) => observable(name, 'updown', o?.unit),
  };
  function observable(name: string, kind: string, unit?: string) {
    const entry = { kind, unit, callbacks: [] as Array<(r: { observe(v: number): void }) => void> };
    instruments.set(name, entry);
    return { addCallback: (cb: (r: { observe(v: number): void }) => void) => entry.callbacks.push(cb), removeCallback: (cb: (r: { observe(v: number): void }) => void) => entry.callbacks.splice(entry.callbacks.indexOf(cb), 1) };
  }
  const agent = startAgent({ logger: { info() {}, warn() {} }, meterProvider: { getMeter: () => meter }, memory: { snapshots: false } });
  try {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
    agent.evaluateMemory();
    const observed = (name: string): number[] => {
      const values: number[] = [];
      for (const cb of instruments.get(name)?.callbacks ?? []) cb({ observe: (v) => values.push(v) });
      return values;
    };
    assert.equal(instruments.get('v8js.memory.heap.used')?.unit, 'By');
    assert.ok((observed('v8js.memory.heap.used')[0] ?? 0) > 0);
    assert.ok((observed('v8js.memory.heap.limit')[0] ?? 0) > (observed('v8js.memory.heap.used')[0] ?? 0));
    assert.ok((observed('process.memory.usage')[0] ?? 0) > 0);
    assert.ok((observed('leakhound.heap.post_gc')[0] ?? 0) > 0);
    assert.deepEqual(observed('leakhound.memory.state'), [0]);
    assert.deepEqual(observed('leakhound.heap.time_to_limit'), []);
    assert.equal(instruments.get('leakhound.heap.snapshots')?.kind, 'counter');
  } finally {
    await agent.stop();
  }
  // stop() removes the observable callbacks: nothing keeps reading a stopped agent.
  assert.equal(instruments.get('v8js.memory.heap.used')?.callbacks.length, 0);
});
