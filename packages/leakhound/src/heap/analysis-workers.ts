// Analyses that only need the graph run on worker threads while the main
// thread computes the dominator tree and the retained sizes: DevTools'
// page-owned flags, the retainer-path searches, DevTools' shallow sizes (the
// ownership pass) and the heap statistics. The workers read the parser's
// SharedArrayBuffer-backed columns (parser.ts shares them for big files) and
// write their per-node results into shared arrays; nothing is copied.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { HeapSnapshot, type SnapshotMeta } from './snapshot.js';
import type { HeapStatistics } from './statistics.js';
import { StringTable, type SharedStrings } from './strings.js';
import { onWorkerFailure, startWorker } from './worker.js';

/** The graph columns the workers read, all on SharedArrayBuffers. */
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

/** One of the two graph workers' tasks (graph-worker.ts). */
export type GraphTask =
  | {
      graph: SharedGraph;
      part: 'paths';
      /** Filled by the worker first: pageOwnedNodes' output (the main thread computes the essential edges meanwhile). */
      owned: Uint8Array;
      /** Filled by the worker next: rootPathEdges' output. */
      parentEdge: Int32Array;
    }
  | {
      graph: SharedGraph;
      part: 'sizes';
      /** Filled by the worker: computeShallowSizes' output. */
      shallow: Uint32Array;
      /** nodeCount entries of scratch for the ownership pass (the main thread's DFS-number array, which it no longer needs then). */
      scratch: Uint32Array;
    };

/** What a worker posts: 'owned', then 'paths' for the paths part; 'shallow', then 'statistics' for the sizes part. */
export type GraphWorkerMessage =
  | { kind: 'owned' }
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

/**
 * The graph-only analyses on worker threads (graph-worker.ts), each result
 * awaitable on its own: DevTools' page-owned flags and then the retainer-path
 * searches on one started before the essential edges,
 * the shallow sizes and statistics on a second one started when the main
 * thread asks for them (past its memory peak). Two short-lived threads, not
 * one that waits: a thread that has run the searches keeps memory resident
 * until it exits (measured on the 600 MB file: one thread blocked between the
 * two parts peaked 10-25 MB higher, medians of 5 runs).
 */
export class GraphWorker {
  private readonly _owned = settle<Uint8Array>();
  private readonly _paths = settle<Int32Array>();
  private readonly _shallow = settle<Uint32Array | null>();
  private readonly _statistics = settle<HeapStatistics | null>();
  private readonly _running = new Set<Worker>();
  private _sizesStarted = false;
  private _stopped = false;
  /** The sizes part's scratch: the main thread's to use until it asks for the shallow sizes, and again once it has them. */
  readonly scratch: Uint32Array;

  constructor(private readonly _graph: SharedGraph, private readonly _url?: URL) {
    this.scratch = new Uint32Array(new SharedArrayBuffer((_graph.nodeCount + 1) * 4));
    const parentEdge = new Int32Array(new SharedArrayBuffer(_graph.nodeCount * 4));
    const owned = new Uint8Array(new SharedArrayBuffer(_graph.nodeCount));
    this._start({ graph: _graph, part: 'paths', owned, parentEdge }, (message, done) => {
      if (message.kind === 'owned') {
        this._owned.resolve(owned);
      } else if (message.kind === 'paths') {
        done();
        this._paths.resolve(parentEdge);
      }
    }, [this._owned, this._paths]);
  }

  /** DevTools' page-owned flags (pageOwnedNodes), the paths thread's first result. */
  ownedNodes(): Promise<Uint8Array> {
    return this._owned.promise;
  }

  private _start(task: GraphTask, onMessage: (message: GraphWorkerMessage, done: () => void) => void,
    outcomes: Array<{ reject(error: unknown): void }>): void {
    const worker = startWorker('graph-worker', `graph analysis (${task.part})`, task, this._url);
    this._running.add(worker);
    let finished = false;
    const done = (): void => {
      finished = true;
      this._running.delete(worker);
    };
    worker.on('message', (message: GraphWorkerMessage) => onMessage(message, done));
    onWorkerFailure(worker, `graph analysis (${task.part})`, () => finished || this._stopped, (error) => {
      this._running.delete(worker);
      for (const outcome of outcomes) outcome.reject(error);
    });
  }

  /**
   * The shallow sizes, or null when the graph has none shared or one does not
   * fit 32 bits (the caller computes them then). The first call starts the
   * thread that computes them in `scratch`.
   */
  shallowSizes(): Promise<Uint32Array | null> {
    if (!this._sizesStarted) {
      this._sizesStarted = true;
      if (this._graph.nodeSelfSize === null) {
        this._shallow.resolve(null);
        this._statistics.resolve(null);
      } else {
        const shallow = new Uint32Array(new SharedArrayBuffer(this._graph.nodeCount * 4));
        this._start({ graph: this._graph, part: 'sizes', shallow, scratch: this.scratch }, (message, done) => {
          if (message.kind === 'shallow') {
            this._shallow.resolve(message.fits ? shallow : null);
          } else if (message.kind === 'statistics') {
            done();
            this._statistics.resolve(message.statistics);
          }
        }, [this._shallow, this._statistics]);
      }
    }
    return this._shallow.promise;
  }

  /** The parent edge per node (rootPathEdges' output). */
  parentEdges(): Promise<Int32Array> {
    return this._paths.promise;
  }

  /** The heap statistics (after shallowSizes()), or null when the sizes part had no shallow sizes. */
  statistics(): Promise<HeapStatistics | null> {
    return this._statistics.promise;
  }

  /** Stops the threads still running (the analysis failed or is done). */
  async stop(): Promise<void> {
    this._stopped = true;
    const running = [...this._running];
    this._running.clear();
    await Promise.all(running.map((worker) => worker.terminate()));
  }
}
