// Starting the heap engine's worker threads (parser-split.ts, analysis-workers.ts)
// and turning their failures into typed errors.
import { Worker } from 'node:worker_threads';
import { LeakhoundError } from '../errors.js';

/**
 * Starts `module` (a file next to this one, named without extension), or
 * `url` when given (tests pass failing modules). A worker that cannot even be
 * created (no threads left, a bad module URL) is LH_ERR_WORKER_FAILED too.
 */
export function startWorker(module: string, what: string, workerData: unknown, url?: URL): Worker {
  try {
    return createWorker(module, workerData, url);
  } catch (error) {
    throw workerFailed(what, `could not start (${(error as Error).message})`, error);
  }
}

function createWorker(module: string, workerData: unknown, url?: URL): Worker {
  if (url !== undefined) return new Worker(url, { workerData });
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${module}.js`, here), { workerData });
  // Running from the TypeScript sources (the tests, through tsx): the loader
  // is not inherited by workers, so register it there first.
  const source = new URL(`./${module}.ts`, here).href;
  const code = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(code, { eval: true, workerData });
}

export function workerFailed(what: string, message: string, cause?: unknown): LeakhoundError {
  return new LeakhoundError('LH_ERR_WORKER_FAILED', `the ${what} worker thread ${message}`, cause === undefined ? {} : { cause });
}

/**
 * Calls `fail` with a typed error when the worker throws, or exits before
 * `finished()` says it has answered.
 */
export function onWorkerFailure(worker: Worker, what: string, finished: () => boolean, fail: (error: LeakhoundError) => void): void {
  worker.on('error', (error) => fail(workerFailed(what, `failed: ${error.message}`, error)));
  worker.on('exit', (code) => {
    if (!finished()) fail(workerFailed(what, `exited (code ${code}) before finishing`));
  });
}
