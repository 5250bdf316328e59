import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalCdf, normalQuantile, trendTest } from '../../src/run/stats.js';

test('Mann-Kendall p-value is exact for small n: a perfectly increasing series of 4 has p = 1/24', () => {
  const t = trendTest([1, 2, 3, 4], [10, 20, 30, 40]);
  assert.equal(t.s, 6);
  assert.equal(t.tau, 1);
  assert.ok(Math.abs(t.pIncreasing - 1 / 24) < 1e-12);
  assert.equal(t.slope, 10);
});

test('exact tail matches a brute-force enumeration of all permutations (n = 6)', () => {
  const ys = [3, 1, 4, 6, 5, 9];
  const xs = [1, 2, 3, 4, 5, 6];
  const s = trendTest(xs, ys).s;
  let hits = 0;
  let total = 0;
  const permute = (rest: number[], acc: number[]): void => {
    if (rest.length === 0) {
      total++;
      let sp = 0;
      for (let i = 0; i < acc.length; i++) for (let j = i + 1; j < acc.length; j++) sp += Math.sign(acc[j]! - acc[i]!);
      if (sp >= s) hits++;
      return;
    }
    rest.forEach((v, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...acc, v]));
  };
  permute(ys, []);
  assert.ok(Math.abs(trendTest(xs, ys).pIncreasing - hits / total) < 1e-12);
});

test('Theil-Sen ignores one wild round that would fool a least-squares fit', () => {
  const xs = [0, 1000, 2000, 3000, 4000, 5000, 6000];
  const ys = xs.map((x) => 5_000_000 + 2 * x);
  ys[3] = 9_000_000; // a single spike
  const t = trendTest(xs, ys);
  assert.ok(Math.abs(t.slope - 2) < 1e-9, `slope ${t.slope}`);
  assert.ok(t.lower <= 2 && t.upper >= 2);
});

test('a flat noisy series has no significant trend and an interval around zero', () => {
  const ys = [100, 104, 99, 101, 98, 103, 100, 102];
  const xs = ys.map((_, i) => i * 1000);
  const t = trendTest(xs, ys);
  assert.ok(t.pIncreasing > 0.1, `p ${t.pIncreasing}`);
  assert.ok(t.lower <= 0 && t.upper >= 0);
});

test('normal helpers', () => {
  assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
  assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-4);
});
