#!/usr/bin/env node
// Compares two builds of `leakhound analyze --json` on one snapshot, runs
// alternating (A, B, A, B, ...), so that a machine whose speed drifts (shared
// cores, other work) slows both alike. Reports per build the median wall time,
// parse and analysis time (from the report's own `timings`), peak RSS (GNU
// time) and the median of every phase, plus B/A ratios:
//
//   node benchmarks/heap-ab.mjs --a REV --b REV [--file F | --scale medium] [--rounds 7] [--out FILE]
//
// REV is a git revision (built clean in a temporary export) or `.` for the
// working tree's current build. A diagnostic for engine changes; the
// comparison with other tools is heap-analyze.mjs.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

import { buildLeakhoundAt, ensureSnapshot, LEAKHOUND_BIN, repoRoot } from './lib/tools.mjs';
import { machineInfo, measure } from './lib/measure.mjs';

const argValue = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
};
const revA = argValue('--a');
const revB = argValue('--b');
const rounds = Number(argValue('--rounds', '7'));
if (!revA || !revB || !Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: heap-ab.mjs --a REV --b REV [--file F | --scale medium] [--rounds 7] [--out FILE]');
  process.exit(2);
}
const file = argValue('--file') ?? ensureSnapshot(argValue('--scale', 'medium'))[0];

const builds = [];
const cleanup = () => { for (const b of builds) b.build?.cleanup(); };
process.once('exit', cleanup);
for (const [label, rev] of [['A', revA], ['B', revB]]) {
  const build = rev === '.' ? null : buildLeakhoundAt(rev);
  builds.push({ label, rev: build ? build.commit : 'working tree', build, bin: build ? build.bin : join(repoRoot, LEAKHOUND_BIN), runs: [] });
}

for (let round = 0; round < rounds; round++) {
  for (const b of builds) {
    const run = await measure([process.execPath, b.bin, 'analyze', file, '--json'], { cwd: repoRoot, keepStdout: true });
    if (!run.ok) {
      console.error(`${b.label}: ${run.error}`);
      process.exit(1);
    }
    const report = JSON.parse(run.stdout);
    b.runs.push({ wall: run.wallSeconds, peakRss: run.peakRssBytes, parse: report.timings.parseMs, analysis: report.timings.analysisMs, phases: report.timings.phases });
    console.error(`round ${round + 1} ${b.label}: ${run.wallSeconds.toFixed(2)} s, ${(run.peakRssBytes / 1e6).toFixed(0)} MB`);
  }
}

const median = (values) => {
  const sorted = values.slice().sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const summary = builds.map((b) => {
  const phases = {};
  for (const name of Object.keys(b.runs[0].phases)) phases[name] = median(b.runs.map((r) => r.phases[name] ?? 0));
  return {
    label: b.label,
    rev: b.rev,
    wallSeconds: median(b.runs.map((r) => r.wall)),
    parseMs: median(b.runs.map((r) => r.parse)),
    analysisMs: median(b.runs.map((r) => r.analysis)),
    peakRssBytes: median(b.runs.map((r) => r.peakRss)),
    phases,
  };
});
const [a, b] = summary;
console.log(`| | A (${a.rev}) | B (${b.rev}) | B / A |`);
console.log('|---|---:|---:|---:|');
const row = (name, x, y, unit) => console.log(`| ${name} | ${x.toFixed(unit === 's' ? 2 : 0)} ${unit} | ${y.toFixed(unit === 's' ? 2 : 0)} ${unit} | ${(y / x).toFixed(3)} |`);
row('wall (median)', a.wallSeconds, b.wallSeconds, 's');
row('parse', a.parseMs, b.parseMs, 'ms');
row('analysis', a.analysisMs, b.analysisMs, 'ms');
row('peak RSS', a.peakRssBytes / 1e6, b.peakRssBytes / 1e6, 'MB');
for (const name of Object.keys(a.phases)) if (name in b.phases && a.phases[name] > 0) row(name, a.phases[name], b.phases[name], 'ms');
console.log(`\n${rounds} alternating rounds, ${file}, load ${loadavg()[0].toFixed(2)} at the end`);
const out = argValue('--out');
if (out) {
  writeFileSync(out, JSON.stringify({ file, rounds, machine: machineInfo(), summary, runs: builds.map((x) => ({ label: x.label, rev: x.rev, runs: x.runs })) }, null, 2) + '\n');
}
