// Worker thread entry for analysis-workers.ts: the retainer-path searches over
// the shared graph, written into the shared parent-edge array.
import { parentPort, workerData } from 'node:worker_threads';
import { snapshotOfGraph, type PathsTask } from './analysis-workers.js';
import { rootPathEdges } from './paths.js';

const task = workerData as PathsTask;
rootPathEdges(snapshotOfGraph(task.graph), task.parentEdge);
parentPort!.postMessage('done');
