// Field-by-field comparison of two HeapSnapshots, shared by the parser tests:
// the streaming parser must agree with fromRawSnapshot(JSON.parse(text)).
import assert from 'node:assert/strict';
import type { HeapSnapshot } from '../../src/heap/snapshot.js';

const COLUMNS = [
  'nodeType', 'nodeName', 'nodeId', 'nodeSelfSize', 'nodeEdgeCount', 'nodeTraceId', 'nodeDetachedness',
  'edgeType', 'edgeNameOrIndex', 'edgeToNode', 'firstEdge',
  'locationNode', 'locationScriptId', 'locationLine', 'locationColumn',
] as const;

export function assertSameSnapshot(actual: HeapSnapshot, expected: HeapSnapshot): void {
  assert.equal(actual.nodeCount, expected.nodeCount, 'nodeCount');
  assert.equal(actual.edgeCount, expected.edgeCount, 'edgeCount');
  assert.deepEqual(actual.meta, expected.meta, 'meta');
  for (const column of COLUMNS) {
    const a = actual[column];
    const b = expected[column];
    if (a === null || b === null) {
      assert.equal(a, b, `${column} presence`);
      continue;
    }
    assert.equal(a.length, b.length, `${column} length`);
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) assert.fail(`${column}[${i}]: ${a[i]} !== ${b[i]}`);
    }
  }
  assert.equal(actual.strings.count, expected.strings.count, 'string count');
  for (let i = 0; i < expected.strings.count; i++) {
    const a = actual.strings.get(i);
    const b = expected.strings.get(i);
    if (a !== b) assert.fail(`strings[${i}]: ${JSON.stringify(a)} !== ${JSON.stringify(b)}`);
  }
}
