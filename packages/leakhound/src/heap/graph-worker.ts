// Worker thread entry for analysis-workers.ts, over the shared graph:
// DevTools' page-owned flags, the shallow sizes, the retainer-path searches,
// the heap statistics and the class ids, in that order. Started with its task, or ahead of
// it (no workerData: the task comes as the first message, so the thread's
// start-up overlaps the parse).
import { parentPort, workerData } from 'node:worker_threads';
import { snapshotOfGraph, type GraphTask, type GraphWorkerMessage } from './analysis-workers.js';
import { pageOwnedNodes, shallowSizesInto } from './dominators.js';
import { rootPathEdges } from './paths.js';
import { heapStatistics } from './statistics.js';
import { releaseMemory } from './memory.js';
import { classTableInto } from './names.js';
import type { HeapSnapshot } from './snapshot.js';

const post = (message: GraphWorkerMessage): void => parentPort!.postMessage(message);

/**
 * The shallow sizes, then the paths. One array is the ownership pass's
 * scratch, then the searches' queue; it is garbage when this returns. The
 * shallow sizes come first: the main thread waits for them right after the
 * tree, for the paths only later.
 */
function sizesAndPaths(snap: HeapSnapshot, task: GraphTask): boolean {
  const scratch = new Uint32Array(snap.nodeCount + 1);
  const fits = task.shallow !== null && shallowSizesInto(snap, task.shallow, scratch);
  post({ kind: 'shallow', fits });
  rootPathEdges(snap, task.parentEdge, scratch);
  post({ kind: 'paths' });
  return fits;
}

function run(task: GraphTask): void {
  const snap = snapshotOfGraph(task.graph);
  pageOwnedNodes(snap, task.owned);
  post({ kind: 'owned' });
  const fits = sizesAndPaths(snap, task);
  // This thread runs next to the main thread's memory peak (the depth-first search): give the queue back now.
  releaseMemory(snap.nodeCount);
  post({ kind: 'statistics', statistics: fits ? heapStatistics(snap, task.shallow!) : null });
  post({ kind: 'classes', names: classTableInto(snap, task.classOf) });
}

const given = workerData as GraphTask | null | undefined;
if (given) run(given);
else parentPort!.once('message', (task: GraphTask) => run(task));
