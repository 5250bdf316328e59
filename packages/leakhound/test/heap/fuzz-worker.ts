// Worker side of fuzz.test.ts: builds the cases from the snapshot file and
// runs the one the test asks for, so the test can terminate a case that hangs.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { buildCases, runCase } from './fuzz-cases.js';

const port = parentPort!;
const cases = buildCases(readFileSync((workerData as { file: string }).file));
port.on('message', (index: number) => {
  const fuzzCase = cases[index]!;
  const started = performance.now();
  const outcome = runCase(fuzzCase);
  port.postMessage({ index, name: fuzzCase.name, truncation: fuzzCase.truncation, ms: performance.now() - started, ...outcome });
});
port.postMessage({ ready: cases.length });
