#!/usr/bin/env node
// Where `leakhound analyze` spends its time and memory, phase by phase:
//
//   node --max-old-space-size=16384 benchmarks/heap-phases.mjs FILE [--out results.json] [--leakhound-at GIT-REV]
//
// Runs the same parse + analysis as the CLI (the built dist, so
// `npm run build` first) in this process, listening to the engine's own
// progress callbacks: each phase's wall time and the process RSS at its end
// and at its peak (sampled on progress calls, at most every 20 ms). A
// diagnostic for the engine's authors, not a comparison: the comparison is
// heap-analyze.mjs.
import { statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { buildLeakhoundAt } from './lib/tools.mjs';

const file = process.argv[2];
const argValue = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const out = argValue('--out');
const at = argValue('--leakhound-at');
if (file === undefined || file.startsWith('--')) {
  console.error('usage: heap-phases.mjs FILE [--out results.json] [--leakhound-at GIT-REV]');
  process.exit(2);
}
// A clean build of a commit when asked (the working tree's dist may be mid-edit).
const build = at ? buildLeakhoundAt(at) : null;
process.once('exit', () => build?.cleanup());
const dist = build ? dirname(dirname(build.bin)) + '/dist' : join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'leakhound', 'dist');
const { parseSnapshotFile } = await import(pathToFileURL(join(dist, 'heap', 'parser.js')).href);
const analysisModule = await import(pathToFileURL(join(dist, 'heap', 'analysis.js')).href);
// What the CLI runs; revisions before the paths worker only have the synchronous one.
const analyze = analysisModule.analyzeSnapshotInParallel ?? analysisModule.analyzeSnapshot;

const phases = [];
let current = null;
let lastSample = 0;
const started = performance.now();

function enter(name, now) {
  const rss = process.memoryUsage.rss();
  if (current) {
    current.seconds = +((now - current.startMs) / 1000).toFixed(2);
    current.rssAtEndBytes = rss;
    current.peakRssBytes = Math.max(current.peakRssBytes, rss);
    // The kernel's high-water mark: catches peaks between the samples (in KiB).
    current.maxRssSoFarBytes = process.resourceUsage().maxRSS * 1024;
  }
  current = name === null ? null : { phase: name, startMs: now, seconds: 0, rssAtEndBytes: 0, peakRssBytes: rss };
  if (current) phases.push(current);
}

function onProgress(phase) {
  const now = performance.now();
  if (current === null || current.phase !== phase) enter(phase, now);
  else if (now - lastSample > 20) {
    lastSample = now;
    current.peakRssBytes = Math.max(current.peakRssBytes, process.memoryUsage.rss());
  }
}

// Where the edges section was cut between the two parser threads (none: one thread).
let split = null;
const snap = await parseSnapshotFile(file, { onProgress, edgeSplit: { onSplit: (cut, end) => (split = { cut, end }) } });
enter('(between parse and analysis)', performance.now());
const report = await analyze(snap, { onProgress, file });
enter(null, performance.now());
const totalSeconds = (performance.now() - started) / 1000;

const gb = (b) => (b / 1e9).toFixed(2);
const lines = ['| phase | wall s | RSS at end (GB) | peak RSS in phase (GB, sampled) | process peak RSS so far (GB) |', '|---|---:|---:|---:|---:|'];
for (const p of phases) lines.push(`| ${p.phase} | ${p.seconds.toFixed(2)} | ${gb(p.rssAtEndBytes)} | ${gb(p.peakRssBytes)} | ${gb(p.maxRssSoFarBytes)} |`);
lines.push(`| total | ${totalSeconds.toFixed(2)} | | ${gb(Math.max(...phases.map((p) => p.peakRssBytes)))} | ${gb(process.resourceUsage().maxRSS * 1024)} |`);
console.log(lines.join('\n'));
console.log(`nodes ${report.snapshot.nodeCount}, edges ${report.snapshot.edgeCount}, file ${gb(statSync(file).size)} GB, load ${loadavg()[0].toFixed(1)}, ` +
  (split ? `edges cut at byte ${split.cut} (section ends at ${split.end})` : 'edges parsed on one thread'));
if (out) {
  writeFileSync(out, `${JSON.stringify({
    benchmark: 'heap-phases', date: new Date().toISOString(), file, fileBytes: statSync(file).size,
    leakhoundBuild: build ? { commit: build.commit, how: 'git archive of the commit + tsc -b in a temporary directory' } : { commit: null, how: 'the working tree\'s packages/leakhound/dist' },
    commandLine: `node ${process.execArgv.join(' ')} benchmarks/heap-phases.mjs ${process.argv.slice(2).join(' ')}`,
    node: process.version, loadavg1m: +loadavg()[0].toFixed(2), totalSeconds: +totalSeconds.toFixed(2),
    nodeCount: report.snapshot.nodeCount, edgeCount: report.snapshot.edgeCount, edgeSplit: split,
    phases: phases.map(({ startMs: _startMs, ...rest }) => rest),
  }, null, 2)}\n`);
}
