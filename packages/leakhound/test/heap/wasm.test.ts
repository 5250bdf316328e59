// The WebAssembly kernels for nodes and edges (src/heap/wasm-records.ts,
// src/heap/wasm/records.wat): the committed binary is what the text
// assembles to, and every parse with them gives exactly the columns of the
// JavaScript loops, on real snapshots written by Node and on records the
// kernels must leave to those loops.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parseSnapshotBytes, parseSnapshotFile } from '../../src/heap/parser.js';
import { allocateColumns } from '../../src/heap/wasm-records.js';
import { writeLeakySnapshot, type LeakySnapshot } from '../helpers/leaky-program.js';
import { assertSameSnapshot } from './parser-compare.js';
import { GraphBuilder } from '../helpers/graph-builder.js';

const repo = new URL('../../../../', import.meta.url).pathname;

test('records.wasm.ts is what records.wat assembles to', () => {
  // Exits 1 naming the file when the committed module is stale.
  execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { cwd: repo, stdio: 'pipe' });
});

test('the columns are allocated in one shared memory, up to its 4 GB', () => {
  const cols = allocateColumns(1000, 5000, true, true, 4097);
  assert.ok(cols !== null, 'WebAssembly is available in the test runtime');
  assert.ok(cols.edgeToNode.buffer instanceof SharedArrayBuffer);
  assert.equal(cols.firstEdge.length, 1001);
  for (const column of [cols.nodeName, cols.nodeId, cols.firstEdge, cols.edgeNameOrIndex, cols.edgeToNode]) assert.equal(column.byteOffset % 8, 0);
  // 2^30 edges need 9 GB of columns: ordinary arrays (and the JavaScript loops) then.
  assert.equal(allocateColumns(1000, 1 << 30, false, false, 4097), null);
});

describe('on real snapshots', () => {
  let snapshot: LeakySnapshot;
  before(() => {
    snapshot = writeLeakySnapshot(20_000);
  });
  after(() => snapshot.cleanup());

  test('a file: kernels on both threads (split at several cuts) against the JavaScript loops on one', async () => {
    const expected = await parseSnapshotFile(snapshot.snapshotPath, { kernels: false, edgeSplit: { minBytes: Number.POSITIVE_INFINITY } });
    assert.ok(!(expected.edgeToNode.buffer instanceof SharedArrayBuffer));
    for (const at of [0.05, 0.5, 0.85]) {
      let cut = -1;
      const actual = await parseSnapshotFile(snapshot.snapshotPath, {
        kernels: true,
        chunkSize: 1 << 20,
        edgeSplit: { minBytes: 0, at, onSplit: (c) => (cut = c) },
      });
      assert.ok(cut > 0, `the tail thread took its part (at ${at})`);
      assert.ok(actual.edgeToNode.buffer instanceof SharedArrayBuffer, 'the columns are in the kernels\' memory');
      assertSameSnapshot(actual, expected);
    }
  });

  test('bytes: the kernels through copied windows, in any read size, against the JavaScript loops', () => {
    const bytes = readFileSync(snapshot.snapshotPath);
    const expected = parseSnapshotBytes(bytes, { kernels: false });
    for (const chunkSize of [4096, 65_537, 1 << 20, 16 << 20]) {
      assertSameSnapshot(parseSnapshotBytes(bytes, { kernels: true, chunkSize }), expected);
    }
  });
});

/** A snapshot's text with the edge and node records written by `edit` (one record per line, as V8 does). */
function snapshotText(g: GraphBuilder, editNodes: (line: string, i: number) => string, editEdges: (line: string, i: number) => string): Buffer {
  const raw = g.toRaw();
  const nf = raw.snapshot.meta.node_fields.length;
  const ef = raw.snapshot.meta.edge_fields.length;
  const lines = (values: number[], width: number, edit: (line: string, i: number) => string): string => {
    const out: string[] = [];
    for (let i = 0; i < values.length; i += width) out.push(edit(values.slice(i, i + width).join(','), i / width));
    return out.join('\n,');
  };
  const header = JSON.stringify({ snapshot: raw.snapshot });
  return Buffer.from(`{${header.slice(1, -1)},\n"nodes":[${lines(raw.nodes, nf, editNodes)}\n],\n"edges":[${lines(raw.edges, ef, editEdges)}\n],\n` +
    `"locations":[],\n"strings":${JSON.stringify(raw.strings)}}`);
}

test('records the kernels leave to the JavaScript loops: the same columns, or the same error', () => {
  const g = new GraphBuilder();
  const nodes: number[] = [];
  for (let i = 0; i < 3000; i++) nodes.push(g.node('object', `N${i % 13}`, 16 + (i % 5)));
  for (let i = 0; i < 3000; i++) g.edge(nodes[i]!, nodes[(i * 7 + 1) % 3000]!, i % 3 === 0 ? 'element' : 'property', i % 3 === 0 ? i : `p${i % 11}`);
  g.edge(g.root, nodes[0]!, 'shortcut', 'global');
  const plain = (line: string): string => line;
  const cases: Array<{ name: string; text: Buffer }> = [
    { name: 'plain', text: snapshotText(g, plain, plain) },
    // 11 digits of value 7 (leading zeros): valid, more digits than the kernels read.
    { name: 'leading zeros', text: snapshotText(g, plain, (line, i) => i === 1500 ? line.replace(/,(\d+)$/, ',0000000000$1') : line) },
    { name: 'leading zeros in a node', text: snapshotText(g, (line, i) => i === 1000 ? line.replace(/^(\d+),/, '00000000000$1,') : line, plain) },
    { name: 'a name past 32 bits', text: snapshotText(g, plain, (line, i) => i === 2000 ? line.replace(/^(\d+),(\d+),/, '$1,4294967296,') : line) },
    { name: 'a target not a multiple of the node fields', text: snapshotText(g, plain, (line, i) => i === 2500 ? line.replace(/,(\d+)$/, ',8') : line) },
    { name: 'a node type past the list', text: snapshotText(g, (line, i) => i === 2999 ? line.replace(/^(\d+),/, '99,') : line, plain) },
    { name: 'spaces after commas', text: snapshotText(g, (line, i) => i > 100 && i < 110 ? line.replaceAll(',', ', ') : line, plain) },
    { name: 'a self size past 32 bits', text: snapshotText(g, (line, i) => i === 5 ? line.replace(/^(\d+),(\d+),(\d+),(\d+),/, '$1,$2,$3,8589934592,') : line, plain) },
    { name: 'a detachedness past a byte', text: snapshotText(g, (line, i) => i === 7 ? line.replace(/,(\d+)$/, ',300') : line, plain) },
    { name: 'a trace id', text: snapshotText(g, (line, i) => i === 9 ? line.replace(/,(\d+),(\d+)$/, ',5,$2') : line, plain) },
  ];
  for (const { name, text } of cases) {
    const outcome = (kernels: boolean, chunkSize: number): ReturnType<typeof parseSnapshotBytes> | string => {
      try {
        return parseSnapshotBytes(text, { kernels, chunkSize });
      } catch (error) {
        return (error as { code: string }).code;
      }
    };
    const expected = outcome(false, 1 << 20);
    for (const chunkSize of [5000, 1 << 20]) {
      const actual = outcome(true, chunkSize);
      if (typeof expected === 'string' || typeof actual === 'string') {
        assert.equal(actual, expected, `${name}, reads of ${chunkSize}`);
      } else {
        assertSameSnapshot(actual, expected);
      }
    }
    if (name === 'plain' || name === 'leading zeros') assert.equal(typeof expected, 'object', `${name} parses`);
    if (name === 'a name past 32 bits' || name === 'a node type past the list') assert.equal(typeof expected, 'string', `${name} is an error`);
  }
});
