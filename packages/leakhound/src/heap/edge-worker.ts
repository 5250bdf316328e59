// Worker thread entry for the split parse (parser-split.ts): finds where the
// `edges` section ends, tells the main thread (it resumes reading there), then
// parses the section's tail backwards into the shared columns.
import { parentPort, workerData } from 'node:worker_threads';
import { findEdgesEnd, parseEdgeTail, type EdgeTailTask } from './parser-edge-tail.js';

export type EdgeWorkerMessage =
  | { kind: 'end'; end: number }
  | { kind: 'done'; result: ReturnType<typeof parseEdgeTail> }
  | { kind: 'failed'; reason: string };

const task = workerData as EdgeTailTask;
const post = (message: EdgeWorkerMessage): void => parentPort!.postMessage(message);
const end = findEdgesEnd(task.fd, task.cut, task.endHint);
if (typeof end === 'string') {
  post({ kind: 'failed', reason: end });
} else {
  post({ kind: 'end', end });
  post({ kind: 'done', result: parseEdgeTail(task, end) });
}
