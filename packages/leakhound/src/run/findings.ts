// The snapshot analysis step of `leakhound run`: baseline/target/final ->
// findings, named by the diff engine (`leakhound diff`). A diff failure is
// logged and leaves the verdict to the heap trend and the pool reports.
import { createProgressReporter, type ProgressFn } from '../heap/progress.js';
import { formatLocation } from '../heap/locations.js';
import { diffSnapshots, type DiffFinding } from '../diff/diff.js';
import type { RunFinding } from './types.js';
import type { AnalysisContext } from './runner.js';

/** Below a quarter of the leak threshold per request, growth cannot explain a leak: V8 caches and lazy state. */
const SHARE_OF_THRESHOLD = 0.25;
const MIN_BYTES = 16 * 1024;
const MAX_FINDINGS = 5;

export function fromDiffFinding(finding: DiffFinding): RunFinding {
  return {
    summary: finding.summary,
    kind: finding.kind,
    className: finding.className,
    bytes: finding.retainedGrowth,
    count: finding.newCount,
    path: finding.path.map((step) => ({
      edgeName: step.edgeName,
      edgeType: step.edgeType,
      className: step.className,
      nodeType: step.nodeType,
      nodeId: step.nodeId,
      selfSize: step.selfSize,
      location: step.location ? formatLocation(step.location) : null,
    })),
    locations: finding.locations.map((l) => formatLocation(l.location)),
  };
}

export async function analyzeRunSnapshots(
  paths: { baseline: string; target: string; final: string },
  context: AnalysisContext,
  log: (line: string) => void = () => {},
): Promise<RunFinding[]> {
  const onProgress: ProgressFn = createProgressReporter(process.stderr);
  const minBytes = Math.max(MIN_BYTES, context.requests * context.thresholdBytesPerRequest * SHARE_OF_THRESHOLD);
  try {
    let findings: RunFinding[];
    try {
      const report = await diffSnapshots([paths.baseline, paths.target, paths.final], { onProgress, maxFindings: 20 });
      findings = report.findings.map(fromDiffFinding);
    } catch (error) {
      log(`snapshot diff failed, no findings from the snapshots: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
    return findings.filter((f) => f.bytes >= minBytes).slice(0, MAX_FINDINGS);
  } finally {
    onProgress('done', 1, 1);
  }
}
