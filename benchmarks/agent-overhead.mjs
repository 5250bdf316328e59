#!/usr/bin/env node
// Cost of @leakhound/agent's memory watch on an HTTP service, default settings.
//   npm run build && node benchmarks/agent-overhead.mjs [--reps 5] [--seconds 10] [--rate 1500] [--retain 0]
//
// 1. Macro: a node:http JSON service, started without and with
//    `--import @leakhound/agent/register`; both run at the same time, each loaded
//    by autocannon at a fixed request rate from 127.0.0.1, repeated with fresh
//    processes and alternating start order. Measured: server CPU time per
//    request (its process.cpuUsage()), latency, and the per-repetition on/off
//    ratio (both saw the same machine load, so the ratio cancels it).
//    --baseline none: "off" runs without any preload (default: it preloads an empty
//    module, so both pay Node's --import machinery and only the agent differs).
//    --on-preload SPEC: the "on" service preloads SPEC instead of the agent (A/A
//    run with `data:text/javascript,`, or an unrelated package as a control).
//    --on-env K=V: extra environment for the "on" service (LEAKHOUND_MEMORY=0, ...).
//    --retain N: the service keeps its last N responses (a bounded cache), so
//    objects reach the old generation and major GCs (hence agent samples) happen.
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
const retain = opt('retain', 0);
// --on-env K=V (repeatable): extra environment for the "on" service, to attribute a cost (e.g. LEAKHOUND_MEMORY=0).
// --baseline none: the "off" service runs with no preload at all; default: it preloads an empty
// module with --import too, so both pay the same for Node's preload machinery and only the agent differs.
const baseline = args.includes('--baseline') ? args[args.indexOf('--baseline') + 1] : 'empty-import';
// --on-preload SPEC: the "on" service preloads SPEC instead of the agent: `data:text/javascript,` is an
// A/A run (the measurement's own noise), `mysql2` loads an unrelated package the service never uses.
const onPreload = args.includes('--on-preload') ? args[args.indexOf('--on-preload') + 1] : '@leakhound/agent/register';
const onEnv = Object.fromEntries(args.flatMap((a, i) => (args[i - 1] === '--on-env' ? [a.split('=')] : [])));
const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const autocannon = require(require.resolve('autocannon', { paths: [root] }));

const serverSource = `
import { createServer } from 'node:http';
if (process.env.WITH_AGENT === '1') globalThis.__leakhoundAgent = (await import('@leakhound/agent')).currentAgent();
const RETAIN = Number(process.env.RETAIN ?? 0);
const recent = new Array(RETAIN);
let next = 0;
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
  if (RETAIN > 0) { recent[next] = { page, body }; next = (next + 1) % RETAIN; }
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
    const preload = withAgent ? ['--import', onPreload] : baseline === 'none' ? [] : ['--import', 'data:text/javascript,'];
    const argv = [...preload, '--input-type=module', '-e', serverSource];
    const child = spawn(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LEAKHOUND_SNAPSHOT_SIGNAL: 'off', WITH_AGENT: withAgent && onPreload === '@leakhound/agent/register' ? '1' : '0', RETAIN: String(retain), ...(withAgent ? onEnv : {}) } });
    child.stdout.once('data', (d) => resolve({ child, port: Number(String(d).trim()) }));
    child.once('error', reject);
  });
}

async function load(port, duration) {
  return autocannon({ url: `http://127.0.0.1:${port}/items?page=1`, connections: 8, duration, overallRate: rate });
}

// Both services run at the same time under the same load, so whatever else the
// machine is doing hits both alike; a repetition's on/off ratio cancels it.
async function measurePair(order) {
  const servers = {};
  for (const mode of order) servers[mode] = await startServer(mode === 'on');
  try {
    await Promise.all(order.map((mode) => load(servers[mode].port, 2))); // warm-up: JIT, the agent's first samples
    const before = {};
    for (const mode of order) before[mode] = await serverStats(servers[mode].port);
    const results = await Promise.all(order.map((mode) => load(servers[mode].port, seconds)));
    const out = {};
    for (const [i, mode] of order.entries()) {
      const after = await serverStats(servers[mode].port);
      const result = results[i];
      out[mode] = {
        cpuUsPerRequest: (after.cpu - before[mode].cpu) / result.requests.total,
        majorGcsPerSecond: after.majorGcs === null ? null : (after.majorGcs - before[mode].majorGcs) / seconds,
        mean: result.latency.average,
        p99: result.latency.p99,
        rps: result.requests.average,
        errors: result.errors + result.non2xx,
      };
    }
    return out;
  } finally {
    for (const { child } of Object.values(servers)) {
      child.kill();
      await new Promise((r) => child.once('exit', r));
    }
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

const runs = { off: [], on: [] };
for (let i = 0; i < reps; i++) {
  const pair = await measurePair(i % 2 === 0 ? ['off', 'on'] : ['on', 'off']);
  for (const mode of ['off', 'on']) {
    const r = pair[mode];
    runs[mode].push(r);
    console.error(`rep ${i + 1} ${mode}: ${r.cpuUsPerRequest.toFixed(1)} µs CPU/req, mean ${r.mean} ms, p99 ${r.p99} ms, ${r.rps.toFixed(0)} req/s, errors ${r.errors}${r.majorGcsPerSecond === null ? '' : `, agent saw ${r.majorGcsPerSecond.toFixed(2)} major GCs/s`}`);
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
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg()[0].toFixed(1)}; ${reps} reps x ${seconds} s, off and on side by side at ${rate} req/s each, 8 connections each, service retains ${retain} responses; baseline ${baseline}; on = --import ${onPreload}${Object.keys(onEnv).length ? `; on-service env ${JSON.stringify(onEnv)}` : ''}`);
console.log('');
console.log('| | agent off | agent on | difference |');
console.log('|---|---|---|---|');
console.log(`| server CPU per request (µs, median; range) | ${cpuOff.toFixed(1)} (${spread(runs.off.map((r) => r.cpuUsPerRequest))}) | ${cpuOn.toFixed(1)} (${spread(runs.on.map((r) => r.cpuUsPerRequest))}) | ${pct(cpuOn, cpuOff)}% |`);
console.log(`| mean latency (ms, median of reps) | ${meanOff.toFixed(2)} | ${meanOn.toFixed(2)} | ${pct(meanOn, meanOff)}% |`);
// Paired: off and on ran at the same time in each repetition, so their ratio cancels the machine's load.
const paired = runs.on.map((r, i) => (r.cpuUsPerRequest / (runs.off[i]?.cpuUsPerRequest ?? r.cpuUsPerRequest) - 1) * 100).sort((a, b) => a - b);
console.log(`| server CPU per request, paired on/off ratio per rep (median; min..max) | | | ${median(paired).toFixed(1)}% (${paired[0]?.toFixed(1)}..${paired[paired.length - 1]?.toFixed(1)}%) |`);
console.log(`| latency p99 (ms, median of reps) | ${p99Off} | ${p99On} | ${p99On - p99Off} ms |`);
console.log('');
console.log(`accounting: the service ran ${gcRate.toFixed(2)} major GCs/s under this load -> ${samplesPerSecond.toFixed(2)} samples/s; agent work = ${(measuredShare * 1e6).toFixed(1)} µs per second = ${((measuredShare * 1e6 / cpuPerSecondOn) * 100).toFixed(3)}% of the service's CPU`);
console.log(`micro: one sample ${sampleUs.toFixed(1)} µs; one evaluation (full 24 h window) ${evaluateUs.toFixed(0)} µs; worst case at defaults (1 sample/s + 1 evaluation/min) = ${(worstCaseShare * 100).toFixed(4)}% of one core`);

const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
const file = new URL(`agent-overhead-${new Date().toISOString().slice(0, 16).replace(/[-:]/g, '')}.json`, resultsDir);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), command: `node benchmarks/agent-overhead.mjs ${args.join(' ')}`.trim(), machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavg: loadavg() }, reps, seconds, rate, retain, baseline, onPreload, onEnv, runs, micro: { sampleUs, evaluateUs, worstCaseShare, gcRate, measuredShare } }, null, 2) + '\n');
console.log(`raw results: ${file.pathname}`);
