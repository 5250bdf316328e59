// `leakhound analyze <file.heapsnapshot>`: parse, analyse, print the terminal
// report (or the JSON of docs/json-schema.md with --json).
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parseArgs, commandHelp, flagBoolean, flagNumber, type CommandSpec } from './args.js';
import { reportError } from './main.js';
import { LeakhoundError } from '../errors.js';
import { parseSnapshotFile } from '../heap/parser.js';
import { createProgressReporter } from '../heap/progress.js';
import { analyzeSnapshotInParallel, timePhases } from '../heap/analysis.js';
import { prestartGraphWorker } from '../heap/analysis-workers.js';
import { renderTerminalReport } from '../report/terminal.js';
import { htmlOptions } from '../report/html-cli.js';

export const spec: CommandSpec = {
  name: 'analyze',
  synopsis: '<file.heapsnapshot>',
  description:
    'Dominator tree, retained sizes, leak suspects (objects or class groups retaining >= 10% of the heap, ' +
    'with retainer paths and source locations), class histogram and heap statistics of one V8 heap snapshot.',
  minPositionals: 1,
  maxPositionals: 1,
  flags: {
    json: { type: 'boolean', description: 'print the report as JSON (schema: docs/json-schema.md)' },
    top: { type: 'number', valueName: 'N', description: 'classes in the histogram (default 20)' },
    'suspect-threshold': {
      type: 'number',
      valueName: 'PCT',
      description: 'report objects and class groups retaining at least PCT percent of the heap (default 10)',
    },
    html: { type: 'string', valueName: 'FILE', description: 'also write a self-contained HTML report to FILE' },
    redact: { type: 'boolean', description: 'replace string values in the output with their length' },
  },
};

/** Files from this size on are expected to pass the analysis' worker threshold (2^20 nodes is about 80 MB of snapshot). */
const PRESTART_BYTES = 64 * 1024 * 1024;

async function bigFile(file: string): Promise<boolean> {
  if (availableParallelism() < 2) return false;
  try {
    const info = await stat(file);
    return info.isFile() && info.size >= PRESTART_BYTES;
  } catch {
    // The parser reports a missing or unreadable file.
    return false;
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(spec, argv);
    if (args.help) {
      process.stdout.write(commandHelp(spec) + '\n');
      return 0;
    }
    const top = flagNumber(args, 'top', 20);
    if (!Number.isInteger(top) || top < 0) throw new LeakhoundError('LH_ERR_USAGE', `analyze: --top expects a whole number >= 0, got ${top}`);
    const pct = flagNumber(args, 'suspect-threshold', 10);
    if (!(pct > 0 && pct <= 100)) throw new LeakhoundError('LH_ERR_USAGE', `analyze: --suspect-threshold expects a percentage in (0, 100], got ${pct}`);
    const file = args.positionals[0]!;
    const onProgress = createProgressReporter(process.stderr);
    const parseTimer = timePhases(onProgress);
    const started = performance.now();
    // A big file gets the analysis' worker thread now: it starts up while the file is parsed.
    const prestarted = await bigFile(file) ? prestartGraphWorker() : undefined;
    const snap = await parseSnapshotFile(file, { onProgress: parseTimer.onProgress }).catch(async (error: unknown) => {
      await prestarted?.worker.terminate();
      throw error;
    });
    const parseMs = performance.now() - started;
    const parsePhases = parseTimer.finish();
    const fileBytes = snap.sourceBytes > 0 ? snap.sourceBytes : (await stat(file)).size;
    const html = htmlOptions(args);
    const report = await analyzeSnapshotInParallel(snap, {
      top, suspectThreshold: pct / 100, onProgress, file, parseMs, onPrepared: html.capture,
      ...(prestarted ? { workers: { prestarted } } : {}),
    });
    report.snapshot.fileBytes = fileBytes;
    report.timings.phases = { ...parsePhases, ...report.timings.phases };
    await html.write(report);
    onProgress('done', 1, 1);
    if (flagBoolean(args, 'json')) {
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    } else {
      process.stdout.write(renderTerminalReport(report, { color: process.stdout.isTTY === true && !process.env.NO_COLOR }));
    }
    return 0;
  } catch (error) {
    return reportError(error);
  }
}
