// One call from a parsed snapshot to the JSON-ready report behind
// `leakhound analyze` (schema: docs/json-schema.md). Phases report progress;
// `prepareAnalysis` exposes the typed-array results for diff and HTML reports.
import { createRequire } from 'node:module';
import { LeakhoundError } from '../errors.js';
import type { HeapSnapshot } from './snapshot.js';
import type { ProgressFn } from './progress.js';
import { computeDominators, dominatorTreePhase, dropShallowSpare, essentialEdgesBeforeOwnership, retainedSizesPhase, type Dominators } from './dominators.js';
import { computeRootPaths, rootPathsFrom, type PathStep, type RootPaths } from './paths.js';
import { classHistogram, type HistogramRow } from './histogram.js';
import { adoptClassTable } from './names.js';
import { heapStatistics, type HeapStatistics } from './statistics.js';
import { findLeakSuspects, type LeakSuspect } from './suspects.js';
import type { SourceLocation } from './locations.js';
import { releaseMemory } from './memory.js';
import { GraphWorker, MIN_WORKER_NODES, sharedGraph, type PrestartedWorker } from './analysis-workers.js';

/** Bumped on any incompatible change of AnalysisReport; additions keep the version. */
export const SCHEMA_VERSION = 1;

export interface HeapAnalysis {
  snap: HeapSnapshot;
  dominators: Dominators;
  rootPaths: RootPaths;
  histogram: HistogramRow[];
  /** Computed beside the dominator tree by the parallel analysis; otherwise by the report, from dominators.shallowSize. */
  statistics?: HeapStatistics;
}

export interface AnalyzeOptions {
  /** Histogram rows in the report (default 20). */
  top?: number;
  /** Leak-suspect threshold as a fraction of the heap (default 0.1). */
  suspectThreshold?: number;
  maxSuspects?: number;
  maxPathSteps?: number;
  onProgress?: ProgressFn;
  /** Called with the typed-array results (dominator tree...) while they exist (HTML report). */
  onPrepared?: (analysis: HeapAnalysis) => void;
  /** For the report's summary. */
  file?: string;
  parseMs?: number;
  /**
   * analyzeSnapshotInParallel: the worker used from this many nodes (default 2^20; never with one CPU), its module (tests);
   * shallowSizes false leaves the shallow sizes and statistics to the main thread, as when a size needs more than 32 bits.
   */
  workers?: { minNodes?: number; graphWorkerUrl?: URL; shallowSizes?: boolean; prestarted?: PrestartedWorker };
}

export type PathStepJson = Omit<PathStep, 'node'>;

export interface SuspectJson {
  kind: LeakSuspect['kind'];
  description: string;
  nodeId: number;
  className: string;
  heldAs: string;
  retainedSize: number;
  retainedPercent: number;
  count: number;
  location: SourceLocation | null;
  accumulationPoint: { nodeId: number; className: string };
  accumulated: LeakSuspect['accumulated'];
  path: PathStepJson[];
}

export interface AnalysisReport {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'leakhound'; version: string };
  snapshot: {
    file: string | null;
    fileBytes: number;
    nodeCount: number;
    edgeCount: number;
    totalSize: number;
    reachableSize: number;
    unreachableCount: number;
    unreachableSize: number;
  };
  /** `phases`: wall milliseconds per progress phase (parser and analyses), in order. */
  timings: { parseMs: number; analysisMs: number; phases: Record<string, number> };
  options: { top: number; suspectThreshold: number };
  suspects: SuspectJson[];
  histogram: HistogramRow[];
  classCount: number;
  statistics: HeapStatistics;
}

/**
 * Wraps a progress callback to time each phase: a phase lasts from its first
 * report until the next phase starts (or `finish()`).
 */
export function timePhases(onProgress?: ProgressFn): { onProgress: ProgressFn; finish(): Record<string, number> } {
  const phases: Record<string, number> = {};
  let current = '';
  let started = 0;
  const close = (now: number): void => {
    if (current) phases[current] = Math.round((phases[current] ?? 0) + now - started);
  };
  return {
    onProgress: (phase, done, total) => {
      if (phase !== current) {
        const now = performance.now();
        close(now);
        current = phase;
        started = now;
      }
      onProgress?.(phase, done, total);
    },
    finish: () => {
      close(performance.now());
      current = '';
      return phases;
    },
  };
}

export function prepareAnalysis(snap: HeapSnapshot, onProgress?: ProgressFn): HeapAnalysis {
  const progress = onProgress ?? (() => {});
  const dominators = dominatorsOf(snap, progress);
  progress('retainer paths', 0, 1);
  const rootPaths = computeRootPaths(snap);
  progress('retainer paths', 1, 1);
  return withHistogram(snap, dominators, rootPaths, progress);
}

/**
 * prepareAnalysis with the graph-only analyses (shallow sizes, retainer-path
 * searches, statistics) on a worker thread, next to the dominator tree, when
 * the snapshot's graph is shared (big files) and large enough to pay for a
 * thread; the same results. The "retained sizes" and "retainer paths" phases
 * include the waits for the worker.
 */
export async function prepareAnalysisInParallel(snap: HeapSnapshot, onProgress?: ProgressFn,
  workers: AnalyzeOptions['workers'] = {}): Promise<HeapAnalysis> {
  const graph = snap.nodeCount >= (workers.minNodes ?? MIN_WORKER_NODES) ? sharedGraph(snap) : null;
  if (graph === null) {
    await workers.prestarted?.worker.terminate();
    return prepareAnalysis(snap, onProgress);
  }
  const progress = onProgress ?? (() => {});
  // The paths thread starts before the essential edges: the shallow sizes and
  // the retainer-path searches, next to the main thread's tree.
  let worker: GraphWorker | null = null;
  try {
    checkNotEmpty(snap);
    releaseMemory(snap.nodeCount);
    const running = new GraphWorker(workers.shallowSizes === false ? { ...graph, nodeSelfSize: null } : graph, workers.graphWorkerUrl,
      workers.prestarted);
    worker = running;
    progress('essential edges', 0, 1);
    // The page-owned rule is applied during the search (dominators.ts, searchFromRoot's comment).
    const essential = essentialEdgesBeforeOwnership(snap);
    progress('essential edges', 1, 1);
    const tree = dominatorTreePhase(snap, null, progress, essential);
    progress('retained sizes', 0, 1);
    // The shallow sizes come from the worker: the tree's spare for them is not needed.
    dropShallowSpare(tree);
    const shallow = await running.shallowSizes();
    // Past the memory peak: the class ids and statistics on a second thread while the sizes are summed here.
    running.startSummary(shallow);
    const dominators = retainedSizesPhase(snap, tree, progress, shallow ?? undefined);
    releaseMemory(snap.nodeCount);
    progress('retainer paths', 0, 1);
    const rootPaths = rootPathsFrom(snap, await running.parentEdges());
    progress('retainer paths', 1, 1);
    const classes = await running.classes();
    if (classes !== null) adoptClassTable(snap, classes.classOf, classes.names);
    const analysis = withHistogram(snap, dominators, rootPaths, progress);
    const statistics = await running.statistics();
    return statistics === null ? analysis : { ...analysis, statistics };
  } finally {
    if (worker !== null) await worker.stop();
    else await workers.prestarted?.worker.terminate();
  }
}

function checkNotEmpty(snap: HeapSnapshot): void {
  // Every analysis starts at the root node; a graph without one is not a heap.
  if (snap.nodeCount === 0) {
    throw new LeakhoundError('LH_ERR_SNAPSHOT_FORMAT', 'the snapshot has no nodes (not even the root); take it again');
  }
}

function dominatorsOf(snap: HeapSnapshot, progress: ProgressFn): Dominators {
  checkNotEmpty(snap);
  // The parser's buffers are garbage by now.
  releaseMemory(snap.nodeCount);
  // No full retainers: the dominator pass builds compact essential-only ones.
  const dominators = computeDominators(snap, null, progress);
  releaseMemory(snap.nodeCount);
  return dominators;
}

function withHistogram(snap: HeapSnapshot, dominators: Dominators, rootPaths: RootPaths, progress: ProgressFn): HeapAnalysis {
  releaseMemory(snap.nodeCount);
  progress('histogram', 0, 1);
  const histogram = classHistogram(snap, dominators);
  progress('histogram', 1, 1);
  return { snap, dominators, rootPaths, histogram };
}

function stepJson(step: PathStep): PathStepJson {
  return {
    nodeId: step.nodeId,
    className: step.className,
    name: step.name,
    nodeType: step.nodeType,
    edgeName: step.edgeName,
    edgeType: step.edgeType,
    selfSize: step.selfSize,
    location: step.location,
  };
}

export function suspectJson(suspect: LeakSuspect): SuspectJson {
  return {
    kind: suspect.kind,
    description: suspect.description,
    nodeId: suspect.nodeId,
    className: suspect.className,
    heldAs: suspect.heldAs,
    retainedSize: suspect.retainedSize,
    retainedPercent: Math.round(suspect.retainedFraction * 10000) / 100,
    count: suspect.count,
    location: suspect.location,
    accumulationPoint: { nodeId: suspect.accumulationPointId, className: suspect.accumulationPointClass },
    accumulated: suspect.accumulated,
    path: suspect.path.map(stepJson),
  };
}

let cachedVersion: string | null = null;
function toolVersion(): string {
  if (cachedVersion === null) {
    try {
      cachedVersion = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
    } catch {
      cachedVersion = '0.0.0';
    }
  }
  return cachedVersion;
}

export function analyzeSnapshot(snap: HeapSnapshot, options: AnalyzeOptions = {}): AnalysisReport {
  const started = performance.now();
  const timer = timePhases(options.onProgress);
  return buildReport(prepareAnalysis(snap, timer.onProgress), options, timer, started);
}

/** analyzeSnapshot with prepareAnalysisInParallel (what `leakhound analyze` runs). */
export async function analyzeSnapshotInParallel(snap: HeapSnapshot, options: AnalyzeOptions = {}): Promise<AnalysisReport> {
  const started = performance.now();
  const timer = timePhases(options.onProgress);
  return buildReport(await prepareAnalysisInParallel(snap, timer.onProgress, options.workers), options, timer, started);
}

function buildReport(analysis: HeapAnalysis, options: AnalyzeOptions, timer: ReturnType<typeof timePhases>, started: number): AnalysisReport {
  const top = options.top ?? 20;
  const threshold = options.suspectThreshold ?? 0.1;
  const onProgress = timer.onProgress;
  const { snap, dominators, rootPaths, histogram } = analysis;
  options.onPrepared?.(analysis);
  onProgress('statistics', 0, 1);
  const statistics = analysis.statistics ?? heapStatistics(snap, dominators.shallowSize);
  // The statistics' per-node scratch is garbage: return it before the suspects' walks allocate.
  releaseMemory(snap.nodeCount);
  onProgress('leak suspects', 0, 1);
  const suspects = findLeakSuspects(snap, dominators, rootPaths, histogram, {
    threshold,
    ...(options.maxSuspects === undefined ? {} : { maxSuspects: options.maxSuspects }),
    ...(options.maxPathSteps === undefined ? {} : { maxPathSteps: options.maxPathSteps }),
  });
  onProgress('leak suspects', 1, 1);
  const phases = timer.finish();
  const totalSize = dominators.retainedSize[snap.rootNode]!;
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'leakhound', version: toolVersion() },
    snapshot: {
      file: options.file ?? null,
      fileBytes: snap.sourceBytes,
      nodeCount: snap.nodeCount,
      edgeCount: snap.edgeCount,
      totalSize,
      reachableSize: totalSize - dominators.unreachableSize,
      unreachableCount: dominators.unreachableCount,
      unreachableSize: dominators.unreachableSize,
    },
    timings: { parseMs: Math.round(options.parseMs ?? 0), analysisMs: Math.round(performance.now() - started), phases },
    options: { top, suspectThreshold: threshold },
    suspects: suspects.map(suspectJson),
    histogram: histogram.slice(0, Math.max(0, top)),
    classCount: histogram.length,
    statistics,
  };
}
