import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideVerdict } from '../../src/run/verdict.js';
import type { PoolLeak, RoundRecord } from '../../src/run/types.js';

function rounds(heaps: number[], requests = 2000, errors = 0): RoundRecord[] {
  return heaps.map((heapUsed, round) => ({
    round,
    requests: round === 0 ? 0 : requests,
    cumulativeRequests: round * requests,
    errors: round === 0 ? 0 : errors,
    timeouts: 0,
    non2xx: 0,
    durationSec: 1,
    requestsPerSec: requests,
    latencyP50Ms: 1,
    latencyP99Ms: 2,
    capped: false,
    heapUsed,
    codeSpace: 600_000,
    heapTotal: heapUsed * 2,
    rss: heapUsed * 4,
    external: 0,
    arrayBuffers: 0,
    pools: [],
    at: '2026-01-01T00:00:00.000Z',
  }));
}

const base = { findings: [], poolLeaks: [], thresholdBytesPerRequest: 64, alpha: 0.05 };
const MB = 1024 * 1024;

test('steady per-request growth is a leak, with the slope in bytes per request', () => {
  const out = decideVerdict({ ...base, rounds: rounds([7, 9, 11, 13, 15, 17, 19].map((m) => m * MB)) });
  assert.equal(out.verdict, 'leak');
  assert.equal(out.heap.assessment, 'growing');
  assert.ok(Math.abs(out.heap.bytesPerRequest - (2 * MB) / 2000) < 1e-6);
  assert.match(out.reasons[0]!, /grows 1048\.6 B\/request/);
});

test('a warm-up step into round 1, then flat with noise, is clean', () => {
  const out = decideVerdict({ ...base, rounds: rounds([7.0, 7.3, 7.31, 7.29, 7.32, 7.3, 7.31].map((m) => m * MB)) });
  assert.equal(out.verdict, 'clean', out.reasons.join('; '));
  assert.equal(out.heap.assessment, 'flat');
});

test('a cache that fills during the first rounds and then stays is not a leak', () => {
  const out = decideVerdict({ ...base, rounds: rounds([7, 8, 8.4, 8.4, 8.39, 8.41, 8.4, 8.4].map((m) => m * MB)) });
  assert.notEqual(out.verdict, 'leak', out.reasons.join('; '));
});

test('a pool leak is a leak even with a flat heap, and names the route and borrower', () => {
  const leak: PoolLeak = { pool: 'coupons', connection: '#1', heldMs: 5000, route: 'GET /coupons/stats', borrowedAt: ['/srv/stats.ts:21:30'], message: 'x' };
  const out = decideVerdict({ ...base, poolLeaks: [leak], rounds: rounds([7, 7, 7, 7, 7, 7].map((m) => m * MB)) });
  assert.equal(out.verdict, 'leak');
  assert.match(out.reasons[0]!, /GET \/coupons\/stats/);
  assert.match(out.reasons[0]!, /stats\.ts:21:30/);
});

test('too few rounds, no answers, or mostly failed requests are inconclusive', () => {
  assert.equal(decideVerdict({ ...base, rounds: rounds([7, 7, 7, 7].map((m) => m * MB)) }).verdict, 'inconclusive');
  assert.equal(decideVerdict({ ...base, rounds: rounds([7, 7, 7, 7, 7, 7].map((m) => m * MB), 0) }).verdict, 'inconclusive');
  const failing = decideVerdict({ ...base, rounds: rounds([7, 7, 7, 7, 7, 7].map((m) => m * MB), 100, 500) });
  assert.equal(failing.verdict, 'inconclusive');
  assert.match(failing.reasons[0]!, /failed/);
});

test('a heap that jumps around near the threshold is inconclusive, not clean', () => {
  // ~40 B/request on average but swinging by megabytes between rounds.
  const heaps = [7, 7.1, 9.5, 7.3, 9.9, 7.6, 10.2].map((m) => m * MB);
  const out = decideVerdict({ ...base, rounds: rounds(heaps) });
  assert.equal(out.verdict, 'inconclusive', out.reasons.join('; '));
});
