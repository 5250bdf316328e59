// Shared schedule of the validation corpus: warm up, then baseline snapshot,
// a phase of requests, target snapshot, another phase, final snapshot, exit.
// Usage: node --expose-gc <program>.mjs <outDir> [requestsPerPhase]
import v8 from 'node:v8';
import { join } from 'node:path';

export async function runScenario(handleRequest, { warmup = 20 } = {}) {
  const outDir = process.argv[2];
  const perPhase = Number(process.argv[3] ?? 300);
  if (!outDir) throw new Error('usage: <program>.mjs <outDir> [requestsPerPhase]');
  let request = 0;
  const serve = async (count) => {
    for (let i = 0; i < count; i++) await handleRequest(request++);
  };
  const snapshot = (name) => {
    // Twice: the first pass may leave weakly held garbage for the second.
    globalThis.gc?.();
    globalThis.gc?.();
    v8.writeHeapSnapshot(join(outDir, name));
  };
  await serve(warmup);
  snapshot('s0.heapsnapshot');
  await serve(perPhase);
  snapshot('s1.heapsnapshot');
  await serve(perPhase);
  snapshot('s2.heapsnapshot');
  process.exit(0);
}
