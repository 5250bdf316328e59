// Memory metrics through the shared bridge: OpenTelemetry V8/Node runtime names
// where they exist (v8js.*, process.memory.usage), leakhound.* for the rest.
// docs/memory.md lists the Prometheus names.
import type { MetricsBridge } from '../metrics/bridge.js';
import type { MemoryReport } from './watch.js';

export const MEMORY_METRICS = {
  heapUsed: { otelName: 'v8js.memory.heap.used', promName: 'v8js_memory_heap_used_bytes', unit: 'By', help: 'V8 heap in use (bytes), at the last sample.' },
  heapLimit: { otelName: 'v8js.memory.heap.limit', promName: 'v8js_memory_heap_limit_bytes', unit: 'By', help: 'V8 heap size limit (bytes).' },
  rss: { otelName: 'process.memory.usage', promName: 'process_memory_usage_bytes', unit: 'By', help: 'Resident set size of the process (bytes).' },
  external: { otelName: 'leakhound.memory.external', promName: 'leakhound_memory_external_bytes', unit: 'By', help: 'Memory of C++ objects bound to JS objects, including ArrayBuffers (bytes).' },
  arrayBuffers: { otelName: 'leakhound.memory.array_buffers', promName: 'leakhound_memory_array_buffers_bytes', unit: 'By', help: 'Memory of ArrayBuffers and Buffers (bytes).' },
  postGc: { otelName: 'leakhound.heap.post_gc', promName: 'leakhound_heap_post_gc_bytes', unit: 'By', help: 'V8 heap in use right after the last major GC (the live heap).' },
  slope: { otelName: 'leakhound.heap.leak_slope', promName: 'leakhound_heap_leak_slope_bytes_per_hour', unit: 'By/h', help: 'Growth rate of the post-GC heap floor while growing or leaking, 0 when stable.' },
  timeToLimit: { otelName: 'leakhound.heap.time_to_limit', promName: 'leakhound_heap_time_to_limit_seconds', unit: 's', help: 'Forecast time until the nearest memory limit at the current slope (absent when stable).' },
  limit: { otelName: 'leakhound.memory.limit', promName: 'leakhound_memory_limit_bytes', unit: 'By', help: 'The limit the forecast uses: the lower of the cgroup limit and the V8 heap limit.' },
  state: { otelName: 'leakhound.memory.state', promName: 'leakhound_memory_state', unit: '1', help: 'Leak detector state: 0 stable, 1 growing, 2 leaking.' },
  detachedContexts: { otelName: 'leakhound.v8.detached_contexts', promName: 'leakhound_v8_detached_contexts', unit: '{context}', help: 'V8 contexts detached but not yet collected (a leak signal when it stays above 0).' },
  snapshots: { otelName: 'leakhound.heap.snapshots', promName: 'leakhound_heap_snapshots_total', unit: '{snapshot}', help: 'Heap snapshots written by the agent.', labels: { trigger: 'trigger' } },
} as const;

const STATE_VALUE = { stable: 0, growing: 1, leaking: 2 } as const;

export interface MemoryMetrics {
  snapshotTaken(trigger: string): void;
}

export function registerMemoryMetrics(bridge: MetricsBridge, report: () => MemoryReport | null): MemoryMetrics {
  const m = MEMORY_METRICS;
  const gauge = (definition: (typeof m)[keyof typeof m], pick: (r: MemoryReport) => number | null): void => {
    bridge.gauge(definition, (observe) => {
      const r = report();
      const value = r === null ? null : pick(r);
      if (value !== null && Number.isFinite(value)) observe(value, {});
    });
  };
  gauge(m.heapUsed, (r) => r.heapUsedBytes);
  gauge(m.heapLimit, (r) => r.heapLimitBytes);
  gauge(m.rss, (r) => r.rssBytes);
  gauge(m.external, (r) => r.externalBytes);
  gauge(m.arrayBuffers, (r) => r.arrayBuffersBytes);
  gauge(m.postGc, (r) => r.postGcHeapBytes);
  gauge(m.slope, (r) => r.slopeBytesPerHour);
  gauge(m.timeToLimit, (r) => (r.timeToLimitMs === null ? null : r.timeToLimitMs / 1000));
  gauge(m.limit, (r) => r.limitBytes);
  gauge(m.state, (r) => STATE_VALUE[r.state]);
  gauge(m.detachedContexts, (r) => r.detachedContexts);
  const snapshots = bridge.counter(m.snapshots);
  return { snapshotTaken: (trigger) => snapshots.add(1, { trigger }) };
}
