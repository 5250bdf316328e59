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
