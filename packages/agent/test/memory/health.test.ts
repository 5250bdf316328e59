import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_HEALTH_OPTIONS, memoryHealth } from '../../src/memory/health.js';
import { forecastTimeToLimit } from '../../src/memory/forecast.js';
import { describeState, type MemoryReport } from '../../src/memory/watch.js';
import { LeakDetector } from '../../src/memory/trend.js';

const MB = 1024 * 1024;
const HOUR = 3_600_000;

function report(over: Partial<MemoryReport>): MemoryReport {
  return {
    state: 'stable', slopeBytesPerHour: 0, confidence: 0, timeToLimitMs: null, limitBytes: 2048 * MB, limitSource: 'heap', reason: '', windowMs: 0,
    postGcHeapBytes: 300 * MB, heapUsedBytes: 320 * MB, heapLimitBytes: 2048 * MB, rssBytes: 400 * MB, externalBytes: 0, arrayBuffersBytes: 0,
    detachedContexts: 0, nativeContexts: 1, nativeContextsGrowth: 0, signals: [], cgroupLimitBytes: null, cgroupUsageBytes: null, cgroupVersion: null,
    samples: 10, majorGcs: 10, lastSampleAt: 0, snapshots: { taken: 0, last: null }, ...over,
  };
}

test('forecast uses the nearer of the V8 heap limit and the cgroup limit', () => {
  const heapOnly = forecastTimeToLimit({ slopeBytesPerHour: 10 * MB, heapFloorBytes: 1048 * MB, heapLimitBytes: 2048 * MB, rssBytes: 1200 * MB, cgroupLimitBytes: null });
  assert.equal(heapOnly.limitSource, 'heap');
  assert.equal(heapOnly.timeToLimitMs, 100 * HOUR);
  const container = forecastTimeToLimit({ slopeBytesPerHour: 10 * MB, heapFloorBytes: 1048 * MB, heapLimitBytes: 2048 * MB, rssBytes: 1200 * MB, cgroupLimitBytes: 1500 * MB });
  assert.equal(container.limitSource, 'cgroup');
  assert.equal(container.timeToLimitMs, 30 * HOUR);
  assert.equal(forecastTimeToLimit({ slopeBytesPerHour: 0, heapFloorBytes: 1, heapLimitBytes: 2, rssBytes: 1, cgroupLimitBytes: null }).timeToLimitMs, null);
});

test('health degrades on a short forecast or a heap near its limit, and says why', () => {
  assert.deepEqual(memoryHealth(report({}), DEFAULT_HEALTH_OPTIONS).reasons, []);
  const far = memoryHealth(report({ state: 'leaking', slopeBytesPerHour: 4 * MB, timeToLimitMs: 72 * HOUR }), DEFAULT_HEALTH_OPTIONS);
  assert.equal(far.status, 'ok');
  const soon = memoryHealth(report({ state: 'leaking', slopeBytesPerHour: 100 * MB, timeToLimitMs: 2 * HOUR }), DEFAULT_HEALTH_OPTIONS);
  assert.equal(soon.status, 'degraded');
  assert.match(soon.reasons[0] ?? '', /memory leaking: heap limit reached in ~2.0 h \(threshold 6.0 h\)/);
  const full = memoryHealth(report({ postGcHeapBytes: 1900 * MB }), DEFAULT_HEALTH_OPTIONS);
  assert.equal(full.status, 'degraded');
  assert.match(full.reasons[0] ?? '', /93% of the V8 heap limit/);
  const container = memoryHealth(report({ cgroupLimitBytes: 420 * MB, rssBytes: 400 * MB }), DEFAULT_HEALTH_OPTIONS);
  assert.match(container.reasons[0] ?? '', /cgroup memory limit/);
  assert.equal(memoryHealth(null, DEFAULT_HEALTH_OPTIONS).status, 'ok');
});

test('state message reads like the product brief', () => {
  assert.equal(describeState(report({ state: 'leaking', slopeBytesPerHour: 4.1 * MB, timeToLimitMs: 3.2 * 24 * HOUR })), 'memory leaking 4.1 MB/h, heap limit reached in ~3.2 days');
  assert.equal(describeState(report({ state: 'growing', slopeBytesPerHour: 2 * MB, timeToLimitMs: 5 * HOUR, limitSource: 'cgroup' })), 'memory growing 2.0 MB/h, container memory limit reached in ~5.0 h');
});

test('a leak fast enough to crash before a leak can be confirmed still degrades health within the hour', () => {
  const detector = new LeakDetector();
  const limit = 2048 * MB;
  const rate = 500 * MB; // per hour: out of memory after ~3.9 h, before the 4 h confirmation window
  let degradedAt: number | null = null;
  let forecastMs: number | null = null;
  for (let t = 0; t <= 3 * HOUR && degradedAt === null; t += 60_000) {
    const floor = 100 * MB + (rate * t) / HOUR;
    detector.add(t, floor + ((t / 60_000) % 3) * 200_000);
    const r = detector.evaluate(t);
    const f = forecastTimeToLimit({ slopeBytesPerHour: r.slopeBytesPerHour, heapFloorBytes: r.floorBytes ?? floor, heapLimitBytes: limit, rssBytes: floor, cgroupLimitBytes: null });
    const health = memoryHealth(report({ state: r.state, slopeBytesPerHour: r.slopeBytesPerHour, timeToLimitMs: r.state === 'stable' ? null : f.timeToLimitMs, postGcHeapBytes: floor }), DEFAULT_HEALTH_OPTIONS);
    if (health.status === 'degraded') {
      degradedAt = t;
      forecastMs = f.timeToLimitMs;
    }
  }
  assert.ok(degradedAt !== null && degradedAt <= HOUR, `degraded at ${degradedAt}`);
  const trueRemaining = ((limit - 100 * MB) / rate) * HOUR - (degradedAt ?? 0);
  assert.ok(forecastMs !== null && Math.abs(forecastMs - trueRemaining) < 0.25 * trueRemaining, `forecast ${forecastMs} vs ${trueRemaining}`);
});
