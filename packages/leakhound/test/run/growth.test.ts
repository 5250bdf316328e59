// growthFindings on real snapshots written by a child Node process: a Map that
// keeps growing is found with its entry class and path; a cache that filled once
// before the target, and plain churn, are not findings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { growthFindings } from '../../src/run/growth.js';

const PROGRAM = `
const v8 = require('node:v8');
const path = require('node:path');
class Session { constructor(id) { this.id = id; this.createdAt = Date.now(); this.tags = ['a', 'b']; } }
class CacheEntry { constructor(k) { this.k = k; this.payload = new Array(16).fill(k); } }
const sessions = new Map();          // the leak: grows in every step
const onceCache = [];                // fills once, before the target, then stays
let churn = [];                      // replaced every step: garbage
function step(n, fillCache) {
  for (let i = 0; i < n; i++) sessions.set('s' + sessions.size, new Session(sessions.size));
  if (fillCache) for (let i = 0; i < 2000; i++) onceCache.push(new CacheEntry(i));
  churn = Array.from({ length: 3000 }, (_, i) => ({ i }));
}
const dir = process.argv[1];
step(100, false);
v8.writeHeapSnapshot(path.join(dir, 'baseline.heapsnapshot'));
step(3000, true);
v8.writeHeapSnapshot(path.join(dir, 'target.heapsnapshot'));
step(3000, false);
v8.writeHeapSnapshot(path.join(dir, 'final.heapsnapshot'));
`;

test('a growing Map is a finding; a cache filled once and churn are not', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-growth-'));
  try {
    const script = join(dir, 'program.cjs');
    writeFileSync(script, PROGRAM);
    const child = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(script)})`, dir], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const findings = await growthFindings({ baseline: join(dir, 'baseline.heapsnapshot'), target: join(dir, 'target.heapsnapshot'), final: join(dir, 'final.heapsnapshot') });
    const top = findings[0];
    assert.ok(top, 'one finding');
    assert.equal(top.className, 'Session');
    assert.match(top.summary, /^Map `sessions` \(a variable in the scope of .*program\.cjs\) gained 6,000 Session entries since the baseline \(3,000 of them after the target: still growing\)/);
    assert.equal(top.count, 6000);
    // ... -> Context .sessions -> Map .table -> (array) [n] -> Session
    assert.deepEqual(top.path.slice(-3).map((s) => s.className), ['Map', '(array)', 'Session']);
    assert.equal(top.path.at(-3)!.edgeName, 'sessions');
    assert.match(top.locations[0]!, /program\.cjs:4:\d+$/);
    assert.ok(findings.every((f) => f.className !== 'CacheEntry'), findings.map((f) => f.summary).join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('snapshots whose object ids V8 reset in between are refused, not misread', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-growth-'));
  try {
    // Closing a heap profiler session (what DevTools or an inspector client does) clears V8's id map.
    const program = `
      const v8 = require('node:v8');
      const inspector = require('node:inspector');
      const path = require('node:path');
      class LeakhoundIdSentinel {}   // what the agent's control channel keeps for this check
      const sentinel = new LeakhoundIdSentinel();
      const kept = [sentinel];
      const dir = process.argv[1];
      v8.writeHeapSnapshot(path.join(dir, 'baseline.heapsnapshot'));
      for (let i = 0; i < 1000; i++) kept.push({ i });
      v8.writeHeapSnapshot(path.join(dir, 'target.heapsnapshot'));
      const session = new inspector.Session();
      session.connect();
      session.post('HeapProfiler.enable', () => {
        session.post('HeapProfiler.startSampling', {}, () => {
          session.post('HeapProfiler.stopSampling', () => {
            session.disconnect();
            for (let i = 0; i < 1000; i++) kept.push({ i });
            v8.writeHeapSnapshot(path.join(dir, 'final.heapsnapshot'));
          });
        });
      });
    `;
    const child = spawnSync(process.execPath, ['-e', program, dir], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    await assert.rejects(
      growthFindings({ baseline: join(dir, 'baseline.heapsnapshot'), target: join(dir, 'target.heapsnapshot'), final: join(dir, 'final.heapsnapshot') }),
      /renumbered the heap objects/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
