// Worker thread entry for analysis-workers.ts: over the shared graph, the
// retainer-path searches, then (when the main thread says so) the shallow
// sizes, then the heap statistics.
import { parentPort, workerData } from 'node:worker_threads';
import { snapshotOfGraph, type GraphTask, type GraphWorkerMessage } from './analysis-workers.js';
import { shallowSizesInto } from './dominators.js';
import { releaseMemory } from './memory.js';
import { rootPathEdges } from './paths.js';
import { heapStatistics } from './statistics.js';

const task = workerData as GraphTask;
const post = (message: GraphWorkerMessage): void => parentPort!.postMessage(message);
const snap = snapshotOfGraph(task.graph);
// The searches first: they run next to the main thread's depth-first search.
rootPathEdges(snap, task.parentEdge);
post({ kind: 'paths' });
// The searches' queue is garbage now.
releaseMemory(snap.nodeCount);
// The shallow sizes only once the main thread is past its memory peak (its
// predecessor lists freed): their 4 bytes per node are not resident before.
// The ownership pass's scratch is the main thread's DFS-number array, which
// it no longer needs then and takes back after the 'shallow' message.
Atomics.wait(task.go, 0, 0);
const shallow = task.shallow !== null && shallowSizesInto(snap, task.shallow, task.scratch) ? task.shallow : null;
post({ kind: 'shallow', fits: shallow !== null });
releaseMemory(snap.nodeCount);
post({ kind: 'statistics', statistics: shallow === null ? null : heapStatistics(snap, shallow) });
