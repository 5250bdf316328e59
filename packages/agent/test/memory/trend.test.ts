import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeakDetector, formatDuration } from '../../src/memory/trend.js';

const MB = 1024 * 1024;
const MIN = 60_000;
const HOUR = 60 * MIN;

function feed(detector: LeakDetector, hours: number, floor: (t: number) => number, everyMs = MIN): { states: Set<string>; last: ReturnType<LeakDetector['evaluate']> } {
  const states = new Set<string>();
  let last = detector.evaluate(0);
  for (let t = 0; t <= hours * HOUR; t += everyMs) {
    // Deterministic jitter so floors are not perfectly linear.
    detector.add(t, floor(t) + ((t / everyMs) % 7) * 100_000);
    if (t % (5 * MIN) === 0) {
      last = detector.evaluate(t);
      states.add(last.state);
    }
  }
  return { states, last };
}

test('a steady 4 MB/h leak is confirmed, with its slope', () => {
  const { last } = feed(new LeakDetector(), 8, (t) => 100 * MB + (4 * MB * t) / HOUR);
  assert.equal(last.state, 'leaking');
  assert.ok(Math.abs(last.slopeBytesPerHour - 4 * MB) < 0.5 * MB, `slope ${last.slopeBytesPerHour / MB}`);
  assert.ok(last.confidence > 0.999);
});

test('a flat heap and a one-time step are never "leaking"', () => {
  assert.ok(!feed(new LeakDetector(), 24, () => 100 * MB).states.has('leaking'));
  assert.ok(!feed(new LeakDetector(), 24, (t) => (t > 5 * HOUR ? 180 * MB : 100 * MB)).states.has('leaking'));
});

test('no verdict before the warm-up and the minimum window have passed', () => {
  const detector = new LeakDetector({ warmupMs: 10 * MIN, minWindowMs: 30 * MIN });
  detector.add(0, 1 * MB);
  assert.equal(detector.evaluate(0).reason, 'warming up');
  detector.add(20 * MIN, 2 * MB);
  assert.match(detector.evaluate(20 * MIN).reason, /collecting data/);
});

test('memory held by the detector is bounded whatever the sample count', () => {
  const detector = new LeakDetector({ maxWindowMs: 2 * HOUR, confirmWindowMs: HOUR, slotMs: MIN });
  for (let t = 0; t < 48 * HOUR; t += 1000) detector.add(t, 50 * MB);
  assert.ok(detector.size <= 2 * 120 + 2, `slots ${detector.size}`);
});

test('compressed windows make the detector usable over seconds (tests, leakhound run)', () => {
  const detector = new LeakDetector({ warmupMs: 1000, minWindowMs: 2000, confirmWindowMs: 4000, maxWindowMs: 8000, slotMs: 50, minGrowthBytes: 1 * MB });
  let state = 'stable';
  for (let t = 0; t <= 12_000; t += 20) {
    detector.add(t, 50 * MB + t * 2000 + ((t / 20) % 5) * 10_000);
    if (t % 500 === 0) state = detector.evaluate(t).state;
  }
  assert.equal(state, 'leaking');
});

test('formatDuration picks the unit a person would', () => {
  assert.equal(formatDuration(3.2 * 24 * HOUR), '3.2 days');
  assert.equal(formatDuration(5 * HOUR), '5.0 h');
  assert.equal(formatDuration(12 * MIN), '12 min');
});

test('hysteresis: a leak that stops is held for leaveAfter evaluations with its slope, then cleared; no flapping', () => {
  const detector = new LeakDetector({ warmupMs: 1000, minWindowMs: 2000, confirmWindowMs: 4000, maxWindowMs: 8000, slotMs: 50, minGrowthBytes: 1 * MB, leaveAfter: 3 });
  const states: string[] = [];
  for (let t = 0; t <= 40_000; t += 20) {
    const heap = t < 12_000 ? 50 * MB + t * 2000 : 50 * MB;
    detector.add(t, heap + ((t / 20) % 5) * 10_000);
    if (t % 500 === 0) {
      const r = detector.evaluate(t);
      if (r.state !== 'stable') assert.ok(r.slopeBytesPerHour > 0, `${r.state} with slope ${r.slopeBytesPerHour} at ${t}: ${r.reason}`);
      if (states[states.length - 1] !== r.state) states.push(r.state);
    }
  }
  assert.ok(states.includes('leaking'), states.join(' -> '));
  assert.equal(states[states.length - 1], 'stable', states.join(' -> '));
  assert.ok(states.length <= 4, states.join(' -> '));
});
