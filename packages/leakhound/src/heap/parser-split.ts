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
/** Edge records the head must have seen before the section's length is estimated from them. */
export const MIN_SAMPLE_RECORDS = 1000;
/** A cut never lies beyond this share of the estimated section (the estimate may run long). */
const MAX_CUT_SHARE = 0.9;
/**
 * Head start for the worker, in bytes the main thread parses meanwhile: its
 * start (about 0.1 s) and its slower chunk handling (measured: the worker
 * finished 0.16 s after the main thread with 24 MB on the 600 MB file).
 */
const STARTUP_BYTES = 48 * 1024 * 1024;

/**
 * Where to cut: the offset from which to look for the first newline, or -1
 * for "do not split". The head thread still has the rest of the file after the
 * section to parse, so by default the tail gets more than half of the edges.
 * @param position file offset the head thread has parsed up to
 */
export function cutOffset(sectionStart: number, position: number, estimatedEnd: number, fileBytes: number, at?: number): number {
  const limit = sectionStart + MAX_CUT_SHARE * (estimatedEnd - sectionStart);
  const wanted = at !== undefined
    ? sectionStart + at * (estimatedEnd - sectionStart)
    : (position + STARTUP_BYTES + 2 * estimatedEnd - fileBytes) / 2;
  const cut = Math.floor(Math.min(limit, Math.max(position, wanted)));
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
