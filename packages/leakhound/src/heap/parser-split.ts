// The `edges` section is most of a snapshot (62% of the benchmark files). On
// big files a worker thread parses its tail from the end (parser-edge-tail.ts)
// while the main thread parses the nodes, the head of the edges and, after
// jumping over the tail, the locations and strings. Both threads write into
// the same SharedArrayBuffer-backed columns.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { LeakhoundError } from '../errors.js';
import type { EdgeTailResult, EdgeTailTask } from './parser-edge-tail.js';
import type { EdgeWorkerMessage } from './edge-worker.js';
import { onWorkerFailure, startWorker } from './worker.js';

export interface EdgeSplitOptions {
  /** Files below this size are parsed on one thread (default 64 MB, no split with one CPU): a worker takes tens of ms to start. */
  minBytes?: number;
  /** Where to cut, as a fraction of the estimated edges section; default: where both threads finish together. */
  at?: number;
  /** The worker module (tests pass failing ones). */
  workerUrl?: URL;
  /** Told the file offsets of the cut and of the section's end once the worker's part is taken (diagnostics, tests). */
  onSplit?: (cut: number, end: number) => void;
}

/** On a one-CPU machine (or container) the worker would only compete with the main thread. */
export const DEFAULT_SPLIT_MIN_BYTES = availableParallelism() > 1 ? 64 * 1024 * 1024 : Number.POSITIVE_INFINITY;
/** A cut never lies beyond this share of the estimated section (the estimate may run long). */
const MAX_CUT_SHARE = 0.9;

/** What a probe found on the first whole line of numbers after its offset. */
export const LINE_NODE = 1;
export const LINE_EDGE = 2;
/** Anything else: other sections' records, strings, nothing readable. */
export const LINE_OTHER = 3;
/** Bytes read per probe: several lines of any numeric section. */
const PROBE_BYTES = 1024;
/** The binary searches stop when the boundary is known to this many bytes. */
const PROBE_PRECISION = 4096;

export interface SectionLayout {
  /** Numbers per line in `nodes` and `edges` (V8 writes one record per line). */
  nodeFields: number;
  edgeFields: number;
  /** Numbers per line in the sections after `edges` that hold numbers only (locations, samples, trace infos). */
  otherFields: readonly number[];
}

/**
 * Classifies the first whole line after `bytes[0]` that is a V8 record line
 * (",1,2,3" up to a newline) by its count of numbers. Lines that are not
 * records ("],", '"edges":[1,1,7', strings) are stepped over.
 */
export function classifyProbe(bytes: Uint8Array, layout: SectionLayout): number {
  let i = bytes.indexOf(10);
  while (i >= 0 && i + 1 < bytes.length) {
    const start = i + 1;
    const next = bytes.indexOf(10, start);
    if (next < 0) break;
    i = next;
    if (bytes[start] !== 44) continue;
    let numbers = 0;
    let digits = 0;
    let record = true;
    for (let k = start + 1; k < next; k++) {
      const c = bytes[k]!;
      if (c >= 48 && c <= 57) {
        digits++;
      } else if (c === 44 && digits > 0) {
        numbers++;
        digits = 0;
      } else {
        record = false;
        break;
      }
    }
    if (!record || digits === 0) continue;
    numbers++;
    if (numbers === layout.nodeFields) return LINE_NODE;
    if (numbers === layout.edgeFields) return LINE_EDGE;
    return LINE_OTHER;
  }
  return LINE_OTHER;
}

/**
 * Whether the layout lets probes tell nodes, edges and the later sections
 * apart by their count of numbers per line.
 */
export function probesCanTell(layout: SectionLayout): boolean {
  const { nodeFields, edgeFields, otherFields } = layout;
  return edgeFields === 3 && nodeFields !== edgeFields && !otherFields.includes(nodeFields) && !otherFields.includes(edgeFields);
}

/**
 * Where the `edges` section starts and ends, to PROBE_PRECISION bytes, found
 * by binary searches over probes of the file (one short positioned read
 * each, a few dozen in all) before the main thread gets there: `from` is an
 * offset at or after the start of `nodes` and before the end of `edges`
 * (the reader's position once the header is parsed). Null when the probes do
 * not show that layout (the caller then parses on one thread).
 */
export async function locateEdges(read: (bytes: Uint8Array, at: number) => Promise<number>, from: number, size: number,
  layout: SectionLayout): Promise<{ start: number; end: number } | null> {
  const bytes = new Uint8Array(PROBE_BYTES);
  const kind = async (at: number): Promise<number> => classifyProbe(bytes.subarray(0, await read(bytes, at)), layout);
  // The last offset in [lo, hi), to PROBE_PRECISION, whose probe still says `before` (true at lo, false at hi).
  const boundary = async (lo: number, hi: number, before: (kind: number) => boolean): Promise<{ lo: number; hi: number }> => {
    while (hi - lo > PROBE_PRECISION) {
      const mid = Math.floor((lo + hi) / 2);
      if (before(await kind(mid))) lo = mid;
      else hi = mid;
    }
    return { lo, hi };
  };
  const first = await kind(from);
  if (first === LINE_OTHER) return null;
  // The end: the last offset whose next record line is a node or an edge.
  const end = (await boundary(from, size, (k) => k !== LINE_OTHER)).lo;
  if (await kind(end) !== LINE_EDGE) return null;
  // The start: the first offset whose next record line is an edge.
  const start = first === LINE_NODE ? (await boundary(from, end, (k) => k === LINE_NODE)).hi : from;
  return { start, end };
}

/**
 * What each thread's bytes cost, relative to a byte of edges on the main
 * thread: the nodes before the section, the sections after it (locations,
 * strings: the main thread parses those too), a byte of edges on the tail
 * thread; and the tail thread's start-up, in main-thread edge bytes.
 */
export interface SplitCosts {
  nodes: number;
  after: number;
  tail: number;
  startup: number;
}

/**
 * The JavaScript loops: tuned on the 600 MB benchmark file, where both threads
 * then finish within 0.03 s of each other (the start-up share also makes up
 * for the main thread's slower strings and locations).
 */
export const JS_SPLIT_COSTS: SplitCosts = { nodes: 1, after: 1, tail: 1, startup: 40 * 1024 * 1024 };
/**
 * The WebAssembly kernels (wasm-records.ts), measured on the same file: nodes
 * 2.4 ms/MB, edges 1.9 (main) and 2.2 (tail, backwards), locations and strings
 * (still JavaScript) 4.6, the worker's start about 50 ms.
 */
export const KERNEL_SPLIT_COSTS: SplitCosts = { nodes: 1.28, after: 2.4, tail: 1.14, startup: 26 * 1024 * 1024 };

/**
 * Where to cut: the offset from which to look for the first newline, or -1
 * for "do not split". The cut balances the threads' costs: the head thread
 * has the nodes still ahead of `position` and the rest of the file after the
 * section to parse too, so the tail usually gets more than half of the edges.
 * @param position file offset the head thread has parsed up to
 */
export function cutOffset(sectionStart: number, position: number, estimatedEnd: number, fileBytes: number, at?: number,
  costs: SplitCosts = JS_SPLIT_COSTS): number {
  const limit = sectionStart + MAX_CUT_SHARE * (estimatedEnd - sectionStart);
  const nodesLeft = Math.max(0, sectionStart - position);
  const afterSection = Math.max(0, fileBytes - estimatedEnd);
  // head: nodes·(S - p) + (cut - S) + after·(F - E) = tail·(E - cut) + startup
  const wanted = at !== undefined
    ? sectionStart + at * (estimatedEnd - sectionStart)
    : (costs.tail * estimatedEnd + sectionStart - costs.nodes * nodesLeft - costs.after * afterSection + costs.startup) / (1 + costs.tail);
  const cut = Math.floor(Math.min(limit, Math.max(position, sectionStart, wanted)));
  return cut < limit && cut >= position ? cut : -1;
}

/** The running worker of one split parse. */
export class EdgeTailWorker {
  private readonly _worker: Worker;
  private readonly _end: Promise<number | null>;
  private readonly _done: Promise<EdgeTailResult>;
  private _finished = false;
  /** File offset of the newline after which the worker's part starts. */
  readonly cut: number;

  constructor(task: EdgeTailTask, url?: URL) {
    this.cut = task.cut;
    let endSettle!: [(end: number | null) => void, (error: unknown) => void];
    let doneSettle!: [(result: EdgeTailResult) => void, (error: unknown) => void];
    this._end = new Promise((resolve, reject) => (endSettle = [resolve, reject]));
    this._done = new Promise((resolve, reject) => (doneSettle = [resolve, reject]));
    // Settled on every path below; callers may stop awaiting after a failure.
    this._end.catch(() => undefined);
    this._done.catch(() => undefined);
    const fail = (error: LeakhoundError): void => {
      endSettle[1](error);
      doneSettle[1](error);
    };
    this._worker = startWorker('edge-worker', 'edge-parsing', task, url);
    this._worker.on('message', (message: EdgeWorkerMessage) => {
      if (message.kind === 'end') {
        endSettle[0](message.end);
      } else if (message.kind === 'failed') {
        this._finished = true;
        endSettle[0](null);
        doneSettle[0]({ ok: false, reason: message.reason });
      } else {
        this._finished = true;
        doneSettle[0](message.result);
      }
    });
    onWorkerFailure(this._worker, 'edge-parsing', () => this._finished, fail);
  }

  /** Offset of the section's ']', or null when the tail is not in the layout the worker reads. */
  end(): Promise<number | null> {
    return this._end;
  }

  done(): Promise<EdgeTailResult> {
    return this._done;
  }

  /** Stops the worker (it may still be writing into the columns) and waits until it has. */
  async stop(): Promise<void> {
    this._finished = true;
    await this._worker.terminate();
  }
}
