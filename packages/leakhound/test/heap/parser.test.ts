import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseSnapshotBytes, parseSnapshotFile } from '../../src/heap/parser.js';
import { fromRawSnapshot, type RawHeapSnapshot } from '../../src/heap/raw.js';
import type { HeapSnapshot } from '../../src/heap/snapshot.js';
import { EDGE_FIELDS, EDGE_TYPES, GraphBuilder, LOCATION_FIELDS, NODE_FIELDS, NODE_TYPES } from '../helpers/graph-builder.js';
import { assertSameSnapshot } from './parser-compare.js';

const CHUNK_SIZES = [1, 2, 3, 5, 7, 13, 64, 4096];

function sample(): GraphBuilder {
  const g = new GraphBuilder();
  const gcRoots = g.node('synthetic', '(GC roots)');
  g.edge(g.root, gcRoots, 'element', 1);
  const a = g.node('object', 'Foo', 100);
  const b = g.node('object', 'Bär "quoted"', 20);
  const c = g.node('closure', 'handler', 32);
  const d = g.node('string', 'line\nbreak\ttab\\slash😀', 1234567);
  g.edge(gcRoots, a, 'property', 'foo');
  g.edge(a, b, 'property', 'ünïcödé');
  g.edge(a, c, 'context', 'ctx');
  g.edge(b, d, 'element', 0);
  g.edge(c, d, 'hidden', 3);
  g.edge(d, a, 'weak', 'back');
  g.edge(c, b, 'shortcut', 'short');
  g.location(c, 42, 9, 17);
  return g;
}

function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

function expectedFrom(text: string) {
  return fromRawSnapshot(JSON.parse(text) as RawHeapSnapshot);
}

/** The same raw snapshot with its top-level keys in the given order. */
function reorder(raw: RawHeapSnapshot, keys: string[], extra: Record<string, unknown> = {}): string {
  const record = raw as unknown as Record<string, unknown>;
  const parts = keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(k in record ? record[k] : extra[k])}`);
  return `{${parts.join(',\n')}}`;
}

describe('parseSnapshotBytes on GraphBuilder graphs', () => {
  test('agrees with fromRawSnapshot field by field at every read size', () => {
    const text = sample().toJSON();
    const expected = expectedFrom(text);
    for (const chunkSize of CHUNK_SIZES) {
      assertSameSnapshot(parseSnapshotBytes(bytes(text), { chunkSize }), expected);
    }
    const parsed = parseSnapshotBytes(bytes(text));
    assert.equal(parsed.nodeNameString(5), 'line\nbreak\ttab\\slash😀');
    assert.equal(parsed.edgeNameString(1), 'foo');
    assert.equal(parsed.nodeSelfSize[5], 1234567);
    assert.equal(parsed.sourceBytes, bytes(text).length);
  });

  test('self sizes above 2^32 - 1 widen the 32-bit size column instead of wrapping', () => {
    const g = sample();
    const huge = g.node('native', 'system / JSArrayBufferData', 2 ** 33 + 5);
    const after = g.node('object', 'After', 24);
    g.edge(g.root, huge, 'element', 9).edge(g.root, after, 'element', 10);
    const text = g.toJSON();
    const small = parseSnapshotBytes(bytes(sample().toJSON()));
    assert.ok(small.nodeSelfSize instanceof Uint32Array, 'sizes are 32-bit while they fit');
    for (const chunkSize of [3, 1 << 20]) {
      const parsed = parseSnapshotBytes(bytes(text), { chunkSize });
      assertSameSnapshot(parsed, expectedFrom(text));
      assert.ok(parsed.nodeSelfSize instanceof Float64Array);
      assert.equal(parsed.nodeSelfSize[huge], 2 ** 33 + 5);
      assert.equal(parsed.nodeSelfSize[after], 24, 'sizes after the widening land in the new column');
      assert.equal(parsed.nodeSelfSize[5], 1234567, 'sizes before it are kept');
    }
  });

  test('sections in another order, nodes and edges before the header', () => {
    const raw = sample().toRaw();
    const text = reorder(raw, ['strings', 'edges', 'locations', 'nodes', 'trace_tree', 'snapshot', 'samples']);
    const expected = expectedFrom(text);
    for (const chunkSize of [1, 4, 1 << 20]) {
      assertSameSnapshot(parseSnapshotBytes(bytes(text), { chunkSize }), expected);
    }
  });

  test('unknown top-level keys of every JSON kind are skipped', () => {
    const raw = sample().toRaw();
    const extra = {
      x_object: { a: [1, { b: '"]}\\' }], c: null, d: [[[]]], e: -1.5e3 },
      x_number: -12.5e-3,
      x_string: 'tricky ]}", \\ \u0001',
      x_true: true,
      x_null: null,
      x_empty: [],
    };
    const keys = ['x_object', 'snapshot', 'x_number', 'nodes', 'x_string', 'edges', 'x_true', 'strings', 'x_null', 'x_empty'];
    const text = reorder(raw, keys, extra);
    const expected = expectedFrom(text);
    for (const chunkSize of [1, 3, 1 << 20]) {
      assertSameSnapshot(parseSnapshotBytes(bytes(text), { chunkSize }), expected);
    }
  });

  test('extra unknown node and edge fields, fields in another order, pretty-printed JSON', () => {
    const raw = sample().toRaw();
    const meta = raw.snapshot.meta;
    // Move `id` first and add an unknown field in the middle of each record.
    const oldNodeFields = meta.node_fields;
    const nodeFields = ['id', 'type', 'name', 'future_field', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];
    const nodeTypes = nodeFields.map((f) => (f === 'future_field' ? 'number' : meta.node_types[oldNodeFields.indexOf(f)]!));
    const nodes: number[] = [];
    const oldNf = oldNodeFields.length;
    for (let i = 0; i < raw.nodes.length; i += oldNf) {
      for (const f of nodeFields) nodes.push(f === 'future_field' ? 999 : raw.nodes[i + oldNodeFields.indexOf(f)]!);
    }
    const nf = nodeFields.length;
    const edgeFields = ['to_node', 'weight', 'type', 'name_or_index'];
    const edges: number[] = [];
    for (let i = 0; i < raw.edges.length; i += 3) {
      edges.push((raw.edges[i + 2]! / oldNf) * nf, 7, raw.edges[i]!, raw.edges[i + 1]!);
    }
    const locations = raw.locations!.map((v, i) => (i % 4 === 0 ? (v / oldNf) * nf : v));
    const changed: RawHeapSnapshot = {
      ...raw,
      snapshot: {
        ...raw.snapshot,
        meta: {
          ...meta,
          node_fields: nodeFields,
          node_types: nodeTypes,
          edge_fields: edgeFields,
          edge_types: ['node', 'number', meta.edge_types[0]!, 'string_or_number'],
        },
      },
      nodes,
      edges,
      locations,
    };
    const text = JSON.stringify(changed, null, 2);
    const expected = expectedFrom(text);
    for (const chunkSize of [1, 6, 1 << 20]) {
      const parsed = parseSnapshotBytes(bytes(text), { chunkSize });
      assertSameSnapshot(parsed, expected);
    }
    // Same graph as the original layout, apart from meta.
    const original = expectedFrom(sample().toJSON());
    const parsed = parseSnapshotBytes(bytes(text));
    assert.deepEqual(Array.from(parsed.edgeToNode), Array.from(original.edgeToNode));
    assert.deepEqual(Array.from(parsed.nodeId), Array.from(original.nodeId));
    assert.deepEqual(Array.from(parsed.locationNode), Array.from(original.locationNode));
  });

  test('a snapshot without optional fields and sections', () => {
    const raw = sample().toRaw();
    const text = JSON.stringify({
      snapshot: {
        meta: {
          node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
          node_types: raw.snapshot.meta.node_types.slice(0, 5),
          edge_fields: raw.snapshot.meta.edge_fields,
          edge_types: raw.snapshot.meta.edge_types,
        },
        node_count: 1,
        edge_count: 0,
      },
      nodes: [3, 1, 7, 10, 0],
      edges: [],
      strings: ['', 'Only'],
    });
    const parsed = parseSnapshotBytes(bytes(text), { chunkSize: 2 });
    assert.equal(parsed.nodeCount, 1);
    assert.equal(parsed.nodeTraceId, null);
    assert.equal(parsed.nodeDetachedness, null);
    assert.equal(parsed.locationNode.length, 0);
    assert.equal(parsed.nodeNameString(0), 'Only');
  });
});

describe('parseSnapshotFile on a snapshot written by Node', () => {
  let dir = '';
  let file = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lh-parser-'));
    file = join(dir, 'real.heapsnapshot');
    const script = `
      class Session { constructor(i) { this.id = i; this.label = 'sess\\u00e9 "' + i + '"\\n'; this.cb = () => this.id; } }
      globalThis.keep = [];
      for (let i = 0; i < 3000; i++) keep.push(new Session(i));
      globalThis.lone = '\\ud800 lone' + keep.length;
      // V8 writes non-ASCII as \\uXXXX and truncates astral code points, so BMP only here.
      globalThis.marker = 'mark\\u00e9r "quoted"\\n\\u4e2d\\ttab';
      require('v8').writeHeapSnapshot(${JSON.stringify(file)});
    `;
    execFileSync(process.execPath, ['-e', script], { stdio: 'inherit', timeout: 60_000 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('agrees with fromRawSnapshot(JSON.parse) of the same file, in big and odd-sized reads', async () => {
    const expected = expectedFrom(readFileSync(file, 'utf8'));
    assert.ok(expected.nodeCount > 10_000 && expected.edgeCount > expected.nodeCount);
    assert.ok(expected.locationNode.length > 0, 'the snapshot records closure locations');
    const phases: [string, number, number][] = [];
    const parsed = await parseSnapshotFile(file, { onProgress: (p, d, t) => phases.push([p, d, t]) });
    assertSameSnapshot(parsed, expected);
    assertSameSnapshot(await parseSnapshotFile(file, { chunkSize: 4093 }), expected);
    const reads = phases.filter(([p]) => p === 'read');
    assert.ok(reads.length >= 2);
    const size = readFileSync(file).length;
    assert.deepEqual(reads.at(-1), ['read', size, size]);
    for (let i = 1; i < reads.length; i++) assert.ok(reads[i]![1] >= reads[i - 1]![1]);
    assert.ok(phases.some(([p]) => p === 'validate'));
  });

  test('finds the objects the child allocated, with names and strings decoded', async () => {
    const snap = await parseSnapshotFile(file, { chunkSize: 1 << 16 });
    let sessions = 0;
    for (let n = 0; n < snap.nodeCount; n++) if (snap.nodeNameString(n) === 'Session' && snap.nodeTypeName(n) === 'object') sessions++;
    assert.equal(sessions, 3000);
    const all = new Set<string>();
    for (let i = 0; i < snap.strings.count; i++) all.add(snap.strings.get(i));
    assert.ok(all.has('markér "quoted"\n中\ttab'));
  });

  test('a named pipe (no size, no positions) parses the same as the file', { skip: process.platform === 'win32' ? 'no mkfifo' : false }, async () => {
    const fifo = join(dir, 'pipe.heapsnapshot');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', file, fifo], { stdio: 'ignore' });
    const progress: number[] = [];
    try {
      const parsed = await parseSnapshotFile(fifo, { chunkSize: 1 << 16, onProgress: (p, _d, t) => { if (p === 'read') progress.push(t); } });
      assertSameSnapshot(parsed, await parseSnapshotFile(file));
      assert.ok(progress.every((t) => t === 0), 'a pipe has no known total');
    } finally {
      writer.kill();
    }
  });

  test('a file rewritten with tiny reads and a trailing newline still parses the same', async () => {
    const copy = join(dir, 'copy.heapsnapshot');
    writeFileSync(copy, Buffer.concat([readFileSync(file), Buffer.from('\n\n')]));
    assertSameSnapshot(await parseSnapshotFile(copy, { chunkSize: 1021 }), await parseSnapshotFile(file));
  });
});

/**
 * Streams a synthetic snapshot to disk without holding it in memory: node i
 * has one property edge to node (i + 1) % nodes, name string i % strings, and
 * the string k is `s<k>:` padded with `pad` bytes. Tests check values against
 * these formulas.
 */
function writeSynthetic(path: string, nodes: number, strings: number, pad: number): void {
  const fd = openSync(path, 'w');
  let text = '';
  const flush = (force: boolean) => {
    if (force || text.length > 1 << 20) {
      writeSync(fd, text);
      text = '';
    }
  };
  const meta = {
    node_fields: NODE_FIELDS,
    node_types: [NODE_TYPES, 'string', 'number', 'number', 'number', 'number', 'number'],
    edge_fields: EDGE_FIELDS,
    edge_types: [EDGE_TYPES, 'string_or_number', 'node'],
    location_fields: LOCATION_FIELDS,
  };
  const nf = NODE_FIELDS.length;
  const property = EDGE_TYPES.indexOf('property');
  text += `{"snapshot":${JSON.stringify({ meta, node_count: nodes, edge_count: nodes })},\n"nodes":[`;
  for (let i = 0; i < nodes; i++) {
    text += `${i === 0 ? '' : ','}${i % 4},${i % strings},${2 * i + 1},${i % 1000},1,0,0\n`;
    flush(false);
  }
  text += '],\n"edges":[';
  for (let i = 0; i < nodes; i++) {
    text += `${i === 0 ? '' : ','}${property},${i % strings},${((i + 1) % nodes) * nf}\n`;
    flush(false);
  }
  text += '],\n"locations":[],\n"strings":[';
  const padding = 'p'.repeat(pad);
  for (let k = 0; k < strings; k++) {
    text += `${k === 0 ? '' : ',\n'}"s${k}:${padding}"`;
    flush(false);
  }
  text += ']}\n';
  flush(true);
  closeSync(fd);
}

function checkSynthetic(snap: HeapSnapshot, nodes: number, strings: number, pad: number): void {
  assert.equal(snap.nodeCount, nodes);
  assert.equal(snap.edgeCount, nodes);
  assert.equal(snap.strings.count, strings);
  for (let i = 0; i < nodes; i++) {
    if (snap.nodeType[i] !== i % 4 || snap.nodeName[i] !== i % strings || snap.nodeId[i] !== 2 * i + 1 ||
      snap.nodeSelfSize[i] !== i % 1000 || snap.edgeToNode[i] !== (i + 1) % nodes || snap.firstEdge[i] !== i) {
      assert.fail(`node ${i} differs from the generator`);
    }
  }
  const padding = 'p'.repeat(pad);
  for (const k of [0, 1, strings >> 1, strings - 1]) assert.equal(snap.strings.get(k), `s${k}:${padding}`);
}

const BIG = process.env['LEAKHOUND_BIG_TESTS'] === '1';

describe('large inputs (synthetic files streamed to disk)', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lh-parser-big-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('300k nodes: ordinals past 2^16, read in 1 MB pieces', async () => {
    const file = join(dir, 'medium.heapsnapshot');
    writeSynthetic(file, 300_000, 5000, 10);
    const snap = await parseSnapshotFile(file, { chunkSize: 1 << 20 });
    checkSynthetic(snap, 300_000, 5000, 10);
    rmSync(file);
  });

  // About 800 MB on disk and 700 MB of memory: opt-in (LEAKHOUND_BIG_TESTS=1).
  test('more than 2^24 nodes', { skip: BIG ? false : 'set LEAKHOUND_BIG_TESTS=1', timeout: 600_000 }, async () => {
    const file = join(dir, 'many-nodes.heapsnapshot');
    const nodes = 2 ** 24 + 1000;
    writeSynthetic(file, nodes, 1000, 0);
    checkSynthetic(await parseSnapshotFile(file), nodes, 1000, 0);
    rmSync(file);
  });

  // A strings section beyond V8's max string length (~512 MB): opt-in.
  test('a strings section larger than 512 MB', { skip: BIG ? false : 'set LEAKHOUND_BIG_TESTS=1', timeout: 600_000 }, async () => {
    const file = join(dir, 'many-strings.heapsnapshot');
    const strings = 560_000;
    writeSynthetic(file, 1000, strings, 1000);
    assert.ok(statSync(file).size > 560 * 1000 * 1000);
    const snap = await parseSnapshotFile(file);
    assert.ok(snap.strings.byteLength > 2 ** 29);
    checkSynthetic(snap, 1000, strings, 1000);
    rmSync(file);
  });
});
