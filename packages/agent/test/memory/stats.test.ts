import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mannKendall, normalCdf, theilSenSlope } from '../../src/memory/stats.js';

test('Theil-Sen ignores a gross outlier that drags least squares', () => {
  const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const ys = xs.map((x) => 2 * x + 1);
  ys[9] = 500;
  assert.equal(theilSenSlope(xs, ys, xs.length), 2);
});

test('Mann-Kendall: monotone series is significant, constant series is not, ties reduce the variance', () => {
  const up = Array.from({ length: 12 }, (_, i) => i);
  const mk = mannKendall(up, up.length);
  assert.equal(mk.s, 66);
  // var = n(n-1)(2n+5)/18 = 12*11*29/18
  assert.ok(Math.abs(mk.z - 65 / Math.sqrt((12 * 11 * 29) / 18)) < 1e-9);
  assert.ok(mk.confidence > 0.9999);
  const flat = mannKendall(new Array(12).fill(5), 12);
  assert.equal(flat.s, 0);
  assert.equal(flat.z, 0);
  const tied = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4];
  const withTies = mannKendall(tied, tied.length);
  const tieTerm = 4 * (3 * 2 * 11);
  assert.ok(Math.abs(withTies.z - (withTies.s - 1) / Math.sqrt((12 * 11 * 29 - tieTerm) / 18)) < 1e-9);
});

test('normal CDF matches known quantiles', () => {
  assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
  assert.ok(Math.abs(normalCdf(1.645) - 0.95) < 1e-3);
  assert.ok(Math.abs(normalCdf(3.09) - 0.999) < 1e-4);
  assert.ok(Math.abs(normalCdf(-2.33) - 0.0099) < 1e-3);
});
