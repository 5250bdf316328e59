// The run section of the HTML report: the memory timeline as inline SVG and
// every string escaped (finding summaries, routes and stacks come from the
// service and its snapshots, which may hold anything).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryTimelineSvg, renderRunHtml, renderRunSection } from '../../src/report/run-section.js';
import type { RunResult } from '../../src/run/types.js';

const EVIL = '</script><img src=x onerror=alert(1)>';

function result(): RunResult {
  const heaps = [7e6, 8e6, 9e6, 10e6, 11e6];
  return {
    schema: 'leakhound-run/1',
    verdict: 'leak',
    reasons: [`heap grows ${EVIL}`],
    command: ['node', EVIL],
    target: { origin: 'http://127.0.0.1:1', paths: [`/x${EVIL}`], port: 1, pid: 2 },
    rounds: heaps.map((heapUsed, round) => ({
      round, requests: round ? 1000 : 0, cumulativeRequests: round * 1000, errors: 0, timeouts: 0, non2xx: 0, durationSec: 1, requestsPerSec: 1000,
      latencyP50Ms: 1, latencyP99Ms: 2, capped: false, heapUsed, codeSpace: 500_000, heapTotal: heapUsed, rss: heapUsed * 3, external: 0, arrayBuffers: 0,
      pools: [{ name: `pool${EVIL}`, total: 5, active: 5, idle: 0, waiting: round }], at: 'now',
    })),
    heap: { assessment: 'growing', bytesPerRequest: 1000, lower: 990, upper: 1010, confidence: 0.95, pValue: 0.01, tau: 1, thresholdBytesPerRequest: 64, totalGrowthBytes: 4e6, points: 4 },
    findings: [{ summary: `Map ${EVIL} grew`, kind: 'growing-collection', className: EVIL, bytes: 1, count: 1, path: [{ edgeName: EVIL, edgeType: 'property', className: 'Map', nodeType: 'object', nodeId: 42, selfSize: 32, location: `file:///a.ts:1:2` }], locations: ['file:///a.ts:3:4'] }],
    allocationSites: [{ functionName: EVIL, url: 'file:///a.ts', line: 1, column: 1, liveBytes: 100, samples: 1, stack: [] }],
    pools: { available: true, leaks: [{ pool: 'p', connection: '#1', heldMs: 1, route: EVIL, borrowedAt: [EVIL], message: `held by ${EVIL}` }], raw: [] },
    snapshots: { baseline: null, target: null, final: null, kept: false },
    timings: { startupMs: 0, warmupMs: 0, loadMs: 0, gcMs: 0, snapshotMs: 0, analysisMs: 0, totalMs: 0 },
    startedAt: 'now',
    leakhoundVersion: '0',
  };
}

test('timeline: one point per round, rising with the heap', () => {
  const svg = memoryTimelineSvg(result());
  const ys = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => Number(m[2]));
  assert.equal(ys.length, 5);
  // SVG y grows downwards: a growing heap has falling y.
  for (let i = 1; i < ys.length; i++) assert.ok(ys[i]! < ys[i - 1]!);
});

test('every untrusted string in the run section is escaped', () => {
  const section = renderRunSection(result());
  assert.doesNotMatch(section, /<img/);
  assert.doesNotMatch(section, /<\/script>/);
  assert.match(section, /&#60;\/script&#62;&#60;img src=x onerror=alert\(1\)&#62;/);
  assert.match(section, /Pool stats over time/);
  const page = renderRunHtml(result());
  assert.doesNotMatch(page, /<img src=x/);
  // The section sits inside the body, before the report's data and script.
  assert.ok(page.indexOf('id="lh-run"') > page.indexOf('<body>'));
  assert.ok(page.indexOf('id="lh-run"') < page.indexOf('id="lh-data"'));
});
