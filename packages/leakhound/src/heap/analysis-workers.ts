// Analyses that only need the graph run on worker threads while the main
// thread computes the dominator tree and the retained sizes: the
// retainer-path searches, DevTools' shallow sizes (the ownership pass) and
// the heap statistics (DevTools' page-owned flags come out of the main
// thread's search itself, dominators.ts). The workers read the parser's
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

/** A graph worker thread's task (graph-worker.ts): its part and its outputs. */
export type GraphTask =
  | {
      graph: SharedGraph;
      /** Next to the dominator tree: shallow sizes, retainer paths. */
      part: 'paths';
      /** rootPathEdges' output. */
      parentEdge: Int32Array;
      /** computeShallowSizes' output, or null when the sizes are not shared (no shallow sizes nor statistics on a worker then). */
      shallow: Uint32Array | null;
    }
  | {
      graph: SharedGraph;
      /** After the tree: class ids, then heap statistics. */
      part: 'summary';
      /** The paths part's shallow sizes, for the statistics (null: none). */
      shallow: Uint32Array | null;
      /** classTable's class ids (classTableInto). */
      classOf: Uint16Array;
    };

/** What a worker posts: 'shallow', 'paths' for the paths part; 'classes', 'statistics' for the summary. */
export type GraphWorkerMessage =
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
 * The graph-only analyses on worker threads (graph-worker.ts), each result
 * awaitable on its own. The paths thread (prestarted by the CLI) computes
 * the shallow sizes and the retainer-path searches next to the main
 * thread's essential edges and depth-first search,
 * and ends before the search's memory peak in the usual case (0.6 s of work
 * next to 0.9 s); the ownership pass's scratch becomes the searches' queue.
 * The summary thread, started once the tree is built (past the peak),
 * computes the class ids and the heap statistics while the main thread sums
 * the retained sizes. (One thread doing all of it kept its memory through
 * the peak: 794 against 740 MB on the 600 MB file, 2.80 GB on the 2.4 GB one.)
 */
export class GraphWorker {
  private readonly _paths = settle<Int32Array>();
  private readonly _shallow = settle<Uint32Array | null>();
  private readonly _statistics = settle<HeapStatistics | null>();
  private readonly _classes = settle<{ classOf: Uint16Array; names: string[] } | null>();
  private readonly _running = new Set<Worker>();
  private _summaryStarted = false;
  private _stopped = false;

  /** `prestarted`: a thread from prestartGraphWorker for the paths part, which gets the task as a message (a new one is started if it is gone). */
  constructor(private readonly _graph: SharedGraph, private readonly _url?: URL, prestarted?: PrestartedWorker) {
    const parentEdge = new Int32Array(new SharedArrayBuffer(_graph.nodeCount * 4));
    const shallow = _graph.nodeSelfSize === null ? null : new Uint32Array(new SharedArrayBuffer(_graph.nodeCount * 4));
    this._start({ graph: _graph, part: 'paths', parentEdge, shallow }, prestarted, (message, done) => {
      if (message.kind === 'shallow') {
        this._shallow.resolve(message.fits ? shallow : null);
      } else if (message.kind === 'paths') {
        done();
        this._paths.resolve(parentEdge);
      }
    }, [this._shallow, this._paths]);
  }

  private _start(task: GraphTask, prestarted: PrestartedWorker | undefined,
    onMessage: (message: GraphWorkerMessage, done: () => void) => void, outcomes: Array<{ reject(error: unknown): void }>): void {
    const what = `graph analysis (${task.part})`;
    let worker: Worker;
    if (prestarted === undefined || prestarted.gone) {
      worker = startWorker('graph-worker', what, task, this._url);
    } else {
      worker = prestarted.worker;
      worker.ref();
      worker.postMessage(task);
    }
    this._running.add(worker);
    let finished = false;
    const done = (): void => {
      finished = true;
      this._running.delete(worker);
    };
    worker.on('message', (message: GraphWorkerMessage) => onMessage(message, done));
    onWorkerFailure(worker, what, () => finished || this._stopped, (error) => {
      this._running.delete(worker);
      for (const outcome of outcomes) outcome.reject(error);
    });
  }

  /** The shallow sizes, or null when the graph has none shared or one does not fit 32 bits (the caller computes them then). */
  shallowSizes(): Promise<Uint32Array | null> {
    return this._shallow.promise;
  }

  /** The parent edge per node (rootPathEdges' output). */
  parentEdges(): Promise<Int32Array> {
    return this._paths.promise;
  }

  /** Starts the summary thread (class ids, statistics) with shallowSizes()' result. */
  startSummary(shallow: Uint32Array | null): void {
    if (this._summaryStarted) return;
    this._summaryStarted = true;
    const classOf = new Uint16Array(new SharedArrayBuffer(this._graph.nodeCount * 2));
    this._start({ graph: this._graph, part: 'summary', shallow, classOf }, undefined, (message, done) => {
      if (message.kind === 'classes') {
        this._classes.resolve(message.names === null ? null : { classOf, names: message.names });
      } else if (message.kind === 'statistics') {
        done();
        this._statistics.resolve(message.statistics);
      }
    }, [this._classes, this._statistics]);
  }

  /** The class ids and names (names.ts' classTable), or null when the ids need more than 16 bits (after startSummary). */
  classes(): Promise<{ classOf: Uint16Array; names: string[] } | null> {
    return this._classes.promise;
  }

  /** The heap statistics, or null when the worker had no shallow sizes (after startSummary). */
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
