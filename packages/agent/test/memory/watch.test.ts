import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createContext, runInContext, type Context } from 'node:vm';
import { MemoryWatch } from '../../src/memory/watch.js';

const gc = (globalThis as { gc?: () => void }).gc;

test('vm contexts kept alive raise the native-contexts signal once, with a log line', async () => {
  assert.ok(gc, 'run with --expose-gc');
  const logged: string[] = [];
  const watch = new MemoryWatch({ logger: { info() {}, warn: (m) => logged.push(m) }, snapshots: false, minSampleIntervalMs: 0 });
  watch.start();
  const kept: Context[] = [];
  try {
    watch.evaluate();
    for (let i = 0; i < 12; i++) {
      const context = createContext({});
      runInContext('globalThis.x = 1', context);
      kept.push(context);
    }
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    watch.sampler.sample(true);
    const report = watch.evaluate();
    assert.ok((report?.nativeContextsGrowth ?? 0) >= 12, `growth ${report?.nativeContextsGrowth}`);
    assert.equal(report?.signals.length, 1);
    assert.match(report?.signals[0] ?? '', /^native-contexts: V8 native contexts grew by \d+/);
    watch.evaluate();
    assert.equal(logged.filter((l) => /native contexts grew/.test(l)).length, 1);
  } finally {
    watch.stop();
  }
  assert.equal(kept.length, 12);
});

test('a throwing logger and a throwing state listener never reach the caller', () => {
  const angry = () => {
    throw new Error('logger down');
  };
  const watch = new MemoryWatch({ logger: { info: angry, warn: angry, error: angry, debug: angry }, snapshots: false, detector: { warmupMs: 0, minWindowMs: 10, confirmWindowMs: 10, maxWindowMs: 40, slotMs: 1, minGrowthBytes: 1 } }, { onStateChange: angry, onHealthChange: angry });
  watch.start();
  try {
    for (let i = 0; i < 5; i++) assert.doesNotThrow(() => watch.evaluate());
    assert.doesNotThrow(() => watch.snapshot());
  } finally {
    watch.stop();
  }
});
