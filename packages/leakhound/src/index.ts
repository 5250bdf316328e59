// Public module API of the `leakhound` package. Internal files are not re-exported.
export { HeapSnapshot, type SnapshotMeta } from './heap/snapshot.js';
export { LeakhoundError, ERROR_CODES, type ErrorCode } from './errors.js';
export {
  analyzeSnapshot, prepareAnalysis, SCHEMA_VERSION,
  type AnalysisReport, type AnalyzeOptions, type HeapAnalysis, type SuspectJson, type PathStepJson,
} from './heap/analysis.js';
export { renderTerminalReport } from './report/terminal.js';
export {
  diffSnapshots, DIFF_SCHEMA_VERSION,
  type DiffReport, type DiffOptions, type DiffFinding, type DiffCollection, type ClassGrowthRow, type SnapshotSource,
} from './diff/diff.js';
export { renderHtmlReport, type HtmlReportInput } from './report/html.js';
export { diffHtmlInput, analysisHtmlInput } from './report/html-input.js';
