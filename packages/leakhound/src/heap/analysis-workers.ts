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

/** The graph worker's task (graph-worker.ts): its outputs. */
export interface GraphTask {
  graph: SharedGraph;
  /** pageOwnedNodes' output (the main thread computes the essential edges meanwhile). */
  owned: Uint8Array;
  /** rootPathEdges' output. */
  parentEdge: Int32Array;
  /** computeShallowSizes' output, or null when the sizes are not shared (no shallow sizes nor statistics on the worker then). */
  shallow: Uint32Array | null;
  /** classTable's class ids (classTableInto). */
  classOf: Uint16Array;
}

/** What the worker posts, in this order. */
export type GraphWorkerMessage =
  | { kind: 'owned' }
  | { kind: 'paths' }
  | { kind: 'shallow'; fits: boolean }
  | { kind: 'statistics'; statistics: HeapStatistics | null }
  | { kind: 'classes'; names: string[] | null };

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
 * A graph worker thread started before its task exists (the CLI starts one
 * before parsing a big file, so that the thread's start-up, tens of ms,
 * overlaps the parse): pass it to GraphWorker, or terminate it. It does not
 * keep the process alive on its own.
 */
export function prestartGraphWorker(url?: URL): PrestartedWorker {
  const worker = startWorker('graph-worker', 'graph analysis', null, url);
  worker.unref();
  const started: PrestartedWorker = { worker, gone: false };
  // A thread that fails or exits before its task is replaced by a new one (GraphWorker); later events are GraphWorker's.
  worker.on('error', () => (started.gone = true));
  worker.on('exit', () => (started.gone = true));
  return started;
}

/** prestartGraphWorker's thread; `gone` once it failed or exited. */
export interface PrestartedWorker {
  worker: Worker;
  gone: boolean;
}

/**
 * The graph-only analyses on a worker thread (graph-worker.ts), each result
 * awaitable on its own: DevTools' page-owned flags, the shallow sizes, the
 * retainer-path searches, the heap statistics and the class ids (names.ts),
 * one after the other while
 * the main thread computes the essential edges and the dominator tree, so
 * the retained sizes find the shallow sizes ready. The ownership pass's
 * scratch becomes the searches' queue.
 */
export class GraphWorker {
  private readonly _owned = settle<Uint8Array>();
  private readonly _paths = settle<Int32Array>();
  private readonly _shallow = settle<Uint32Array | null>();
  private readonly _statistics = settle<HeapStatistics | null>();
  private readonly _classes = settle<{ classOf: Uint16Array; names: string[] } | null>();
  private _worker: Worker | null = null;
  private _stopped = false;

  /** `prestarted`: a thread from prestartGraphWorker, which gets the task as a message (a new one is started if it is gone). */
  constructor(graph: SharedGraph, url?: URL, prestarted?: PrestartedWorker) {
    const parentEdge = new Int32Array(new SharedArrayBuffer(graph.nodeCount * 4));
    const owned = new Uint8Array(new SharedArrayBuffer(graph.nodeCount));
    const shallow = graph.nodeSelfSize === null ? null : new Uint32Array(new SharedArrayBuffer(graph.nodeCount * 4));
    const classOf = new Uint16Array(new SharedArrayBuffer(graph.nodeCount * 2));
    const task: GraphTask = { graph, owned, parentEdge, shallow, classOf };
    let worker: Worker;
    if (prestarted === undefined || prestarted.gone) {
      worker = startWorker('graph-worker', 'graph analysis', task, url);
    } else {
      worker = prestarted.worker;
      worker.ref();
      worker.postMessage(task);
    }
    this._worker = worker;
    let finished = false;
    worker.on('message', (message: GraphWorkerMessage) => {
      if (message.kind === 'owned') {
        this._owned.resolve(owned);
      } else if (message.kind === 'paths') {
        this._paths.resolve(parentEdge);
      } else if (message.kind === 'shallow') {
        this._shallow.resolve(message.fits ? shallow : null);
      } else if (message.kind === 'statistics') {
        this._statistics.resolve(message.statistics);
      } else {
        finished = true;
        this._worker = null;
        this._classes.resolve(message.names === null ? null : { classOf, names: message.names });
      }
    });
    onWorkerFailure(worker, 'graph analysis', () => finished || this._stopped, (error) => {
      this._worker = null;
      for (const outcome of [this._owned, this._paths, this._shallow, this._statistics, this._classes]) outcome.reject(error);
    });
  }

  /** DevTools' page-owned flags (pageOwnedNodes), the worker's first result. */
  ownedNodes(): Promise<Uint8Array> {
    return this._owned.promise;
  }

  /** The parent edge per node (rootPathEdges' output). */
  parentEdges(): Promise<Int32Array> {
    return this._paths.promise;
  }

  /** The shallow sizes, or null when the graph has none shared or one does not fit 32 bits (the caller computes them then). */
  shallowSizes(): Promise<Uint32Array | null> {
    return this._shallow.promise;
  }

  /** The heap statistics, or null when the worker had no shallow sizes. */
  statistics(): Promise<HeapStatistics | null> {
    return this._statistics.promise;
  }

  /** The class ids and names (names.ts' classTable), or null when the ids need more than 16 bits. */
  classes(): Promise<{ classOf: Uint16Array; names: string[] } | null> {
    return this._classes.promise;
  }

  /** Stops the thread if it still runs (the analysis failed or is done). */
  async stop(): Promise<void> {
    this._stopped = true;
    const worker = this._worker;
    this._worker = null;
    if (worker !== null) await worker.terminate();
  }
}
