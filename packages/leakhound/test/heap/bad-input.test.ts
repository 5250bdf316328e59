import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LeakhoundError, type ErrorCode } from '../../src/errors.js';
import { SnapshotStreamParser, parseSnapshotBytes, parseSnapshotFile } from '../../src/heap/parser.js';
import type { RawHeapSnapshot } from '../../src/heap/raw.js';
import { GraphBuilder } from '../helpers/graph-builder.js';

function graph(): GraphBuilder {
  const g = new GraphBuilder();
  const roots = g.node('synthetic', '(GC roots)');
  g.edge(g.root, roots, 'element', 1);
  const a = g.node('object', 'Foo', 10);
  const b = g.node('closure', 'run', 20);
  g.edge(roots, a, 'property', 'foo');
  g.edge(a, b, 'property', 'run');
  g.edge(b, a, 'context', 'self');
  g.location(b, 3, 4, 5);
  return g;
}

const GOOD = graph().toJSON();

function failure(input: string | Uint8Array, chunkSize?: number): LeakhoundError {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  try {
    parseSnapshotBytes(bytes, chunkSize === undefined ? {} : { chunkSize });
  } catch (error) {
    assert.ok(error instanceof LeakhoundError, `expected a LeakhoundError, got ${String(error)}`);
    assert.ok(!error.message.includes('\n'), `one-line message: ${error.message}`);
    return error;
  }
  assert.fail('parsing succeeded');
}

function expectCode(input: string | Uint8Array, code: ErrorCode, pattern?: RegExp): LeakhoundError {
  const error = failure(input);
  assert.equal(error.code, code, error.message);
  if (pattern) assert.match(error.message, pattern);
  // The same error whatever the read size.
  assert.equal(failure(input, 3).code, code);
  return error;
}

/** GOOD with one change made on the raw object. */
function mutated(change: (raw: RawHeapSnapshot) => void): string {
  const raw = graph().toRaw();
  change(raw);
  return JSON.stringify(raw);
}

describe('files that cannot be read', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lh-bad-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing path', async () => {
    const path = join(dir, 'nope.heapsnapshot');
    await assert.rejects(parseSnapshotFile(path), (e: LeakhoundError) => {
      assert.equal(e.code, 'LH_ERR_FILE_NOT_FOUND');
      assert.equal(e.file, path);
      assert.ok(e.message.includes(path));
      return true;
    });
  });

  test('a directory', async () => {
    const path = join(dir, 'adir');
    mkdirSync(path);
    await assert.rejects(parseSnapshotFile(path), { code: 'LH_ERR_FILE_UNREADABLE', message: /is a directory/ });
  });

  test('a file without read permission', { skip: process.getuid?.() === 0 ? 'root can read any file' : false }, async () => {
    const path = join(dir, 'secret.heapsnapshot');
    writeFileSync(path, GOOD);
    chmodSync(path, 0o000);
    await assert.rejects(parseSnapshotFile(path), { code: 'LH_ERR_FILE_UNREADABLE' });
  });

  test('an empty file and a whitespace-only file', async () => {
    const empty = join(dir, 'empty.heapsnapshot');
    writeFileSync(empty, '');
    await assert.rejects(parseSnapshotFile(empty), { code: 'LH_ERR_SNAPSHOT_EMPTY' });
    const blank = join(dir, 'blank.heapsnapshot');
    writeFileSync(blank, ' \n\t\n');
    await assert.rejects(parseSnapshotFile(blank), { code: 'LH_ERR_SNAPSHOT_EMPTY' });
  });

  test('an empty pipe', { skip: process.platform === 'win32' ? 'no mkfifo' : false }, async () => {
    const fifo = join(dir, 'empty.pipe');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', ': > "$1"', 'sh', fifo], { stdio: 'ignore' });
    try {
      await assert.rejects(parseSnapshotFile(fifo), { code: 'LH_ERR_SNAPSHOT_EMPTY' });
    } finally {
      writer.kill();
    }
  });

  test('file errors name the file and keep the byte offset', async () => {
    const path = join(dir, 'cut.heapsnapshot');
    writeFileSync(path, GOOD.slice(0, 200));
    await assert.rejects(parseSnapshotFile(path, { chunkSize: 16 }), (e: LeakhoundError) => {
      assert.equal(e.code, 'LH_ERR_SNAPSHOT_TRUNCATED');
      assert.equal(e.offset, 200);
      assert.equal(e.file, path);
      assert.match(e.message, new RegExp(`^${path}: .*byte 200`));
      return true;
    });
  });
});

describe('not JSON, garbage', () => {
  test('text that is not JSON reports the byte offset', () => {
    const e = expectCode('hello world', 'LH_ERR_SNAPSHOT_SYNTAX', /byte 0/);
    assert.equal(e.offset, 0);
  });

  test('random binary garbage', () => {
    const bytes = new Uint8Array(4096);
    let seed = 7;
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      bytes[i] = seed >>> 24;
    }
    bytes[0] = 0xff;
    expectCode(bytes, 'LH_ERR_SNAPSHOT_SYNTAX');
  });

  test('garbage inside each section points at the bad byte', () => {
    for (const key of ['"nodes":[', '"edges":[', '"strings":[', '"locations":[', '"trace_tree":[', '"snapshot":{']) {
      const at = GOOD.indexOf(key) + key.length + 1;
      const text = GOOD.slice(0, at) + '\u0001@' + GOOD.slice(at);
      const e = failure(text);
      assert.equal(e.code, 'LH_ERR_SNAPSHOT_SYNTAX', `${key}: ${e.message}`);
      if (key !== '"snapshot":{') assert.equal(e.offset, Buffer.byteLength(GOOD.slice(0, at)), key);
    }
  });

  test('data after the end of the snapshot', () => {
    expectCode(GOOD + '\n{}', 'LH_ERR_SNAPSHOT_SYNTAX', /end of the file/);
  });

  test('a bad escape and a raw control character in a string', () => {
    expectCode(GOOD.replace('"Foo"', '"F\\qoo"'), 'LH_ERR_SNAPSHOT_SYNTAX', /escape/);
    expectCode(GOOD.replace('"Foo"', '"F\u0001oo"'), 'LH_ERR_SNAPSHOT_SYNTAX');
    expectCode(GOOD.replace('"Foo"', '"F\\u12G4"'), 'LH_ERR_SNAPSHOT_SYNTAX', /hex/);
  });

  test('missing and doubled commas', () => {
    expectCode(GOOD.replace('"nodes":[', '"nodes":[,'), 'LH_ERR_SNAPSHOT_SYNTAX');
    expectCode(GOOD.replace(/("edges":\[\d+),/, '$1,,'), 'LH_ERR_SNAPSHOT_SYNTAX');
    expectCode(GOOD.replace(/("edges":\[\d+),/, '$1 '), 'LH_ERR_SNAPSHOT_SYNTAX');
    expectCode(GOOD.replace('"strings":["",', '"strings":["" "'), 'LH_ERR_SNAPSHOT_SYNTAX');
  });
});

describe('truncated files', () => {
  test('every cut point of a small snapshot is reported as truncated', () => {
    const bytes = Buffer.from(GOOD, 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const e = failure(bytes.subarray(0, cut), 5);
      assert.equal(e.code, 'LH_ERR_SNAPSHOT_TRUNCATED', `cut at ${cut}: ${e.message}`);
      assert.equal(e.offset, cut);
    }
  });

  test('the message names the section', () => {
    expectCode(GOOD.slice(0, GOOD.indexOf('"edges":[') + 12), 'LH_ERR_SNAPSHOT_TRUNCATED', /inside "edges"/);
    expectCode(GOOD.slice(0, GOOD.indexOf('"strings":[') + 14), 'LH_ERR_SNAPSHOT_TRUNCATED', /inside "strings"/);
  });
});

describe('JSON that is not a heap snapshot', () => {
  test('other JSON values and objects', () => {
    expectCode('[1,2,3]', 'LH_ERR_SNAPSHOT_FORMAT', /not an object/);
    expectCode('"text"', 'LH_ERR_SNAPSHOT_FORMAT');
    expectCode('{}', 'LH_ERR_SNAPSHOT_FORMAT', /snapshot/);
    expectCode('{"name":"package","version":"1.0.0","dependencies":{"a":"^1"}}', 'LH_ERR_SNAPSHOT_FORMAT', /"snapshot"/);
    expectCode('{"snapshot":[],"nodes":[]}', 'LH_ERR_SNAPSHOT_FORMAT', /"snapshot" is not an object/);
    expectCode(GOOD.replace('"nodes":[', '"nodes":{"x":[').replace('],\n"edges"', ']},\n"edges"'), 'LH_ERR_SNAPSHOT_FORMAT', /"nodes" is not an array/);
  });

  test('a missing section', () => {
    const raw = graph().toRaw() as unknown as Record<string, unknown>;
    for (const key of ['nodes', 'edges', 'strings']) {
      const copy = { ...raw };
      delete copy[key];
      expectCode(JSON.stringify(copy), 'LH_ERR_SNAPSHOT_FORMAT', new RegExp(`"${key}"`));
    }
  });

  test('missing or wrong meta', () => {
    expectCode(mutated((r) => delete (r.snapshot as Partial<RawHeapSnapshot['snapshot']>).meta), 'LH_ERR_SNAPSHOT_FORMAT', /meta is missing/);
    expectCode(mutated((r) => { r.snapshot.meta.node_fields = r.snapshot.meta.node_fields.filter((f) => f !== 'edge_count'); }), 'LH_ERR_SNAPSHOT_FORMAT', /edge_count/);
    expectCode(mutated((r) => { r.snapshot.meta.edge_fields = ['type', 'name_or_index']; }), 'LH_ERR_SNAPSHOT_FORMAT', /to_node/);
    expectCode(mutated((r) => { r.snapshot.meta.node_types = ['object']; }), 'LH_ERR_SNAPSHOT_FORMAT', /node_types/);
    expectCode(mutated((r) => { (r.snapshot.meta as unknown as Record<string, unknown>)['edge_fields'] = 'type'; }), 'LH_ERR_SNAPSHOT_FORMAT', /edge_fields/);
    expectCode(mutated((r) => { (r.snapshot as unknown as Record<string, unknown>)['node_count'] = -1; }), 'LH_ERR_SNAPSHOT_FORMAT', /node_count/);
    expectCode(mutated((r) => { (r.snapshot as unknown as Record<string, unknown>)['edge_count'] = '3'; }), 'LH_ERR_SNAPSHOT_FORMAT', /edge_count/);
    expectCode(mutated((r) => { r.snapshot.meta.location_fields = ['line']; }), 'LH_ERR_SNAPSHOT_FORMAT', /location_fields/);
  });

  test('numbers that are not non-negative integers', () => {
    expectCode(mutated((r) => { r.nodes[3] = 1.5; }), 'LH_ERR_SNAPSHOT_FORMAT', /non-negative integer/);
    expectCode(mutated((r) => { r.edges[1] = -1; }), 'LH_ERR_SNAPSHOT_FORMAT', /non-negative integer/);
    expectCode(mutated((r) => { (r.strings as unknown[])[1] = 5; }), 'LH_ERR_SNAPSHOT_FORMAT', /not a string/);
  });

  test('no nodes at all', () => {
    const text = mutated((r) => {
      r.snapshot.node_count = 0;
      r.snapshot.edge_count = 0;
      r.nodes = [];
      r.edges = [];
      r.locations = [];
    });
    expectCode(text, 'LH_ERR_SNAPSHOT_FORMAT', /no nodes/);
  });

  test('a section twice', () => {
    expectCode(GOOD.replace('"samples":[]', '"samples":[],"nodes":[]'), 'LH_ERR_SNAPSHOT_FORMAT', /twice/);
  });

  test('an absurdly big header', () => {
    const big = JSON.stringify({ snapshot: { meta: {}, padding: 'x'.repeat(5 * 1024 * 1024) } });
    expectCode(big, 'LH_ERR_SNAPSHOT_TOO_LARGE', /header/);
  });
});

describe('inconsistent snapshots', () => {
  test('edge_count values that do not add up', () => {
    // Node 1 claims one more edge, node 2 one fewer: totals still match the edges array.
    const text = mutated((r) => {
      r.nodes[7 + 4]! += 1;
      r.nodes[14 + 4]! -= 1;
    });
    assert.ok(parseSnapshotBytes(Buffer.from(text)));
    expectCode(mutated((r) => { r.nodes[7 + 4]! += 1; }), 'LH_ERR_SNAPSHOT_INCONSISTENT', /add up to/);
  });

  test('node and edge counts that disagree with the arrays', () => {
    expectCode(mutated((r) => { r.snapshot.node_count += 1; }), 'LH_ERR_SNAPSHOT_INCONSISTENT', /"nodes" holds/);
    expectCode(mutated((r) => { r.snapshot.node_count -= 1; }), 'LH_ERR_SNAPSHOT_INCONSISTENT', /node_count/);
    expectCode(mutated((r) => { r.snapshot.edge_count += 1; }), 'LH_ERR_SNAPSHOT_INCONSISTENT', /"edges" holds/);
    expectCode(mutated((r) => { r.nodes.push(1); }), 'LH_ERR_SNAPSHOT_INCONSISTENT', /"nodes" holds/);
    expectCode(mutated((r) => { r.edges.pop(); }), 'LH_ERR_SNAPSHOT_INCONSISTENT', /"edges" holds/);
  });

  test('edge targets that are not nodes', () => {
    expectCode(mutated((r) => { r.edges[2] = 8; }), 'LH_ERR_SNAPSHOT_INCONSISTENT', /not a multiple of 7/);
    expectCode(mutated((r) => { r.edges[2] = 7 * 100; }), 'LH_ERR_SNAPSHOT_INCONSISTENT', /points to node offset 700/);
    // Past 2^32 nodes the target would wrap in 32 bits: still a bad target, not node 1.
    expectCode(mutated((r) => { r.edges[2] = 7 * 2 ** 32 + 7; }), 'LH_ERR_SNAPSHOT_INCONSISTENT', /points to node offset 30064771079/);
    expectCode(mutated((r) => { r.locations![0] = 7 * 100; }), 'LH_ERR_SNAPSHOT_INCONSISTENT', /location/);
  });

  test('string indexes and types out of range', () => {
    expectCode(mutated((r) => { r.nodes[1] = 999; }), 'LH_ERR_SNAPSHOT_INCONSISTENT', /name index 999/);
    expectCode(mutated((r) => { r.edges[3 + 1] = 999; }), 'LH_ERR_SNAPSHOT_INCONSISTENT', /edge 1 \(property\) has name index 999/);
    expectCode(mutated((r) => { r.nodes[0] = 99; }), 'LH_ERR_SNAPSHOT_INCONSISTENT', /node type 99/);
    expectCode(mutated((r) => { r.edges[0] = 99; }), 'LH_ERR_SNAPSHOT_INCONSISTENT', /edge type 99/);
    expectCode(mutated((r) => { r.nodes[2] = 2 ** 40; }), 'LH_ERR_SNAPSHOT_INCONSISTENT', /node id/);
    // 2^60 as digits: beyond exact doubles.
    expectCode(mutated((r) => { r.nodes[3] = 2 ** 60; }).replace(/1152921504606847000/, '1152921504606846976'), 'LH_ERR_SNAPSHOT_INCONSISTENT', /self_size/);
    const huge = mutated((r) => { r.nodes[10] = 123456; }).replace('123456', '9'.repeat(400));
    expectCode(huge, 'LH_ERR_SNAPSHOT_INCONSISTENT', /self_size Infinity/);
    // An element edge's number is an index, not a string: any value is fine.
    assert.ok(parseSnapshotBytes(Buffer.from(mutated((r) => { r.edges[1] = 999; }))));
  });

  test('a header claiming more nodes than the file can hold fails before allocating', () => {
    const before = process.memoryUsage().arrayBuffers;
    expectCode(mutated((r) => { r.snapshot.node_count = 1e12; }), 'LH_ERR_SNAPSHOT_TRUNCATED', /claims 1000000000000 nodes/);
    expectCode(mutated((r) => { r.snapshot.edge_count = 4e9; }), 'LH_ERR_SNAPSHOT_TRUNCATED', /need at least/);
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024);
  });

  test('counts beyond the Uint32 ordinals this engine uses', () => {
    // A parser told the input is 1 PB gets past the size check without a real file.
    const parser = new SnapshotStreamParser(2 ** 50);
    const header = mutated((r) => { r.snapshot.node_count = 2 ** 40; });
    assert.throws(() => parser.feed(Buffer.from(header)), { code: 'LH_ERR_SNAPSHOT_TOO_LARGE', message: /node_count is 1099511627776/ });
  });
});
