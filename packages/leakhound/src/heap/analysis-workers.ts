// Analyses that only need the graph run on a worker thread while the main
// thread computes the dominator tree: the retainer-path searches (a tenth of
// the analysis time). The worker reads the parser's SharedArrayBuffer-backed
// columns (parser.ts shares them for big files) and writes the parent edges
// into a shared array; nothing is copied.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { LeakhoundError } from '../errors.js';
import { HeapSnapshot, type SnapshotMeta } from './snapshot.js';
import { StringTable, type SharedStrings } from './strings.js';
import { onWorkerFailure, startWorker } from './worker.js';

/** The graph columns the retainer-path searches read, all on SharedArrayBuffers. */
export interface SharedGraph {
  meta: SnapshotMeta;
  nodeCount: number;
  edgeCount: number;
  nodeType: Uint8Array;
  nodeName: Uint32Array;
  nodeId: Uint32Array;
  firstEdge: Uint32Array;
  edgeType: Uint8Array;
  edgeNameOrIndex: Uint32Array;
  edgeToNode: Uint32Array;
  strings: SharedStrings;
}

export interface PathsTask {
  graph: SharedGraph;
  /** Filled by the worker: rootPathEdges' output. */
  parentEdge: Int32Array;
}

/**
 * Below this, the searches take about as long as starting a worker (tens of
 * ms); with one CPU the worker would only compete with the main thread.
 */
export const MIN_WORKER_NODES = availableParallelism() > 1 ? 1 << 20 : Number.POSITIVE_INFINITY;

const isShared = (array: ArrayBufferView): boolean => array.buffer instanceof SharedArrayBuffer;

/** The snapshot's graph for a worker, or null when its columns are not shared (small files, pipes, tests). */
export function sharedGraph(snap: HeapSnapshot): SharedGraph | null {
  const { nodeType, nodeName, nodeId, firstEdge, edgeType, edgeNameOrIndex, edgeToNode } = snap;
  if (![nodeType, nodeName, nodeId, firstEdge, edgeType, edgeNameOrIndex, edgeToNode].every(isShared)) return null;
  const strings = snap.strings.toShared();
  if (!isShared(strings.start)) return null;
  return {
    meta: snap.meta, nodeCount: snap.nodeCount, edgeCount: snap.edgeCount,
    nodeType, nodeName, nodeId, firstEdge, edgeType, edgeNameOrIndex, edgeToNode, strings,
  };
}

/** A HeapSnapshot over a shared graph, inside a worker: the columns the searches do not read are empty. */
export function snapshotOfGraph(graph: SharedGraph): HeapSnapshot {
  const none = new Uint32Array(0);
  return new HeapSnapshot({
    ...graph,
    strings: StringTable.fromShared(graph.strings),
    nodeSelfSize: new Uint32Array(graph.nodeCount),
    nodeTraceId: null,
    nodeDetachedness: null,
    locationNode: none,
    locationScriptId: none,
    locationLine: none,
    locationColumn: none,
    sourceBytes: 0,
  });
}

/** The retainer-path searches on a worker thread (paths-worker.ts). */
export class RootPathsWorker {
  private readonly _worker: Worker;
  private readonly _done: Promise<Int32Array>;
  private _finished = false;

  constructor(graph: SharedGraph, url?: URL) {
    const parentEdge = new Int32Array(new SharedArrayBuffer(graph.nodeCount * 4));
    const task: PathsTask = { graph, parentEdge };
    this._worker = startWorker('paths-worker', 'retainer-path', task, url);
    this._done = new Promise((resolve, reject: (error: LeakhoundError) => void) => {
      this._worker.on('message', () => {
        this._finished = true;
        resolve(parentEdge);
      });
      onWorkerFailure(this._worker, 'retainer-path', () => this._finished, reject);
    });
    // Awaited by the caller after the dominator tree; do not report it as unhandled before that.
    this._done.catch(() => undefined);
  }

  /** The parent edge per node (rootPathEdges' output). */
  parentEdges(): Promise<Int32Array> {
    return this._done;
  }

  /** Stops the worker if it is still running (the analysis failed). */
  async stop(): Promise<void> {
    if (this._finished) return;
    this._finished = true;
    await this._worker.terminate();
  }
}
