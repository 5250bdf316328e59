// The snapshot analysis step of `leakhound run`: baseline/target/final -> findings.
import { createProgressReporter } from '../heap/progress.js';
import { growthFindings } from './growth.js';
import type { RunFinding } from './types.js';
import type { AnalysisContext } from './runner.js';

/** Below a quarter of the leak threshold per request, a holder cannot explain a leak: V8 caches and lazy state. */
const SHARE_OF_THRESHOLD = 0.25;
const MIN_BYTES = 16 * 1024;

export async function analyzeRunSnapshots(paths: { baseline: string; target: string; final: string }, context: AnalysisContext): Promise<RunFinding[]> {
  const onProgress = createProgressReporter(process.stderr);
  const minBytes = Math.max(MIN_BYTES, context.requests * context.thresholdBytesPerRequest * SHARE_OF_THRESHOLD);
  try {
    return await growthFindings(paths, { onProgress, minBytes });
  } finally {
    onProgress('done', 1, 1);
  }
}
