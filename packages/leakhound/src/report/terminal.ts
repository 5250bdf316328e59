// The plain-text report of `leakhound analyze`: summary, leak suspects with
// their retainer paths and source locations, the class histogram and the heap
// statistics. Pure function of the JSON report, so both outputs always agree.
import type { AnalysisReport, PathStepJson, SuspectJson } from '../heap/analysis.js';
import { formatBytes, formatCount } from '../heap/suspects.js';

export interface TerminalOptions {
  /** ANSI colours (bold headings, dim paths); off for pipes and files. */
  color?: boolean;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms} ms`;
}

function percentOf(part: number, total: number): string {
  return total > 0 ? `${((part / total) * 100).toFixed(1)}%` : '-';
}

/** Control characters in names from the snapshot must not reach the terminal. */
function clean(text: string, max = 80): string {
  // eslint-disable-next-line no-control-regex
  const safe = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return safe.length > max ? safe.slice(0, max - 1) + '…' : safe;
}

function formatStep(step: PathStepJson): string {
  let edge: string;
  switch (step.edgeType) {
    case 'context':
      edge = `(closure variable) ${clean(step.edgeName, 60)}`;
      break;
    case 'element':
    case 'hidden':
      edge = clean(step.edgeName, 60);
      break;
    case '':
      edge = '';
      break;
    default:
      edge = `.${clean(step.edgeName, 60)}`;
  }
  const where = step.location ? `  ${clean(step.location.url, 120)}:${step.location.line}:${step.location.column}` : '';
  const what = step.nodeType === 'synthetic' && step.name ? step.name : step.name ? `${step.className} ${step.name}` : step.className;
  return `${edge}${edge ? ' -> ' : ''}${clean(what)} @${step.nodeId}${where}`;
}

/**
 * Paths to a module's variables run through Node's module loader (a dozen
 * steps of node: internals). Those steps are folded into one line; the JSON
 * report keeps every step.
 */
function pathLines(path: PathStepJson[]): string[] {
  const isNodeStep = (step: PathStepJson): boolean => step.location?.url.startsWith('node:') === true;
  const lines: string[] = [];
  let i = 0;
  while (i < path.length) {
    let j = i;
    // A run of steps between the first and the last node: location.
    if (isNodeStep(path[i]!)) {
      let lastNode = i;
      for (let k = i; k < path.length && (path[k]!.location === null || isNodeStep(path[k]!)); k++) if (isNodeStep(path[k]!)) lastNode = k;
      j = lastNode;
    }
    if (j - i >= 3) {
      lines.push(formatStep(path[i]!));
      lines.push(`... ${j - i - 1} steps inside Node.js (node: modules) ...`);
      lines.push(formatStep(path[j]!));
      i = j + 1;
    } else {
      lines.push(formatStep(path[i]!));
      i++;
    }
  }
  return lines;
}

function table(rows: string[][], rightAligned: Set<number>): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row.map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd(),
  );
}

export function renderTerminalReport(report: AnalysisReport, options: TerminalOptions = {}): string {
  const bold = (s: string): string => (options.color ? `\x1b[1m${s}\x1b[22m` : s);
  const dim = (s: string): string => (options.color ? `\x1b[2m${s}\x1b[22m` : s);
  const { snapshot, timings, statistics } = report;
  const total = snapshot.totalSize;
  const out: string[] = [];

  out.push(bold('Heap snapshot'));
  out.push(`  file        ${snapshot.file ?? '(in memory)'}${snapshot.fileBytes > 0 ? ` (${formatBytes(snapshot.fileBytes)})` : ''}`);
  out.push(`  nodes       ${formatCount(snapshot.nodeCount)}   edges ${formatCount(snapshot.edgeCount)}`);
  out.push(`  heap        ${formatBytes(total)} total, ${formatBytes(snapshot.reachableSize)} reachable`);
  if (snapshot.unreachableCount > 0) {
    out.push(`  unreachable ${formatCount(snapshot.unreachableCount)} objects, ${formatBytes(snapshot.unreachableSize)} (only weakly held; garbage at the next GC)`);
  }
  out.push(`  time        parse ${formatMs(timings.parseMs)}, analysis ${formatMs(timings.analysisMs)}`);
  out.push('');

  const threshold = `${(report.options.suspectThreshold * 100).toFixed(0)}%`;
  if (report.suspects.length === 0) {
    out.push(bold(`Leak suspects: none (no object or class group retains ${threshold} or more of the heap)`));
  } else {
    out.push(bold(`Leak suspects (retaining >= ${threshold} of the heap)`));
    report.suspects.forEach((suspect: SuspectJson, index) => {
      out.push('');
      out.push(`  ${index + 1}. ${clean(suspect.description, 400)}`);
      if (suspect.accumulated && suspect.kind === 'object' && suspect.accumulationPoint.nodeId !== suspect.nodeId) {
        out.push(dim(`     accumulation point: ${clean(suspect.accumulationPoint.className)} @${suspect.accumulationPoint.nodeId}`));
      }
      if (suspect.path.length > 0) {
        out.push(`     retainer path (GC root first):`);
        for (const line of pathLines(suspect.path)) out.push(dim(`       ${line}`));
      }
    });
  }
  out.push('');

  out.push(bold(`Classes by retained size (top ${report.histogram.length} of ${formatCount(report.classCount)})`));
  const rows = [['class', 'count', 'shallow', 'retained', '% heap']];
  for (const row of report.histogram) {
    rows.push([clean(row.className, 60), formatCount(row.count), formatBytes(row.shallowSize), formatBytes(row.retainedSize), percentOf(row.retainedSize, total)]);
  }
  for (const line of table(rows, new Set([1, 2, 3, 4]))) out.push('  ' + line);
  out.push('');

  out.push(bold('Heap statistics'));
  const stats: [string, number][] = [
    ['code', statistics.code],
    ['strings', statistics.strings],
    ['JS arrays', statistics.jsArrays],
    ['typed arrays', statistics.typedArrays],
    ['system', statistics.system],
    ['other', statistics.other],
    ['native (outside the V8 heap)', statistics.native - statistics.typedArrays],
  ];
  const statRows = stats.map(([name, size]) => [name, formatBytes(size), percentOf(size, statistics.total)]);
  for (const line of table(statRows, new Set([1, 2]))) out.push('  ' + line);
  out.push(`  ${'total'.padEnd(12)} ${formatBytes(statistics.total)}`);
  return out.join('\n') + '\n';
}
