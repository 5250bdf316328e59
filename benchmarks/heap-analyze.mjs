#!/usr/bin/env node
// Times `leakhound analyze --json` against memlab and the Chrome DevTools heap
// model on the same snapshots, in the same run, one tool at a time.
//
//   node benchmarks/heap-analyze.mjs [--scales small,medium,large] [--tools leakhound,memlab,devtools]
//                                    [--timeout 600] [--heap-mb 16384] [--repeat 1] [--out FILE]
//                                    [--leakhound-at GIT-REV]
//
// Missing snapshots are generated first (benchmarks/generate-snapshot.mjs,
// cached in benchmarks/.data). Each tool runs in its own child process, never
// two at once, with the same --max-old-space-size and a timeout; a tool that
// fails (OOM, string too long, timeout) is recorded as a failure. Prints a
// markdown table and writes benchmarks/results/heap-analyze-<date>.json.
// Run from anywhere; commands run with the repository root as cwd. Build
// leakhound first (`npm run build` at the root), or pass --leakhound-at HEAD
// to measure a clean build of a commit (the working tree may be mid-edit).
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gb, gitRevision, machineInfo, measure, rawReadSpeed, threadScaling } from './lib/measure.mjs';
import { ensureSnapshot, withLeakhound, LEAKHOUND_BIN, toolCommand } from './lib/tools.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const ALL_SCALES = ['small', 'medium', 'large'];
const ALL_TOOLS = ['leakhound', 'memlab', 'devtools'];

function parseArgs(argv) {
  const opts = { scales: ALL_SCALES, tools: ALL_TOOLS, timeout: 600, heapMb: 16384, repeat: 1, out: '', leakhoundAt: '' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--scales') opts.scales = value().split(',');
    else if (arg === '--tools') opts.tools = value().split(',');
    else if (arg === '--timeout') opts.timeout = Number(value());
    else if (arg === '--heap-mb') opts.heapMb = Number(value());
    else if (arg === '--repeat') opts.repeat = Number(value());
    else if (arg === '--out') opts.out = value();
    else if (arg === '--leakhound-at') opts.leakhoundAt = value();
    else throw new Error(`unknown argument ${arg} (see the header of heap-analyze.mjs)`);
  }
  for (const s of opts.scales) if (!ALL_SCALES.includes(s)) throw new Error(`unknown scale ${s}`);
  for (const t of opts.tools) if (!ALL_TOOLS.includes(t)) throw new Error(`unknown tool ${t}`);
  return opts;
}

function fmtSeconds(run) { return run.ok ? `${run.wallSeconds.toFixed(1)} s` : 'failed'; }

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!opts.tools.includes('leakhound')) return runAll(opts, null);
  await withLeakhound(opts.leakhoundAt, 'heap-bench', (build) => runAll(opts, build));
}

async function runAll(opts, build) {
  if (opts.tools.some((t) => t !== 'leakhound') && !existsSync(join(here, 'node_modules/heap-snapshot-toolkit'))) {
    throw new Error('reference tools missing: cd benchmarks && PUPPETEER_SKIP_DOWNLOAD=1 npm ci');
  }
  const startedAt = new Date();
  const machine = machineInfo();
  const revision = gitRevision(root);
  const results = [];
  const readSpeeds = {};
  // leakhound parses and analyses on two threads: say whether two cores were there.
  const threads = await threadScaling();
  console.error(`heap-bench: two busy threads run ${threads.speedup}x as fast as one (${threads.oneThreadMs} ms alone, ${threads.twoThreadsMs} ms for twice the work on two threads)`);
  for (const scale of opts.scales) {
    const [file] = ensureSnapshot(scale);
    const rel = relative(root, file);
    const fileBytes = statSync(file).size;
    readSpeeds[scale] = await rawReadSpeed(file);
    console.error(`heap-bench: ${rel} ${gb(fileBytes)}; raw read ${readSpeeds[scale].readMBps} MB/s, JS byte scan ${readSpeeds[scale].scanMBps} MB/s`);
    for (let r = 0; r < opts.repeat; r++) {
      for (const tool of opts.tools) {
        const argv = toolCommand(tool, rel, opts.heapMb, build?.bin ?? LEAKHOUND_BIN);
        const command = tool === 'leakhound' ? `${argv.join(' ')} > /dev/null` : argv.join(' ');
        console.error(`heap-bench: [${scale}] ${command}`);
        const run = await measure([process.execPath, ...argv.slice(1)], { cwd: root, timeoutSeconds: opts.timeout });
        const row = { scale, file: rel, fileBytes, tool, repeat: r + 1, command, ...run };
        delete row.stdout;
        results.push(row);
        console.error(`heap-bench:   ${run.ok ? 'ok' : `FAILED (${run.error})`} ${run.wallSeconds} s, peak RSS ${gb(run.peakRssBytes)} (tree ${gb(run.treePeakRssBytes)})`);
      }
    }
  }
  const finishedAt = new Date();
  const summary = summarize(results, opts);
  const record = {
    benchmark: 'heap-analyze', startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(),
    commandLine: `node benchmarks/heap-analyze.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { ...machine, loadavgAtEnd: loadavg().map((l) => +l.toFixed(2)) },
    git: revision,
    leakhoundBuild: build ? { commit: build.commit, how: 'git archive of the commit + tsc -b in a temporary directory' } : { commit: null, how: 'the working tree\'s packages/leakhound/dist' },
    note: 'shared machine: other engineers were running builds and tests at the same time; compare ratios within one run',
    readSpeeds, threadScaling: threads, results, summary,
  };
  const out = opts.out || join(here, 'results', `heap-analyze-${startedAt.toISOString().slice(0, 19).replace(/[-:]/g, '')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`${markdown(summary)}\n`);
  console.error(`heap-bench: wrote ${relative(process.cwd(), out)}`);
}

/** Best (fastest successful) run per scale and tool, and leakhound's ratios. */
function summarize(results, opts) {
  const rows = [];
  for (const scale of opts.scales) {
    const best = {};
    for (const tool of opts.tools) {
      const runs = results.filter((r) => r.scale === scale && r.tool === tool);
      const ok = runs.filter((r) => r.ok).sort((a, b) => a.wallSeconds - b.wallSeconds);
      best[tool] = ok[0] ?? runs[0];
    }
    const lh = best.leakhound;
    const row = { scale, fileBytes: results.find((r) => r.scale === scale)?.fileBytes ?? 0, tools: best };
    if (lh?.ok) {
      for (const ref of ['memlab', 'devtools']) {
        const other = best[ref];
        if (other?.ok) row[`speedupVs_${ref}`] = +(other.wallSeconds / lh.wallSeconds).toFixed(1);
        if (other?.ok && other.cpuSeconds && lh.cpuSeconds) row[`cpuSpeedupVs_${ref}`] = +(other.cpuSeconds / lh.cpuSeconds).toFixed(1);
      }
      row.leakhoundRssOverFile = +(lh.peakRssBytes / row.fileBytes).toFixed(2);
    }
    rows.push(row);
  }
  return rows;
}

function markdown(summary) {
  const lines = [
    '| file | tool | wall time | CPU time | peak RSS | RSS / file | result |',
    '|---|---|---:|---:|---:|---:|---|',
  ];
  for (const row of summary) {
    for (const [tool, run] of Object.entries(row.tools)) {
      if (!run) continue;
      lines.push(`| ${row.scale} (${gb(row.fileBytes)}) | ${tool} | ${fmtSeconds(run)} | ${run.cpuSeconds ?? 'n/a'} s | ${gb(run.peakRssBytes)} | ${(run.peakRssBytes / row.fileBytes).toFixed(2)} | ${run.ok ? 'ok' : run.error.replace(/\|/g, '/')} |`);
    }
  }
  lines.push('');
  for (const row of summary) {
    const parts = [];
    if (row.speedupVs_memlab) parts.push(`${row.speedupVs_memlab}x faster than memlab (CPU time ${row.cpuSpeedupVs_memlab ?? 'n/a'}x)`);
    if (row.speedupVs_devtools) parts.push(`${row.speedupVs_devtools}x faster than the DevTools model (CPU time ${row.cpuSpeedupVs_devtools ?? 'n/a'}x)`);
    if (row.leakhoundRssOverFile) parts.push(`peak RSS ${row.leakhoundRssOverFile}x the file`);
    if (parts.length) lines.push(`- ${row.scale}: leakhound ${parts.join(', ')}`);
  }
  return lines.join('\n');
}

main().catch((err) => {
  console.error(`heap-bench: ${err.message}`);
  process.exit(1);
});
