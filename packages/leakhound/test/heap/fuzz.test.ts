// Mutates a real snapshot written by Node (truncation, byte flips, deleted
// keys, swapped digits, inserted garbage, deleted ranges) and checks that the
// parser either returns a self-consistent HeapSnapshot or throws a typed
// LeakhoundError, within a bounded time per case. Seeded: failures reproduce.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LeakhoundError } from '../../src/errors.js';
import { parseSnapshotBytes } from '../../src/heap/parser.js';
import type { HeapSnapshot } from '../../src/heap/snapshot.js';

const CASE_LIMIT_MS = 5000;
const SECTION_KEYS = ['"snapshot"', '"meta"', '"node_fields"', '"node_types"', '"edge_fields"', '"edge_types"',
  '"node_count"', '"edge_count"', '"location_fields"', '"nodes"', '"edges"', '"strings"', '"locations"',
  '"trace_tree"', '"samples"', '"trace_function_infos"'];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkSnapshot(snap: HeapSnapshot): void {
  assert.equal(snap.firstEdge[snap.nodeCount], snap.edgeCount);
  const strings = snap.strings.count;
  for (let n = 0; n < snap.nodeCount; n++) {
    if (snap.nodeName[n]! >= strings) assert.fail(`node ${n} name out of range`);
    if (snap.nodeType[n]! >= snap.meta.nodeTypes.length) assert.fail(`node ${n} type out of range`);
  }
  for (let e = 0; e < snap.edgeCount; e++) {
    if (snap.edgeToNode[e]! >= snap.nodeCount) assert.fail(`edge ${e} target out of range`);
  }
  for (let l = 0; l < snap.locationNode.length; l++) {
    if (snap.locationNode[l]! >= snap.nodeCount) assert.fail(`location ${l} out of range`);
  }
}

interface Outcome {
  ok: number;
  codes: Map<string, number>;
}

function runCase(name: string, bytes: Uint8Array, chunkSize: number, outcome: Outcome): void {
  const started = performance.now();
  try {
    checkSnapshot(parseSnapshotBytes(bytes, { chunkSize }));
    outcome.ok++;
  } catch (error) {
    if (!(error instanceof LeakhoundError)) {
      assert.fail(`${name}: not a LeakhoundError: ${(error as Error)?.stack ?? String(error)}`);
    }
    assert.ok(error.code.startsWith('LH_ERR_SNAPSHOT_'), `${name}: ${error.code}`);
    assert.ok(!error.message.includes('\n'), `${name}: multi-line message`);
    outcome.codes.set(error.code, (outcome.codes.get(error.code) ?? 0) + 1);
  }
  const elapsed = performance.now() - started;
  assert.ok(elapsed < CASE_LIMIT_MS, `${name} took ${elapsed.toFixed(0)} ms`);
}

function positionsOf(bytes: Buffer, needle: string): number[] {
  const out: number[] = [];
  for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) out.push(at);
  return out;
}

describe('fuzzing the parser with mutated real snapshots', () => {
  let dir = '';
  let original = Buffer.alloc(0);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lh-fuzz-'));
    const file = join(dir, 'base.heapsnapshot');
    const script = `
      class Job { constructor(i) { this.i = i; this.name = 'job\\u00e9' + i; this.run = () => this.i; } }
      globalThis.jobs = Array.from({ length: 2000 }, (_, i) => new Job(i));
      require('v8').writeHeapSnapshot(${JSON.stringify(file)});
    `;
    execFileSync(process.execPath, ['-e', script], { stdio: 'inherit', timeout: 60_000 });
    original = readFileSync(file);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the unmutated snapshot parses', () => {
    checkSnapshot(parseSnapshotBytes(original, { chunkSize: 65_521 }));
  });

  test('truncation at random offsets and just inside every section', { timeout: 120_000 }, () => {
    const random = prng(1);
    const outcome: Outcome = { ok: 0, codes: new Map() };
    const cuts: number[] = [];
    for (let k = 0; k < 60; k++) cuts.push(1 + Math.floor(random() * (original.length - 1)));
    for (const key of SECTION_KEYS) for (const at of positionsOf(original, key)) cuts.push(at, at + key.length + 2, at + key.length + 9);
    for (const cut of cuts) {
      if (cut <= 0 || cut >= original.length) continue;
      runCase(`cut at ${cut}`, original.subarray(0, cut), cut % 2 === 0 ? 1 << 20 : 4099, outcome);
    }
    assert.equal(outcome.ok, 0, 'a truncated snapshot never parses');
    assert.deepEqual([...outcome.codes.keys()], ['LH_ERR_SNAPSHOT_TRUNCATED']);
  });

  test('byte flips, digit swaps, garbage, deleted ranges and deleted keys', { timeout: 120_000 }, () => {
    const random = prng(2);
    const outcome: Outcome = { ok: 0, codes: new Map() };
    const pick = (n: number) => Math.floor(random() * n);
    const digits: number[] = [];
    for (let i = 0; i < original.length; i += 1 + pick(2000)) if (original[i]! >= 48 && original[i]! <= 57) digits.push(i);
    for (let k = 0; k < 240; k++) {
      const copy = Buffer.from(original);
      let bytes: Buffer = copy;
      let name: string;
      switch (k % 6) {
        case 0: {
          const flips = 1 + pick(4);
          for (let f = 0; f < flips; f++) copy[pick(copy.length)] = pick(256);
          name = `flip x${flips}`;
          break;
        }
        case 1: {
          const at = digits[pick(digits.length)]!;
          copy[at] = 48 + pick(10);
          if (copy[at + 1]! >= 48 && copy[at + 1]! <= 57) [copy[at], copy[at + 1]] = [copy[at + 1]!, copy[at]!];
          name = `digit change at ${at}`;
          break;
        }
        case 2: {
          const at = pick(copy.length);
          const garbage = Buffer.alloc(1 + pick(16));
          for (let g = 0; g < garbage.length; g++) garbage[g] = pick(256);
          bytes = Buffer.concat([copy.subarray(0, at), garbage, copy.subarray(at)]);
          name = `garbage at ${at}`;
          break;
        }
        case 3: {
          const at = pick(copy.length);
          const length = 1 + pick(k % 12 === 3 ? 100_000 : 64);
          bytes = Buffer.concat([copy.subarray(0, at), copy.subarray(Math.min(copy.length, at + length))]);
          name = `delete ${length} at ${at}`;
          break;
        }
        case 4: {
          // "Delete" a key by renaming it: the value becomes an unknown key's.
          const key = SECTION_KEYS[pick(SECTION_KEYS.length)]!;
          const at = positionsOf(copy, key)[0];
          if (at !== undefined) copy[at + 1] = 0x5f;
          name = `rename ${key}`;
          break;
        }
        default: {
          // Remove a key and its value inside the header (JSON.parse'd part).
          const key = SECTION_KEYS.slice(1, 9)[pick(8)]!;
          const text = copy.toString('latin1', 0, 2000);
          const re = new RegExp(`${key}:(\\[[^\\]]*\\]|\\[\\[[^\\]]*\\][^\\]]*\\]|\\d+),?`);
          const header = text.replace(re, '');
          bytes = Buffer.concat([Buffer.from(header, 'latin1'), copy.subarray(2000)]);
          name = `drop ${key}`;
          break;
        }
      }
      runCase(`case ${k} (${name})`, bytes, k % 3 === 0 ? 4099 : 1 << 20, outcome);
    }
    // The mutations reach the error paths, not just the happy one.
    assert.ok(outcome.codes.size >= 3, JSON.stringify([...outcome.codes]));
  });
});
