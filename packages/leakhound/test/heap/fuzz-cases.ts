// The fuzz cases of fuzz.test.ts: seeded mutations of a real snapshot, and
// the check of one parse. Runs inside a worker thread (fuzz-worker.ts) so the
// test can stop a case that does not finish.
import { LeakhoundError } from '../../src/errors.js';
import { createHash } from 'node:crypto';
import { parseSnapshotBytes, type ParseOptions } from '../../src/heap/parser.js';
import type { HeapSnapshot } from '../../src/heap/snapshot.js';

export const SECTION_KEYS = ['"snapshot"', '"meta"', '"node_fields"', '"node_types"', '"edge_fields"', '"edge_types"',
  '"node_count"', '"edge_count"', '"location_fields"', '"nodes"', '"edges"', '"strings"', '"locations"',
  '"trace_tree"', '"samples"', '"trace_function_infos"'];

export interface FuzzCase {
  name: string;
  /** Truncations must always fail as truncated. */
  truncation: boolean;
  chunkSize: number;
  make(): Uint8Array;
}

export interface FuzzOutcome {
  /** 'ok', a LeakhoundError code, or 'BUG' with `problem` set. */
  result: string;
  problem?: string;
}

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

function positionsOf(bytes: Buffer, needle: string): number[] {
  const out: number[] = [];
  for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) out.push(at);
  return out;
}

export function buildCases(original: Buffer): FuzzCase[] {
  const cases: FuzzCase[] = [];
  // Truncation at random offsets and just inside every section.
  const random = prng(1);
  const cuts: number[] = [];
  for (let k = 0; k < 60; k++) cuts.push(1 + Math.floor(random() * (original.length - 1)));
  for (const key of SECTION_KEYS) for (const at of positionsOf(original, key)) cuts.push(at, at + key.length + 2, at + key.length + 9);
  for (const cut of cuts) {
    if (cut <= 0 || cut >= original.length) continue;
    cases.push({ name: `cut at ${cut}`, truncation: true, chunkSize: cut % 2 === 0 ? 1 << 20 : 4099, make: () => original.subarray(0, cut) });
  }
  // Byte flips, digit changes, garbage, deleted ranges, renamed and removed keys.
  const rnd = prng(2);
  const pick = (n: number) => Math.floor(rnd() * n);
  const digits: number[] = [];
  for (let i = 0; i < original.length; i += 1 + pick(2000)) if (original[i]! >= 48 && original[i]! <= 57) digits.push(i);
  for (let k = 0; k < 240; k++) {
    const chunkSize = k % 3 === 0 ? 4099 : 1 << 20;
    switch (k % 6) {
      case 0: {
        const flips = Array.from({ length: 1 + pick(4) }, () => [pick(original.length), pick(256)] as const);
        cases.push({ name: `flip ${JSON.stringify(flips)}`, truncation: false, chunkSize, make: () => {
          const copy = Buffer.from(original);
          for (const [at, value] of flips) copy[at] = value;
          return copy;
        } });
        break;
      }
      case 1: {
        const at = digits[pick(digits.length)]!;
        const digit = 48 + pick(10);
        cases.push({ name: `digit change at ${at}`, truncation: false, chunkSize, make: () => {
          const copy = Buffer.from(original);
          copy[at] = digit;
          if (copy[at + 1]! >= 48 && copy[at + 1]! <= 57) [copy[at], copy[at + 1]] = [copy[at + 1]!, copy[at]!];
          return copy;
        } });
        break;
      }
      case 2: {
        const at = pick(original.length);
        const garbage = Buffer.from(Array.from({ length: 1 + pick(16) }, () => pick(256)));
        cases.push({ name: `garbage at ${at}`, truncation: false, chunkSize,
          make: () => Buffer.concat([original.subarray(0, at), garbage, original.subarray(at)]) });
        break;
      }
      case 3: {
        const at = pick(original.length);
        const length = 1 + pick(k % 12 === 3 ? 100_000 : 64);
        cases.push({ name: `delete ${length} at ${at}`, truncation: false, chunkSize,
          make: () => Buffer.concat([original.subarray(0, at), original.subarray(Math.min(original.length, at + length))]) });
        break;
      }
      case 4: {
        // "Delete" a key by renaming it: its value becomes an unknown key's.
        const key = SECTION_KEYS[pick(SECTION_KEYS.length)]!;
        cases.push({ name: `rename ${key}`, truncation: false, chunkSize, make: () => {
          const copy = Buffer.from(original);
          const at = positionsOf(copy, key)[0];
          if (at !== undefined) copy[at + 1] = 0x5f;
          return copy;
        } });
        break;
      }
      default: {
        // Remove a key and its value inside the header (the JSON.parse'd part).
        const key = SECTION_KEYS.slice(1, 9)[pick(8)]!;
        cases.push({ name: `drop ${key}`, truncation: false, chunkSize, make: () => {
          const re = new RegExp(`${key}:(\\[[^\\]]*\\]|\\[\\[[^\\]]*\\][^\\]]*\\]|\\d+),?`);
          const header = original.toString('latin1', 0, 2000).replace(re, '');
          return Buffer.concat([Buffer.from(header, 'latin1'), original.subarray(2000)]);
        } });
        break;
      }
    }
  }
  return cases;
}

function inconsistency(snap: HeapSnapshot): string | null {
  if (snap.firstEdge[snap.nodeCount] !== snap.edgeCount) return 'firstEdge does not end at edgeCount';
  const strings = snap.strings.count;
  for (let n = 0; n < snap.nodeCount; n++) {
    if (snap.nodeName[n]! >= strings) return `node ${n} name out of range`;
    if (snap.nodeType[n]! >= snap.meta.nodeTypes.length) return `node ${n} type out of range`;
  }
  for (let e = 0; e < snap.edgeCount; e++) if (snap.edgeToNode[e]! >= snap.nodeCount) return `edge ${e} target out of range`;
  for (let l = 0; l < snap.locationNode.length; l++) if (snap.locationNode[l]! >= snap.nodeCount) return `location ${l} out of range`;
  return null;
}

/** A digest of every column, to compare two parses of the same bytes. */
function digest(snap: HeapSnapshot): string {
  const hash = createHash('sha256');
  for (const column of [snap.nodeType, snap.nodeName, snap.nodeId, snap.nodeSelfSize, snap.firstEdge, snap.nodeTraceId,
    snap.nodeDetachedness, snap.edgeType, snap.edgeNameOrIndex, snap.edgeToNode, snap.locationNode, snap.locationLine]) {
    hash.update(column === null ? 'null' : new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  return hash.digest('hex');
}

/**
 * Parses one case: a consistent snapshot, or a one-line LeakhoundError about
 * the snapshot; anything else is a bug. Twice: with the JavaScript loops only
 * (in the case's read size), and with the WebAssembly kernels (wasm-records.ts)
 * in big reads; both must come to the same snapshot or the same error code.
 */
export function runCase(fuzzCase: FuzzCase): FuzzOutcome {
  const bytes = fuzzCase.make();
  const js = parseCase(bytes, { chunkSize: fuzzCase.chunkSize, kernels: false });
  const kernels = parseCase(bytes, { kernels: true });
  if (js.outcome.result === 'BUG') return js.outcome;
  if (kernels.outcome.result === 'BUG') return { result: 'BUG', problem: `with the kernels: ${kernels.outcome.problem}` };
  if (js.outcome.result !== kernels.outcome.result || js.digest !== kernels.digest) {
    return { result: 'BUG', problem: `the kernels disagree: ${kernels.outcome.result} against ${js.outcome.result}` };
  }
  return js.outcome;
}

function parseCase(bytes: Uint8Array, options: ParseOptions): { outcome: FuzzOutcome; digest: string } {
  try {
    const snap = parseSnapshotBytes(bytes, options);
    const problem = inconsistency(snap);
    return { outcome: problem === null ? { result: 'ok' } : { result: 'BUG', problem }, digest: digest(snap) };
  } catch (error) {
    return { outcome: errorOutcome(error), digest: '' };
  }
}

function errorOutcome(error: unknown): FuzzOutcome {
  if (!(error instanceof LeakhoundError)) return { result: 'BUG', problem: `not a LeakhoundError: ${(error as Error)?.stack ?? String(error)}` };
  if (!error.code.startsWith('LH_ERR_SNAPSHOT_')) return { result: 'BUG', problem: `unexpected code ${error.code}` };
  if (error.message.includes('\n')) return { result: 'BUG', problem: `multi-line message: ${error.message}` };
  return { result: error.code };
}
