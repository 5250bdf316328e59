// Worker thread entry for analysis-workers.ts, one part per thread over the
// shared graph: DevTools' page-owned flags and then the retainer-path searches
// ('paths'), or the shallow sizes and then the heap statistics ('sizes').
import { parentPort, workerData } from 'node:worker_threads';
import { snapshotOfGraph, type GraphTask, type GraphWorkerMessage } from './analysis-workers.js';
import { pageOwnedNodes, shallowSizesInto } from './dominators.js';
import { rootPathEdges } from './paths.js';
import { heapStatistics } from './statistics.js';

const task = workerData as GraphTask;
const post = (message: GraphWorkerMessage): void => parentPort!.postMessage(message);
const snap = snapshotOfGraph(task.graph);
if (task.part === 'paths') {
  pageOwnedNodes(snap, task.owned);
  post({ kind: 'owned' });
  rootPathEdges(snap, task.parentEdge);
  post({ kind: 'paths' });
} else {
  const fits = shallowSizesInto(snap, task.shallow, task.scratch);
  post({ kind: 'shallow', fits });
  post({ kind: 'statistics', statistics: fits ? heapStatistics(snap, task.shallow) : null });
}
