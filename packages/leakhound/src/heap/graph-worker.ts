// Worker thread entry for analysis-workers.ts, over the shared graph: the
// paths part (the shallow sizes, the retainer-path searches) or the summary part (class ids, heap statistics).
// Started with its task, or ahead of it (no workerData: the task comes as the
// first message, so the thread's start-up overlaps the parse).
import { parentPort, workerData } from 'node:worker_threads';
import { snapshotOfGraph, type GraphTask, type GraphWorkerMessage } from './analysis-workers.js';
import { shallowSizesInto } from './dominators.js';
import { rootPathEdges } from './paths.js';
import { heapStatistics } from './statistics.js';
import { classTableInto } from './names.js';
import type { HeapSnapshot } from './snapshot.js';

const post = (message: GraphWorkerMessage): void => parentPort!.postMessage(message);

/**
 * The paths part: shallow sizes, paths. One array is the ownership pass's
 * scratch, then the searches' queue.
 */
function paths(snap: HeapSnapshot, task: Extract<GraphTask, { part: 'paths' }>): void {
  const scratch = new Uint32Array(snap.nodeCount + 1);
  const fits = task.shallow !== null && shallowSizesInto(snap, task.shallow, scratch);
  post({ kind: 'shallow', fits });
  rootPathEdges(snap, task.parentEdge, scratch);
  post({ kind: 'paths' });
}

/** The summary part, after the tree: class ids (needed first, by the histogram), then statistics. */
function summary(snap: HeapSnapshot, task: Extract<GraphTask, { part: 'summary' }>): void {
  post({ kind: 'classes', names: classTableInto(snap, task.classOf) });
  post({ kind: 'statistics', statistics: task.shallow === null ? null : heapStatistics(snap, task.shallow) });
}

function run(task: GraphTask): void {
  const snap = snapshotOfGraph(task.graph);
  if (task.part === 'paths') paths(snap, task);
  else summary(snap, task);
}

const given = workerData as GraphTask | null | undefined;
if (given) run(given);
else parentPort!.once('message', (task: GraphTask) => run(task));
