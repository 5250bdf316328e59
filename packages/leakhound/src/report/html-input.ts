// Turns an analyze or diff result into the HTML report's data model, bounded
// so a report from a 600 MB snapshot stays a few MB: the histogram and the
// dominator tree are cut (and the page says where), findings carry paths only.
import type { AnalysisReport, HeapAnalysis } from '../heap/analysis.js';
import type { SourceLocation } from '../heap/locations.js';
import { formatBytes } from '../heap/suspects.js';
import type { DiffReport } from '../diff/diff.js';
import { displayName, dominatorTreeExcerpt, isStringNodeType } from './html-model.js';
import type { HtmlReportInput, ReportPathStep, ReportTree, ReportHistogramRow } from './html-model.js';

export interface HtmlInputOptions {
  redact?: boolean;
  /** Histogram rows embedded (default 2000). */
  maxClasses?: number;
  tree?: { maxDepth?: number; maxChildren?: number; maxNodes?: number };
}

interface StepLike {
  nodeId: number;
  className: string;
  name?: string;
  nodeType: string;
  edgeName: string;
  edgeType: string;
  selfSize: number;
  location: SourceLocation | null;
}

function locationText(location: SourceLocation | null): string | null {
  return location ? `${location.url}:${location.line}:${location.column}` : null;
}

function reportStep(step: StepLike, redact: boolean): ReportPathStep {
  const name = step.name && step.name !== step.className ? `${step.className} ${step.name}` : step.className;
  return {
    edgeName: step.edgeName,
    edgeType: step.edgeType,
    className: displayName(name, step.nodeType, redact),
    nodeType: step.nodeType,
    nodeId: step.nodeId,
    selfSize: step.selfSize,
    location: locationText(step.location),
  };
}

export function treeOf(analysis: HeapAnalysis | null, options: HtmlInputOptions): ReportTree | null {
  if (!analysis) return null;
  const { snap, dominators } = analysis;
  return dominatorTreeExcerpt(snap, dominators, { ...options.tree, redact: options.redact ?? false });
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function diffHtmlInput(report: DiffReport, analysis: HeapAnalysis | null, options: HtmlInputOptions = {}): HtmlReportInput {
  const redact = options.redact ?? false;
  const snapshots = report.snapshots.length;
  const histogram: ReportHistogramRow[] = report.classGrowth.map((row) => {
    const last = row.counts.length - 1;
    return {
      className: row.className,
      count: row.counts[last]!,
      shallowSize: row.shallowSizes[last]!,
      retainedSize: row.retainedSizes[last] ?? 0,
      countDelta: row.counts[last]! - row.counts[0]!,
      retainedDelta: (row.retainedSizes[last] ?? 0) - (row.retainedSizes[0] ?? 0),
    };
  });
  const notes = [
    `Snapshots: ${report.snapshots.map((s) => s.file ?? '(in memory)').join(' → ')}.`,
    'Objects are matched by V8 object id, which is stable only within one process: all snapshots must come from the same process.',
    `Class table: the ${histogram.length} classes whose retained size grew most (Δ = last snapshot minus baseline).`,
  ];
  if (report.summary.hiddenNodeInternal > 0) {
    notes.push(`${report.summary.hiddenNodeInternal} Node-internal findings are hidden; run with --all to show them.`);
  }
  if (redact) notes.push('String values are redacted (shown as their length).');
  return {
    kind: 'diff',
    title: `leakhound diff: ${report.findings.length === 0 ? 'no growth found' : `${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}`}`,
    generatedAt: new Date().toISOString(),
    facts: [
      { label: 'Findings', value: count(report.findings.length) },
      { label: 'Snapshots', value: String(snapshots) },
      { label: 'New objects still alive', value: count(report.summary.newObjectsAlive) },
      { label: 'Their shallow size', value: formatBytes(report.summary.newObjectsAliveSize) },
      { label: 'Heap growth (retained, root)', value: (report.summary.totalSizeGrowth >= 0 ? '+' : '-') + formatBytes(Math.abs(report.summary.totalSizeGrowth)) },
      { label: 'Objects in the last snapshot', value: count(report.snapshots[snapshots - 1]!.nodeCount) },
    ],
    findings: report.findings.map((f) => {
      const facts = [
        { label: 'Kind', value: f.kind === 'growing-collection' ? 'growing collection' : 'new objects still alive' },
        { label: 'Retained growth', value: formatBytes(f.retainedGrowth) },
        { label: 'New objects per step', value: f.newPerStep.map((n) => '+' + count(n)).join(', ') },
      ];
      if (f.collection) {
        facts.push({ label: 'Entries per snapshot', value: f.collection.entryCounts.map(count).join(' → ') });
        facts.push({ label: 'Entry classes', value: f.collection.entryClasses.map((c) => `${c.className} × ${count(c.count)}`).join(', ') });
      }
      facts.push({ label: 'Sample object ids', value: f.sampleIds.map((id) => '@' + id).join(' ') });
      return {
        title: f.collection ? `${f.collection.className} \`${f.collection.heldAs}\`` : `${count(f.newCount)} × ${f.className}`,
        summary: f.summary,
        bytes: f.retainedGrowth,
        facts,
        path: f.path.map((step) => reportStep(step, redact)),
        locations: f.locations.map((l) => ({ label: l.label, url: l.location.url, line: l.location.line, column: l.location.column })),
      };
    }),
    histogram: histogram.slice(0, options.maxClasses ?? 2000),
    tree: treeOf(analysis, options),
    notes,
  };
}

export function analysisHtmlInput(report: AnalysisReport, analysis: HeapAnalysis | null, options: HtmlInputOptions = {}): HtmlReportInput {
  const redact = options.redact ?? false;
  const maxClasses = options.maxClasses ?? 2000;
  const rows = analysis ? analysis.histogram : report.histogram;
  const s = report.snapshot;
  const notes = [
    rows.length > maxClasses ? `Class histogram: the ${maxClasses} biggest of ${rows.length} classes by retained size.` : `Class histogram: all ${rows.length} classes.`,
  ];
  if (redact) notes.push('String values are redacted (shown as their length).');
  return {
    kind: 'analyze',
    title: `leakhound analyze: ${s.file ?? 'snapshot'}`,
    generatedAt: new Date().toISOString(),
    facts: [
      { label: 'Leak suspects', value: count(report.suspects.length) },
      { label: 'Total size', value: formatBytes(s.totalSize) },
      { label: 'Reachable', value: formatBytes(s.reachableSize) },
      { label: 'Objects', value: count(s.nodeCount) },
      { label: 'Edges', value: count(s.edgeCount) },
      { label: 'File', value: formatBytes(s.fileBytes) },
    ],
    findings: report.suspects.map((suspect) => ({
      title: `${suspect.className} (${suspect.retainedPercent}% of the heap)`,
      summary: suspect.description,
      bytes: suspect.retainedSize,
      facts: [
        { label: 'Retained', value: formatBytes(suspect.retainedSize) },
        { label: 'Objects', value: count(suspect.count) },
        { label: 'Held as', value: suspect.heldAs },
        { label: 'Accumulation point', value: `${suspect.accumulationPoint.className} @${suspect.accumulationPoint.nodeId}` },
        ...(suspect.accumulated ? [{ label: 'Accumulated', value: `${suspect.accumulated.className} × ${count(suspect.accumulated.count)} (${formatBytes(suspect.accumulated.retainedSize)})` }] : []),
      ],
      path: suspect.path.map((step) => reportStep(step, redact)),
      locations: [
        ...(suspect.location ? [{ label: suspect.className, url: suspect.location.url, line: suspect.location.line, column: suspect.location.column }] : []),
        ...(suspect.accumulated?.location
          ? [{ label: `${suspect.accumulated.className} (accumulated)`, url: suspect.accumulated.location.url, line: suspect.accumulated.location.line, column: suspect.accumulated.location.column }]
          : []),
      ],
    })),
    histogram: rows.slice(0, maxClasses).map((r) => ({ className: r.className, count: r.count, shallowSize: r.shallowSize, retainedSize: r.retainedSize })),
    tree: treeOf(analysis, options),
    notes,
  };
}

/** For `--json --redact`: string node names in paths become their length. */
export function redactPathNames<T extends { path: StepLike[] }>(items: T[]): void {
  for (const item of items) {
    for (const step of item.path) {
      if (isStringNodeType(step.nodeType)) {
        step.className = displayName(step.className, step.nodeType, true);
        if (step.name) step.name = displayName(step.name, step.nodeType, true);
      }
    }
  }
}
