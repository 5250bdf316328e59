// `leakhound diff <baseline> <target> [<final>]`: what grew between snapshots
// of one process. Exit 0 when nothing grew, 1 with findings, 2 for bad input.
import { writeFile } from 'node:fs/promises';
import { parseArgs, commandHelp, flagBoolean, flagNumber, flagString, type CommandSpec } from './args.js';
import { reportError } from './main.js';
import { LeakhoundError } from '../errors.js';
import { createProgressReporter } from '../heap/progress.js';
import type { HeapAnalysis } from '../heap/analysis.js';
import { formatBytes } from '../heap/suspects.js';
import { diffSnapshots, formatFindingLocation, type DiffReport } from '../diff/diff.js';
import { renderHtmlReport } from '../report/html.js';
import { diffHtmlInput, redactPathNames, treeOf } from '../report/html-input.js';
import type { ReportTree } from '../report/html-model.js';

export const spec: CommandSpec = {
  name: 'diff',
  synopsis: '<baseline.heapsnapshot> <target.heapsnapshot> [<final.heapsnapshot>]',
  description:
    'Names what grew between 2 or 3 snapshots of the same process: objects allocated after the baseline and still alive, ' +
    'and Map/Set/Array/dictionary collections that kept growing, grouped by retainer path, biggest growth first. ' +
    'With 3 snapshots a finding must have grown in both steps.',
  minPositionals: 2,
  maxPositionals: 3,
  flags: {
    json: { type: 'boolean', description: 'print the report as JSON (schema: docs/json-schema.md, "diff --json")' },
    html: { type: 'string', valueName: 'FILE', description: 'also write a self-contained HTML report to FILE' },
    all: { type: 'boolean', description: 'also show Node-internal growth (module cache, compiled code, runtime strings)' },
    redact: { type: 'boolean', description: 'replace string values in the output with their length' },
    'min-count': { type: 'number', valueName: 'N', description: 'smallest growth per step worth a finding (default 10)' },
  },
};

const TEXT_PATH_STEPS = 6;

function renderText(report: DiffReport): string {
  const lines: string[] = [];
  const n = report.findings.length;
  lines.push(n === 0 ? 'leakhound diff: no growth found' : `leakhound diff: ${n} finding${n === 1 ? '' : 's'}, biggest retained growth first`);
  lines.push(`snapshots: ${report.snapshots.map((s) => `${s.file ?? '(memory)'} (${formatBytes(s.totalSize)})`).join(' -> ')}`);
  report.findings.forEach((f, i) => {
    lines.push('');
    lines.push(`${i + 1}. ${f.summary}`);
    if (f.path.length > 0) {
      const steps = f.path.map((step, k) => (k === 0 ? step.name || step.className : `.${step.edgeName} ${step.className}`));
      // The terminal gets the root and the last steps (module loaders make long paths); --json and --html have all.
      const shown = steps.length > TEXT_PATH_STEPS + 1 ? [steps[0]!, `… ${steps.length - TEXT_PATH_STEPS - 1} steps …`, ...steps.slice(-TEXT_PATH_STEPS)] : steps;
      lines.push('   path: ' + shown.join(' '));
    }
    for (const l of f.locations) lines.push(`   ${l.label}: ${formatFindingLocation(l.location)}`);
  });
  if (report.summary.hiddenNodeInternal > 0) {
    lines.push('');
    lines.push(`(${report.summary.hiddenNodeInternal} Node-internal findings hidden; --all shows them)`);
  }
  return lines.join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(spec, argv);
    if (args.help) {
      process.stdout.write(commandHelp(spec) + '\n');
      return 0;
    }
    const minCount = flagNumber(args, 'min-count', 10);
    if (!Number.isInteger(minCount) || minCount < 1) throw new LeakhoundError('LH_ERR_USAGE', `diff: --min-count expects a whole number >= 1, got ${minCount}`);
    const htmlFile = flagString(args, 'html');
    const redact = flagBoolean(args, 'redact');
    let tree: ReportTree | null = null;
    const report = await diffSnapshots(args.positionals, {
      all: flagBoolean(args, 'all'),
      minCount,
      onProgress: createProgressReporter(process.stderr),
      // The tree excerpt is taken while the last graph is still in memory.
      onFinal: htmlFile ? (analysis: HeapAnalysis) => void (tree = treeOf(analysis, { redact })) : undefined,
    });
    if (htmlFile) {
      const input = diffHtmlInput(report, null, { redact });
      input.tree = tree;
      await writeFile(htmlFile, renderHtmlReport(input));
    }
    if (redact) redactPathNames(report.findings);
    process.stdout.write(flagBoolean(args, 'json') ? JSON.stringify(report, null, 2) + '\n' : renderText(report));
    return report.findings.length > 0 ? 1 : 0;
  } catch (error) {
    return reportError(error);
  }
}
