// The `--html FILE` and `--redact` options of `leakhound analyze`, kept here so
// the analyze command needs only two lines for them.
import { writeFile } from 'node:fs/promises';
import type { ParsedArgs } from '../cli/args.js';
import { flagBoolean, flagString } from '../cli/args.js';
import type { AnalysisReport, HeapAnalysis } from '../heap/analysis.js';
import { renderHtmlReport } from './html.js';
import { analysisHtmlInput, redactPathNames } from './html-input.js';

export interface AnalyzeHtmlOptions {
  /** Pass as `onPrepared`: keeps the graph's analysis until the HTML is written. */
  capture: ((analysis: HeapAnalysis) => void) | undefined;
  /** Writes the HTML file (when asked for), then redacts the report for the terminal/JSON output. */
  write(report: AnalysisReport): Promise<void>;
}

export function htmlOptions(args: ParsedArgs): AnalyzeHtmlOptions {
  const file = flagString(args, 'html');
  const redact = flagBoolean(args, 'redact');
  let analysis: HeapAnalysis | null = null;
  return {
    capture: file
      ? (prepared) => {
          analysis = prepared;
        }
      : undefined,
    async write(report) {
      if (file) {
        const input = analysisHtmlInput(report, analysis, { redact });
        analysis = null;
        await writeFile(file, renderHtmlReport(input));
      }
      if (redact) redactPathNames(report.suspects);
    },
  };
}
