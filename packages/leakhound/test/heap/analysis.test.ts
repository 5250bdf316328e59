import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeLeakySnapshot } from '../helpers/leaky-program.js';
import { parseSnapshotFile } from '../../src/heap/parser.js';
import { fromRawSnapshot } from '../../src/heap/raw.js';
import { analyzeSnapshot, SCHEMA_VERSION } from '../../src/heap/analysis.js';
import { renderTerminalReport } from '../../src/report/terminal.js';
import { GraphBuilder } from '../helpers/graph-builder.js';
import { isLeakhoundError } from '../../src/errors.js';

const leaky = writeLeakySnapshot(5000);
after(() => leaky.cleanup());

test('the leaky registry is the first suspect, with its path, size and the leaked class location', { timeout: 60_000 }, async () => {
  const phases = new Set<string>();
  const snap = await parseSnapshotFile(leaky.snapshotPath);
  const report = analyzeSnapshot(snap, { top: 15, file: leaky.snapshotPath, onProgress: (phase) => phases.add(phase) });
  assert.equal(report.schemaVersion, SCHEMA_VERSION);
  for (const phase of ['essential edges', 'dominators: semidominators', 'retained sizes', 'retainer paths', 'histogram', 'leak suspects']) {
    assert.ok(phases.has(phase), phase);
    assert.equal(typeof report.timings.phases[phase], 'number', `timings.phases["${phase}"]`);
  }

  const suspect = report.suspects[0]!;
  assert.ok(suspect, 'a suspect');
  assert.equal(suspect.kind, 'object');
  assert.equal(suspect.className, 'Map');
  assert.equal(suspect.heldAs, 'registry');
  assert.equal(suspect.accumulated?.className, 'LeakyEntry');
  assert.equal(suspect.accumulated?.count, 5000);
  assert.ok(suspect.accumulated?.location?.url.endsWith('/leaky-service.mjs'));
  assert.equal(suspect.accumulated?.location?.line, leaky.lineOf('constructor(id)'));
  // Each entry holds a ~180-character string: the Map retains at least 5,000 of them.
  assert.ok(suspect.retainedSize > 5000 * 180, String(suspect.retainedSize));
  assert.ok(suspect.retainedPercent >= 10);
  const last = suspect.path.at(-1)!;
  assert.deepEqual([last.edgeType, last.edgeName, last.className], ['context', 'registry', 'Map']);
  assert.equal(suspect.path[0]!.className, 'global', 'the path starts at the user root');
  assert.match(suspect.description, /^Map `registry` \(module scope of file:\/\/\/.*leaky-service\.mjs\) retains .* 5,000 LeakyEntry objects/);
  // Node's own module cache is big in a small heap but is not reported.
  assert.ok(!report.suspects.some((s) => s.className === 'BuiltinModule'), report.suspects.map((s) => s.description).join('\n'));

  assert.equal(report.histogram.length, 15);
  const row = report.histogram.find((r) => r.className === 'LeakyEntry');
  assert.ok(row);
  assert.equal(row.count, 5000);
  assert.ok(report.classCount > 15);
  const s = report.statistics;
  assert.equal(s.code + s.strings + s.jsArrays + s.system + s.other + s.native, s.total);
  assert.equal(report.snapshot.totalSize, s.total);
  assert.equal(report.snapshot.nodeCount, snap.nodeCount);
  assert.equal(report.snapshot.reachableSize + report.snapshot.unreachableSize, report.snapshot.totalSize);

  // The same file through the small-input path gives the same report.
  const again = analyzeSnapshot(fromRawSnapshot(JSON.parse(readFileSync(leaky.snapshotPath, 'utf8'))), { top: 15, file: leaky.snapshotPath });
  assert.deepEqual({ ...again, timings: null }, { ...report, timings: null, snapshot: { ...report.snapshot, fileBytes: 0 } });
  assert.deepEqual(Object.keys(again.timings.phases), Object.keys(report.timings.phases));

  // A lower threshold reports more; a 100% threshold reports nothing.
  assert.ok(analyzeSnapshot(snap, { suspectThreshold: 0.02 }).suspects.length >= report.suspects.length);
  assert.equal(analyzeSnapshot(snap, { suspectThreshold: 1 }).suspects.length, 0);

  const text = renderTerminalReport(report);
  assert.match(text, /Leak suspects \(retaining >= 10% of the heap\)/);
  assert.match(text, /\(closure variable\) registry -> Map @\d+/);
  // The module loader's steps are folded in the text; the JSON keeps them all.
  const folded = /\.\.\. (\d+) steps inside Node\.js/.exec(text);
  assert.ok(folded, text);
  assert.ok(suspect.path.length > Number(folded[1]));
  assert.match(text, /LeakyEntry +5,000/);
  assert.ok(!text.includes('\x1b['), 'no colours unless asked');
});

test('a graph without nodes is a typed error, not a hang', () => {
  const raw = new GraphBuilder().toRaw();
  raw.nodes = [];
  raw.snapshot.node_count = 0;
  assert.throws(() => analyzeSnapshot(fromRawSnapshot(raw)), (error: unknown) => isLeakhoundError(error) && error.code === 'LH_ERR_SNAPSHOT_FORMAT');
});

test('a root-only snapshot analyses to an empty report', () => {
  const report = analyzeSnapshot(fromRawSnapshot(new GraphBuilder().toRaw()));
  assert.equal(report.snapshot.totalSize, 0);
  assert.deepEqual(report.suspects, []);
  assert.deepEqual(report.histogram, []);
});
