// Analyses that only need the graph run on a worker thread while the main
// thread computes the dominator tree and the retained sizes: the
// retainer-path searches, DevTools' shallow sizes (the ownership pass) and the
// heap statistics, a quarter of the analysis time together. The worker reads
// the parser's SharedArrayBuffer-backed columns (parser.ts shares them for big
// files) and writes parent edges and shallow sizes into shared arrays; nothing
// is copied.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { HeapSnapshot, type SnapshotMeta } from './snapshot.js';
import type { HeapStatistics } from './statistics.js';
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
  /** Null when the sizes are not shared (a size over 32 bits made the parser widen them): no shallow sizes on the worker then. */
  nodeSelfSize: Uint32Array | null;
  firstEdge: Uint32Array;
  edgeType: Uint8Array;
  edgeNameOrIndex: Uint32Array;
  edgeToNode: Uint32Array;
  strings: SharedStrings;
}

export interface GraphTask {
  graph: SharedGraph;
  /** Filled by the worker: rootPathEdges' output. */
  parentEdge: Int32Array;
  /** Filled by the worker when the graph has self sizes: computeShallowSizes' output. */
  shallow: Uint32Array | null;
  /** Set to 1 (Atomics.notify) by the main thread when the worker may compute the shallow sizes. */
  go: Int32Array;
  /**
   * nodeCount + 1 entries: the main thread's DFS numbers during the dominator
   * tree, then the ownership pass's scratch (after the go), then the main
   * thread's again (after the shallow sizes are posted).
   */
  scratch: Uint32Array;
}

/** What the worker posts, in this order. */
export type GraphWorkerMessage =
  | { kind: 'paths' }
  | { kind: 'shallow'; fits: boolean }
  | { kind: 'statistics'; statistics: HeapStatistics | null };

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
  const sizes = snap.nodeSelfSize;
  return {
    meta: snap.meta, nodeCount: snap.nodeCount, edgeCount: snap.edgeCount,
    nodeType, nodeName, nodeId, firstEdge, edgeType, edgeNameOrIndex, edgeToNode, strings,
    nodeSelfSize: sizes instanceof Uint32Array && isShared(sizes) ? sizes : null,
  };
}

/** A HeapSnapshot over a shared graph, inside a worker: the columns the worker does not read are empty. */
export function snapshotOfGraph(graph: SharedGraph): HeapSnapshot {
  const none = new Uint32Array(0);
  return new HeapSnapshot({
    ...graph,
    strings: StringTable.fromShared(graph.strings),
    nodeSelfSize: graph.nodeSelfSize ?? new Uint32Array(graph.nodeCount),
    nodeTraceId: null,
    nodeDetachedness: null,
    locationNode: none,
    locationScriptId: none,
    locationLine: none,
    locationColumn: none,
    sourceBytes: 0,
  });
}

interface Settle<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function settle<T>(): Settle<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => ((resolve = ok), (reject = fail)));
  // Awaited by the caller later; do not report a failure as unhandled before that.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** The graph-only analyses on a worker thread (graph-worker.ts), each result awaitable on its own. */
export class GraphWorker {
  private readonly _worker: Worker;
  private readonly _shallow = settle<Uint32Array | null>();
  private readonly _paths = settle<Int32Array>();
  private readonly _statistics = settle<HeapStatistics | null>();
  private _finished = false;
  private readonly _go: Int32Array;
  /** GraphTask.scratch: the main thread's to use until it asks for the shallow sizes, and again once it has them. */
  readonly scratch: Uint32Array;

  constructor(graph: SharedGraph, url?: URL) {
    const parentEdge = new Int32Array(new SharedArrayBuffer(graph.nodeCount * 4));
    const shallow = graph.nodeSelfSize === null ? null : new Uint32Array(new SharedArrayBuffer(graph.nodeCount * 4));
    this._go = new Int32Array(new SharedArrayBuffer(4));
    this.scratch = new Uint32Array(new SharedArrayBuffer((graph.nodeCount + 1) * 4));
    const task: GraphTask = { graph, parentEdge, shallow, go: this._go, scratch: this.scratch };
    this._worker = startWorker('graph-worker', 'graph analysis', task, url);
    this._worker.on('message', (message: GraphWorkerMessage) => {
      if (message.kind === 'shallow') {
        this._shallow.resolve(message.fits ? shallow : null);
      } else if (message.kind === 'paths') {
        this._paths.resolve(parentEdge);
      } else {
        this._finished = true;
        this._statistics.resolve(message.statistics);
      }
    });
    onWorkerFailure(this._worker, 'graph analysis', () => this._finished, (error) => {
      this._shallow.reject(error);
      this._paths.reject(error);
      this._statistics.reject(error);
    });
  }

  /**
   * The shallow sizes, or null when the graph has none shared or one does not
   * fit 32 bits (the caller computes them then). The worker starts on them
   * when this is first called.
   */
  shallowSizes(): Promise<Uint32Array | null> {
    if (Atomics.load(this._go, 0) === 0) {
      Atomics.store(this._go, 0, 1);
      Atomics.notify(this._go, 0);
    }
    return this._shallow.promise;
  }

  /** The parent edge per node (rootPathEdges' output). */
  parentEdges(): Promise<Int32Array> {
    return this._paths.promise;
  }

  /** The heap statistics, or null when the worker had no shallow sizes. */
  statistics(): Promise<HeapStatistics | null> {
    return this._statistics.promise;
  }

  /** Stops the worker if it is still running (the analysis failed). */
  async stop(): Promise<void> {
    if (this._finished) return;
    this._finished = true;
    // Not left blocked waiting for the go.
    Atomics.store(this._go, 0, 1);
    Atomics.notify(this._go, 0);
    await this._worker.terminate();
  }
}
