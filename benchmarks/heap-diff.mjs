#!/usr/bin/env node
// Times `leakhound diff` of three ~600 MB snapshots of one process (baseline,
// target, final) against one `leakhound analyze` of the middle one, in the
// same run. Issue 3 requires: diff time <= 3x analyze time, diff peak RSS
// < 2.5x one file.
//
//   node benchmarks/heap-diff.mjs [--scale medium] [--timeout 900] [--heap-mb 16384] [--repeat 1]
//                                 [--with-memlab] [--out FILE] [--leakhound-at GIT-REV]
//
// --with-memlab also times `memlab find-leaks` on the same three files, for
// reference. The series is generated first when missing
// (generate-snapshot.mjs --series 3). Writes benchmarks/results/heap-diff-<date>.json.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gb, gitRevision, machineInfo, measure } from './lib/measure.mjs';
import { ensureSnapshot, withLeakhound, LEAKHOUND_BIN, repoRoot, toolCommand } from './lib/tools.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const opts = { scale: 'medium', timeout: 900, heapMb: 16384, repeat: 1, withMemlab: false, out: '', leakhoundAt: '' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--scale') opts.scale = value();
    else if (arg === '--timeout') opts.timeout = Number(value());
    else if (arg === '--heap-mb') opts.heapMb = Number(value());
    else if (arg === '--repeat') opts.repeat = Number(value());
    else if (arg === '--with-memlab') opts.withMemlab = true;
    else if (arg === '--out') opts.out = value();
    else if (arg === '--leakhound-at') opts.leakhoundAt = value();
    else throw new Error(`unknown argument ${arg} (see the header of heap-diff.mjs)`);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  await withLeakhound(opts.leakhoundAt, 'heap-diff', (build) => runAll(opts, build));
}

async function runAll(opts, build) {
  const bin = build?.bin ?? LEAKHOUND_BIN;
  const files = ensureSnapshot(opts.scale, 3).map((f) => relative(repoRoot, f));
  const sizes = files.map((f) => statSync(join(repoRoot, f)).size);
  const middle = files[1];
  const startedAt = new Date();
  const machine = machineInfo();
  const revision = gitRevision(repoRoot);
  const runs = [];
  const jobs = [
    { name: 'analyze', argv: toolCommand('leakhound', middle, opts.heapMb, bin), okExitCodes: [0] },
    // diff exits 1 when it has findings: that is a successful run here.
    { name: 'diff', argv: toolCommand('leakhound-diff', files, opts.heapMb, bin), okExitCodes: [0, 1] },
  ];
  if (opts.withMemlab) {
    jobs.push({ name: 'memlab find-leaks', argv: toolCommand('memlab-find-leaks', files, opts.heapMb), okExitCodes: [0] });
  }
  for (let r = 0; r < opts.repeat; r++) {
    for (const job of jobs) {
      const command = job.name.startsWith('memlab') ? job.argv.join(' ') : `${job.argv.join(' ')} > /dev/null`;
      console.error(`heap-diff: ${command}`);
      const run = await measure([process.execPath, ...job.argv.slice(1)], { cwd: repoRoot, timeoutSeconds: opts.timeout, okExitCodes: job.okExitCodes });
      runs.push({ job: job.name, repeat: r + 1, command, ...run, stdout: undefined });
      console.error(`heap-diff:   ${run.ok ? 'ok' : `FAILED (${run.error})`} ${run.wallSeconds} s, peak RSS ${gb(run.peakRssBytes)}`);
    }
  }
  const best = (name) => runs.filter((r) => r.job === name && r.ok).sort((a, b) => a.wallSeconds - b.wallSeconds)[0];
  const analyze = best('analyze');
  const diff = best('diff');
  const memlab = best('memlab find-leaks');
  const summary = {
    files: files.map((f, i) => ({ file: f, bytes: sizes[i] })),
    analyzeSeconds: analyze?.wallSeconds ?? null,
    diffSeconds: diff?.wallSeconds ?? null,
    memlabFindLeaksSeconds: memlab?.wallSeconds ?? null,
    diffOverAnalyzeTime: analyze && diff ? +(diff.wallSeconds / analyze.wallSeconds).toFixed(2) : null,
    diffOverAnalyzeCpu: analyze?.cpuSeconds && diff?.cpuSeconds ? +(diff.cpuSeconds / analyze.cpuSeconds).toFixed(2) : null,
    diffRssOverMiddleFile: diff ? +(diff.peakRssBytes / sizes[1]).toFixed(2) : null,
    diffRssOverLargestFile: diff ? +(diff.peakRssBytes / Math.max(...sizes)).toFixed(2) : null,
    analyzeRssOverFile: analyze ? +(analyze.peakRssBytes / sizes[1]).toFixed(2) : null,
  };
  summary.meetsTime = summary.diffOverAnalyzeTime == null ? null : summary.diffOverAnalyzeTime <= 3;
  summary.meetsMemory = summary.diffRssOverMiddleFile == null ? null : summary.diffRssOverMiddleFile < 2.5;
  const record = {
    benchmark: 'heap-diff', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(),
    commandLine: `node benchmarks/heap-diff.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { ...machine, loadavgAtEnd: loadavg().map((l) => +l.toFixed(2)) },
    git: revision,
    leakhoundBuild: build ? { commit: build.commit, how: 'git archive of the commit + tsc -b in a temporary directory' } : { commit: null, how: 'the working tree\'s packages/leakhound/dist' },
    note: 'shared machine: other engineers were running builds and tests at the same time; compare ratios within one run',
    runs, summary,
  };
  const out = opts.out || join(here, 'results', `heap-diff-${startedAt.toISOString().slice(0, 19).replace(/[-:]/g, '')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(record, null, 2)}\n`);
  const lines = [
    '| run | wall time | CPU time | peak RSS | RSS / middle file | result |',
    '|---|---:|---:|---:|---:|---|',
    ...runs.map((r) => `| ${r.job} | ${r.ok ? `${r.wallSeconds.toFixed(1)} s` : 'failed'} | ${r.cpuSeconds ?? 'n/a'} s | ${gb(r.peakRssBytes)} | ${(r.peakRssBytes / sizes[1]).toFixed(2)} | ${r.ok ? 'ok' : r.error.replace(/\|/g, '/')} |`),
    '',
    `- files: ${files.map((f, i) => `${f} (${gb(sizes[i])})`).join(', ')}`,
    `- diff / analyze time: ${verdict(summary.diffOverAnalyzeTime, summary.meetsTime)} (required <= 3); in CPU time ${summary.diffOverAnalyzeCpu ?? 'n/a'}`,
    `- diff peak RSS / one file: ${verdict(summary.diffRssOverMiddleFile, summary.meetsMemory)} (required < 2.5)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  console.error(`heap-diff: wrote ${relative(process.cwd(), out)}`);
}

function verdict(value, met) {
  if (value == null) return 'not measured (a run failed)';
  return `${value}: ${met ? 'met' : 'NOT met'}`;
}

main().catch((err) => {
  console.error(`heap-diff: ${err.message}`);
  process.exit(1);
});
