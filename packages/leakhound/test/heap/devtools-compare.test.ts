// Our analyses against an independent implementation: Chrome DevTools' heap
// model as published in heap-snapshot-toolkit, on a snapshot Node writes here.
//
// Differences that are expected, and how the comparison handles them
// (docs/heap.md, "Differences from DevTools"):
// - DevTools renames plain objects after their inferred shape ("{id, payload}")
//   when enough objects share it; we keep "Object". Counts and shallow sizes of
//   all those names are summed into "Object"; its retained size is not compared,
//   because DevTools' "no double counting" rule then runs per shape, not per class.
// - DevTools splits a class by constructor location (two `class Foo` in
//   different files are two rows) and prefixes "Detached " to Node's embedder
//   objects marked detached; we group by name. Rows are summed by name after
//   dropping the prefix; for a name DevTools splits, its same-class rule runs
//   per location, so its sum can only be >= ours and is checked as a bound.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { parse } from 'heap-snapshot-toolkit';
import { writeLeakySnapshot } from '../helpers/leaky-program.js';
import { parseSnapshotFile } from '../../src/heap/parser.js';
import { prepareAnalysis } from '../../src/heap/analysis.js';
import { heapStatistics } from '../../src/heap/statistics.js';

interface DevToolsAggregate {
  name: string;
  count: number;
  self: number;
  maxRet: number;
}

interface DevToolsSnapshot {
  aggregatesWithFilter(filter: object): Record<string, DevToolsAggregate>;
  getStatistics(): { total: number; native: { total: number; typedArrays: number }; v8heap: { total: number; code: number; jsArrays: number; strings: number; system: number } };
}

const leaky = writeLeakySnapshot(5000);
after(() => leaky.cleanup());

test('per-class counts, shallow and retained sizes and statistics agree with the DevTools model', { timeout: 120_000 }, async () => {
  const snap = await parseSnapshotFile(leaky.snapshotPath);
  const ours = prepareAnalysis(snap);
  const devtools = (await parse(createReadStream(leaky.snapshotPath, 'utf-8'))) as unknown as DevToolsSnapshot;

  const theirs = new Map<string, { count: number; self: number; maxRet: number; rows: number }>();
  for (const aggregate of Object.values(devtools.aggregatesWithFilter({}))) {
    let name = aggregate.name.startsWith('Detached ') ? aggregate.name.slice('Detached '.length) : aggregate.name;
    if (name.startsWith('{')) name = 'Object';
    const prev = theirs.get(name) ?? { count: 0, self: 0, maxRet: 0, rows: 0 };
    theirs.set(name, { count: prev.count + aggregate.count, self: prev.self + aggregate.self, maxRet: prev.maxRet + aggregate.maxRet, rows: prev.rows + 1 });
  }

  assert.equal(ours.histogram.length, theirs.size, 'same set of classes');
  let exact = 0;
  for (const row of ours.histogram) {
    const other = theirs.get(row.className);
    assert.ok(other, `DevTools has no class ${row.className}`);
    assert.equal(row.count, other.count, `${row.className}: count`);
    assert.equal(row.shallowSize, other.self, `${row.className}: shallow size`);
    if (row.className === 'Object') continue;
    if (other.rows === 1) {
      assert.equal(row.retainedSize, other.maxRet, `${row.className}: retained size`);
      exact++;
    } else {
      assert.ok(row.retainedSize <= other.maxRet, `${row.className}: retained ${row.retainedSize} > DevTools' per-location sum ${other.maxRet}`);
    }
  }
  assert.ok(exact > 100, `retained sizes compared exactly for ${exact} classes`);

  const leakyRow = ours.histogram.find((r) => r.className === 'LeakyEntry')!;
  assert.equal(leakyRow.count, 5000);
  assert.equal(leakyRow.retainedSize, theirs.get('LeakyEntry')!.maxRet);

  const stats = heapStatistics(snap, ours.dominators.shallowSize);
  const expected = devtools.getStatistics();
  assert.deepEqual(
    { total: stats.total, native: stats.native, typedArrays: stats.typedArrays, v8heap: stats.v8heap, code: stats.code, jsArrays: stats.jsArrays, strings: stats.strings, system: stats.system },
    { total: expected.total, native: expected.native.total, typedArrays: expected.native.typedArrays, v8heap: expected.v8heap.total, code: expected.v8heap.code, jsArrays: expected.v8heap.jsArrays, strings: expected.v8heap.strings, system: expected.v8heap.system },
  );
  assert.equal(ours.dominators.retainedSize[snap.rootNode], expected.total, 'the root retains the whole heap, as in DevTools');
});
