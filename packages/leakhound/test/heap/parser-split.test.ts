// The split parse (a worker parses the tail of `edges` backwards) must give
// exactly the arrays of the one-thread parse on real snapshots, wherever the
// cut falls, fall back to one thread when the tail is not in V8's layout, give
// bad input the one-thread parse's errors, and turn a failing worker into a
// typed error instead of a hang.
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parseSnapshotFile } from '../../src/heap/parser.js';
import { LINE_EDGE, LINE_NODE, LINE_OTHER, classifyProbe, cutOffset, locateEdges, probesCanTell } from '../../src/heap/parser-split.js';
import type { HeapSnapshot } from '../../src/heap/snapshot.js';
import { writeLeakySnapshot, type LeakySnapshot } from '../helpers/leaky-program.js';
import { assertSameSnapshot } from './parser-compare.js';

const ALWAYS = { minBytes: 0 };
const NEVER = { minBytes: Number.POSITIVE_INFINITY };

/** Small reads, so the main thread decides on a cut before it has read the whole (small) test file. */
const CHUNK = 65536;

/** Parses with a split at `at` (fraction of the edges section); `cut` is set when the worker's part was taken. */
async function parseSplit(path: string, at: number, chunkSize = CHUNK, workerUrl?: URL): Promise<{ snap: HeapSnapshot; cut: number }> {
  let cut = -1;
  const edgeSplit = { ...ALWAYS, at, onSplit: (at: number) => (cut = at), ...(workerUrl ? { workerUrl } : {}) };
  const snap = await parseSnapshotFile(path, { chunkSize, edgeSplit });
  return { snap, cut };
}

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
  assert.fail('expected an error');
}

describe('split edge parse', () => {
  let leaky: LeakySnapshot;
  let text: string;
  let single: HeapSnapshot;
  let edgesStart: number;
  let edgesEnd: number;

  before(async () => {
    leaky = writeLeakySnapshot(3000);
    text = readFileSync(leaky.snapshotPath, 'latin1');
    edgesStart = text.indexOf('"edges":[');
    edgesEnd = text.indexOf(']', edgesStart);
    single = await parseSnapshotFile(leaky.snapshotPath, { edgeSplit: NEVER });
  });
  after(() => leaky.cleanup());

  /** A copy of the snapshot with `edit` applied to the edges section's text after `from` (a fraction of it). */
  function variant(name: string, from: number, edit: (tail: string) => string): string {
    const cut = edgesStart + Math.floor(from * (edgesEnd - edgesStart));
    const path = join(leaky.dir, name);
    writeFileSync(path, text.slice(0, cut) + edit(text.slice(cut, edgesEnd + 1)) + text.slice(edgesEnd + 1), 'latin1');
    return path;
  }

  test('probes find the edges section from the nodes, to a few KB, before the reader gets there', async () => {
    const layout = { nodeFields: 7, edgeFields: 3, otherFields: [4, 2, 6] };
    const fd = openSync(leaky.snapshotPath, 'r');
    try {
      const read = (bytes: Uint8Array, at: number): Promise<number> => Promise.resolve(readSync(fd, bytes, 0, bytes.length, at));
      const nodesStart = text.indexOf('"nodes":[');
      const found = await locateEdges(read, nodesStart + 100, text.length, layout);
      assert.ok(found !== null);
      // The end must lie inside the section (the worker searches for the ']' from there).
      assert.ok(found.end < edgesEnd && found.end > edgesEnd - 4096 - 64, `end ${found.end} vs ${edgesEnd}`);
      assert.ok(Math.abs(found.start - edgesStart) < 4096 + 64, `start ${found.start} vs ${edgesStart}`);
      // From inside the section, the start is where the reader is.
      const inside = await locateEdges(read, edgesStart + 1000, text.length, layout);
      assert.equal(inside?.start, edgesStart + 1000);
      assert.ok(inside.end < edgesEnd && inside.end > edgesEnd - 4096 - 64);
      // From the strings: nothing to split.
      assert.equal(await locateEdges(read, text.indexOf('"strings":['), text.length, layout), null);
    } finally {
      closeSync(fd);
    }
  });

  for (const at of [0.05, 0.5, 0.85]) {
    for (const chunkSize of [CHUNK, 4099]) {
      test(`cut at ${at} of the section, ${chunkSize}-byte reads: the same arrays as one thread`, async () => {
        const { snap, cut } = await parseSplit(leaky.snapshotPath, at, chunkSize);
        assert.ok(cut > edgesStart && cut < edgesEnd, `the worker parsed the tail (cut ${cut})`);
        assertSameSnapshot(snap, single);
      });
    }
  }

  test('"\\r\\n" line ends in the tail: parsed again on one thread, same arrays', async () => {
    const path = variant('crlf.heapsnapshot', 0.6, (tail) => tail.replaceAll('\n,', '\r\n,'));
    const { snap, cut } = await parseSplit(path, 0.2);
    assert.equal(cut, -1, 'fell back to one thread');
    assertSameSnapshot(snap, single);
  });

  test('no newline before the closing bracket: the worker declines at once, the main thread parses on', async () => {
    const path = variant('no-newline.heapsnapshot', 0.9, (tail) => tail.replace(/\n\]$/, ']'));
    const { snap, cut } = await parseSplit(path, 0.5);
    assert.equal(cut, -1, 'the main thread parsed the whole section');
    assertSameSnapshot(snap, single);
  });

  test('a bad edge type in the tail: the one-thread error', async () => {
    // The last record's type becomes 99 (out of range).
    const path = variant('bad-type.heapsnapshot', 0.9, (tail) => tail.replace(/\n,\d+,(\d+,\d+\n\])$/, '\n,99,$1'));
    const expected = await errorOf(parseSnapshotFile(path, { edgeSplit: NEVER }));
    assert.equal(expected.code, 'LH_ERR_SNAPSHOT_INCONSISTENT');
    assert.deepEqual(await errorOf(parseSplit(path, 0.3)), expected);
  });

  test('an edge target past 2^32 nodes in the tail: the one-thread error (no wrap to a real node)', async () => {
    const path = variant('huge-target.heapsnapshot', 0.9, (tail) => tail.replace(/\n,(\d+),(\d+),\d+\n\]$/, `\n,$1,$2,${7 * 2 ** 32 + 7}\n]`));
    const expected = await errorOf(parseSnapshotFile(path, { edgeSplit: NEVER }));
    assert.equal(expected.code, 'LH_ERR_SNAPSHOT_INCONSISTENT');
    assert.match(expected.message, /30064771079/);
    assert.deepEqual(await errorOf(parseSplit(path, 0.3)), expected);
  });

  test('a bad byte in the head while the worker runs: the one-thread error, the worker stopped', async () => {
    const path = variant('bad-head.heapsnapshot', 0.1, (tail) => tail.replace('\n,', '\n,x'));
    const expected = await errorOf(parseSnapshotFile(path, { edgeSplit: NEVER }));
    assert.equal(expected.code, 'LH_ERR_SNAPSHOT_SYNTAX');
    assert.deepEqual(await errorOf(parseSplit(path, 0.5)), expected);
  });

  test('one record missing from the tail: the one-thread count error', async () => {
    const path = variant('short.heapsnapshot', 0.9, (tail) => tail.replace(/\n,\d+,\d+,\d+\n\]$/, '\n]'));
    const expected = await errorOf(parseSnapshotFile(path, { edgeSplit: NEVER }));
    assert.equal(expected.code, 'LH_ERR_SNAPSHOT_INCONSISTENT');
    assert.deepEqual(await errorOf(parseSplit(path, 0.3)), expected);
  });

  test('a worker that throws: LH_ERR_WORKER_FAILED, not a hang', async () => {
    const path = join(leaky.dir, 'throwing-worker.mjs');
    writeFileSync(path, "throw new Error('boom');\n");
    const error = await errorOf(parseSplit(leaky.snapshotPath, 0.5, CHUNK, pathToFileURL(path)));
    assert.equal(error.code, 'LH_ERR_WORKER_FAILED');
    assert.match(error.message, /boom/);
  });

  test('a worker that exits without an answer: LH_ERR_WORKER_FAILED, not a hang', async () => {
    const path = join(leaky.dir, 'silent-worker.mjs');
    writeFileSync(path, '// exits without posting anything\n');
    const error = await errorOf(parseSplit(leaky.snapshotPath, 0.5, CHUNK, pathToFileURL(path)));
    assert.equal(error.code, 'LH_ERR_WORKER_FAILED');
    assert.match(error.message, /exited/);
  });
});

test('classifyProbe: the first whole record line after the probe offset, by its count of numbers', () => {
  const layout = { nodeFields: 7, edgeFields: 3, otherFields: [4, 2, 6] };
  const bytes = (text: string): Uint8Array => Buffer.from(text, 'latin1');
  assert.equal(classifyProbe(bytes('5,1\n,9,1,1,0,7,0,0\n,9,2'), layout), LINE_NODE);
  assert.equal(classifyProbe(bytes('0\n,1,2,3\n'), layout), LINE_EDGE);
  // Section boundaries: the key line is stepped over.
  assert.equal(classifyProbe(bytes('0,0\n],\n"edges":[1,1,7\n,5,11504,21182\n'), layout), LINE_EDGE);
  assert.equal(classifyProbe(bytes('7\n],\n"locations":[1,2,3,4\n,5,6,7,8\n'), layout), LINE_OTHER);
  assert.equal(classifyProbe(bytes('x",\n"1,2,3",\n",4,5,6",\n'), layout), LINE_OTHER, 'strings are no records');
  assert.equal(classifyProbe(bytes('1,2,3\n,4,5'), layout), LINE_OTHER, 'no whole line');
  assert.ok(probesCanTell(layout));
  assert.ok(!probesCanTell({ nodeFields: 3, edgeFields: 3, otherFields: [4] }), 'nodes look like edges');
  assert.ok(!probesCanTell({ nodeFields: 7, edgeFields: 3, otherFields: [3] }), 'locations look like edges');
});

test('cutOffset: balances the threads, never behind the reader nor past 90% of the section', () => {
  // Section [100, 1100) in a 1200-byte file, reader at 200: the tail gets more than half.
  const cut = cutOffset(100, 200, 1100, 1200, 0.5);
  assert.equal(cut, 600);
  assert.equal(cutOffset(100, 700, 1100, 1200, 0.5), 700, 'not behind the reader');
  // Planned from the header, the reader may still be far before the section: never cut in the nodes.
  // (Nodes [8 MB, 500 MB), edges to 600 MB, 700 MB in all: the balance point, 266 MB, lies in the nodes.)
  const MB = 1024 * 1024;
  assert.equal(cutOffset(500 * MB, 8 * MB, 600 * MB, 700 * MB), 500 * MB, 'not before the section');
  assert.equal(cutOffset(100, 1050, 1100, 1200), -1, 'too close to the end');
  assert.ok(cutOffset(100, 200, 1100, 1200) <= 100 + 0.9 * 1000);
});
