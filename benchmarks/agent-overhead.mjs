#!/usr/bin/env node
// Cost of @leakhound/agent's memory watch on an HTTP service, default settings.
//   npm run build && node benchmarks/agent-overhead.mjs [--reps 5] [--seconds 10] [--rate 1500]
//
// 1. Macro: a node:http JSON service, started without and with
//    `--import @leakhound/agent/register` in interleaved repetitions (off, on,
//    off, on, ...), loaded by autocannon at a fixed request rate from 127.0.0.1.
//    Measured: server CPU time per request (its process.cpuUsage()) and latency.
// 2. Micro: cost of one sample (after each major GC, at most 1/s) and of one
//    detector evaluation with a full 24 h window (once a minute), which bound the
//    steady-state cost independently of machine noise.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { cpus } from 'node:os';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const reps = opt('reps', 5);
const seconds = opt('seconds', 10);
const rate = opt('rate', 1500);
const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const autocannon = require(require.resolve('autocannon', { paths: [root] }));

const serverSource = `
import { createServer } from 'node:http';
if (process.env.WITH_AGENT === '1') globalThis.__leakhoundAgent = (await import('@leakhound/agent')).currentAgent();
const catalog = Array.from({ length: 200 }, (_, i) => ({ id: i, name: 'item-' + i, price: i * 1.5, tags: ['a', 'b', 'c'] }));
const server = createServer((req, res) => {
  if (req.url === '/__cpu') {
    const u = process.cpuUsage();
    const report = globalThis.__leakhoundAgent?.memory();
    res.end(JSON.stringify({ cpu: u.user + u.system, majorGcs: report?.majorGcs ?? null, samples: report?.samples ?? null }));
    return;
  }
  const page = catalog.slice((req.url.length * 7) % 150, ((req.url.length * 7) % 150) + 20).map((item) => ({ ...item, seen: Date.now() }));
  const body = JSON.stringify({ page, total: catalog.length });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

// The server's own process.cpuUsage() (µs), read over one extra request.
async function serverStats(port) {
  return await (await fetch(`http://127.0.0.1:${port}/__cpu`)).json();
}

function startServer(withAgent) {
  return new Promise((resolve, reject) => {
    const argv = [...(withAgent ? ['--import', '@leakhound/agent/register'] : []), '--input-type=module', '-e', serverSource];
    const child = spawn(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LEAKHOUND_SNAPSHOT_SIGNAL: 'off', WITH_AGENT: withAgent ? '1' : '0' } });
    child.stdout.once('data', (d) => resolve({ child, port: Number(String(d).trim()) }));
    child.once('error', reject);
  });
}

async function measure(withAgent) {
  const { child, port } = await startServer(withAgent);
  try {
    // Warm-up: JIT, and the agent's first samples.
    await autocannon({ url: `http://127.0.0.1:${port}/items?page=1`, connections: 8, duration: 2, overallRate: rate });
    const before = await serverStats(port);
    const result = await autocannon({ url: `http://127.0.0.1:${port}/items?page=1`, connections: 8, duration: seconds, overallRate: rate });
    const after = await serverStats(port);
    const requests = result.requests.total;
    return { cpuUsPerRequest: (after.cpu - before.cpu) / requests, majorGcsPerSecond: after.majorGcs === null ? null : (after.majorGcs - before.majorGcs) / seconds, mean: result.latency.average, p99: result.latency.p99, rps: result.requests.average, errors: result.errors + result.non2xx };
  } finally {
    child.kill();
    await new Promise((r) => child.once('exit', r));
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

const runs = { off: [], on: [] };
for (let i = 0; i < reps; i++) {
  for (const mode of i % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
    const r = await measure(mode === 'on');
    runs[mode].push(r);
    console.error(`rep ${i + 1} ${mode}: ${r.cpuUsPerRequest.toFixed(1)} µs CPU/req, mean ${r.mean} ms, p99 ${r.p99} ms, ${r.rps.toFixed(0)} req/s, errors ${r.errors}${r.majorGcsPerSecond === null ? "" : `, agent saw ${r.majorGcsPerSecond.toFixed(2)} major GCs/s`}`);
  }
}

// Micro: per-sample and per-evaluation cost, at default settings.
const { MemorySampler } = await import(new URL('../packages/agent/dist/memory/sampler.js', import.meta.url).href);
const { LeakDetector } = await import(new URL('../packages/agent/dist/memory/trend.js', import.meta.url).href);
const sampler = new MemorySampler();
const n = 20_000;
let t0 = performance.now();
for (let i = 0; i < n; i++) sampler.sample(true);
const sampleUs = ((performance.now() - t0) * 1000) / n;
const detector = new LeakDetector();
for (let t = 0; t < 48 * 3_600_000; t += 1000) detector.add(t, 100e6 + (t % 7) * 1e5);
const evals = 200;
t0 = performance.now();
for (let i = 0; i < evals; i++) detector.evaluate(48 * 3_600_000 + i);
const evaluateUs = ((performance.now() - t0) * 1000) / evals;
// Worst case at defaults: one sample per second (GC storm, throttled) + one evaluation per minute.
const worstCaseShare = (sampleUs * 1 + evaluateUs / 60) / 1e6;
// What the agent did during the measured runs: samples (one per major GC, at most 1/s) and evaluations (1/min).
const gcRate = median(runs.on.map((r) => r.majorGcsPerSecond ?? 0));
const samplesPerSecond = Math.min(1, gcRate);
const measuredShare = (samplesPerSecond * sampleUs + evaluateUs / 60) / 1e6;
const cpuPerSecondOn = median(runs.on.map((r) => r.cpuUsPerRequest)) * rate;

const pct = (on, off) => (((on - off) / off) * 100).toFixed(1);
const cpuOff = median(runs.off.map((r) => r.cpuUsPerRequest));
const cpuOn = median(runs.on.map((r) => r.cpuUsPerRequest));
const meanOff = median(runs.off.map((r) => r.mean));
const meanOn = median(runs.on.map((r) => r.mean));
const p99Off = median(runs.off.map((r) => r.p99));
const p99On = median(runs.on.map((r) => r.p99));
const spread = (xs) => `${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}`;
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ${reps} interleaved reps x ${seconds} s at ${rate} req/s, 8 connections`);
console.log('');
console.log('| | agent off | agent on | difference |');
console.log('|---|---|---|---|');
console.log(`| server CPU per request (µs, median; range) | ${cpuOff.toFixed(1)} (${spread(runs.off.map((r) => r.cpuUsPerRequest))}) | ${cpuOn.toFixed(1)} (${spread(runs.on.map((r) => r.cpuUsPerRequest))}) | ${pct(cpuOn, cpuOff)}% |`);
console.log(`| mean latency (ms, median of reps) | ${meanOff.toFixed(2)} | ${meanOn.toFixed(2)} | ${pct(meanOn, meanOff)}% |`);
console.log(`| latency p99 (ms, median of reps) | ${p99Off} | ${p99On} | ${p99On - p99Off} ms |`);
console.log('');
console.log(`accounting: the service ran ${gcRate.toFixed(2)} major GCs/s under this load -> ${samplesPerSecond.toFixed(2)} samples/s; agent work = ${(measuredShare * 1e6).toFixed(1)} µs per second = ${((measuredShare * 1e6 / cpuPerSecondOn) * 100).toFixed(3)}% of the service's CPU`);
console.log(`micro: one sample ${sampleUs.toFixed(1)} µs; one evaluation (full 24 h window) ${evaluateUs.toFixed(0)} µs; worst case at defaults (1 sample/s + 1 evaluation/min) = ${(worstCaseShare * 100).toFixed(4)}% of one core`);

const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
const file = new URL(`agent-overhead-${new Date().toISOString().slice(0, 10)}.json`, resultsDir);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), command: `node benchmarks/agent-overhead.mjs ${args.join(' ')}`.trim(), machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavg: loadavg() }, reps, seconds, rate, runs, micro: { sampleUs, evaluateUs, worstCaseShare, gcRate, measuredShare } }, null, 2) + '\n');
console.log(`raw results: ${file.pathname}`);
