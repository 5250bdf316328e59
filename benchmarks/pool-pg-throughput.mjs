#!/usr/bin/env node
// Throughput of `SELECT 1` through pg.Pool at 50 concurrent callers: a bare pool
// against the same pool with leakhound's monitor and leak detection on
// (leakDetectionThreshold 2000 ms; every caller runs inside a request context).
// Two ways of running the query, both measured:
//   query     pool.query('SELECT 1'): pg-pool borrows and returns by itself, so the
//             monitor tracks the borrow with its context but captures no stack
//   checkout  const c = await pool.connect(); await c.query('SELECT 1'); c.release():
//             the borrower's stack is captured at every borrow
//   checkout-adaptive  the same with captureStacks: 'adaptive' (a stack for one borrow in 256
//             on average while no reported leak is outstanding)
//   checkout-nostack   the same with captureStacks: false: what the monitor costs besides the capture
// Bare and instrumented alternate within every round; the monitored pool instance
// swaps every round and the order every two rounds;
// reported: queries/s per round, the median instrumented/bare ratio and its range,
// and this process's CPU time per query (less disturbed by neighbours than q/s).
// Last, --profiles more slices per variant under the V8 CPU profiler: the share of CPU samples
// spent in the agent's own code (self time of packages/agent/dist), and in GC. That
// share does not depend on how busy the rest of the machine is.
//
//   node benchmarks/pool-pg-throughput.mjs [--rounds 8] [--seconds 2] [--concurrency 50] [--max 10] [--variants query,checkout,checkout-adaptive[,checkout-nostack]] [--profiles 3] [--control] [--isolate] [--agent DIR] [--json FILE]
// --control: the same run with no monitor at all (A/A), to see the noise floor of the ratio.
// --isolate: every slice in a fresh child process with one pool (bare or monitored), so the
// monitored pool's patched methods and marked connections cannot make pg's code polymorphic
// for the bare pool too, as they do when both live in one process (measured: the bare pool of
// the in-memory benchmark ran 1 us/op slower beside a monitored one). Profiles stay in-process.
// PostgreSQL from PGHOST/PGPORT/PGUSER/PGDATABASE (default 127.0.0.1:5432, postgres, test). Needs `npm run build`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import pg from 'pg';
import { agentEntry, median, option, sliceInChild } from './lib/cli.mjs';

// --agent DIR: measure another build of the agent (e.g. a worktree of an older commit) with the same script.
const { monitorPool, runWithContext } = await import(agentEntry(option('agent', undefined)));

const ROUNDS = Number(option('rounds', 8));
const SECONDS = Number(option('seconds', 2));
const CONCURRENCY = Number(option('concurrency', 50));
const MAX = Number(option('max', 10));
const JSON_OUT = option('json', undefined);
const PROFILE_ROUNDS = Number(option('profiles', 3));

const connection = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  password: process.env.PGPASSWORD,
  database: process.env.PGDATABASE ?? 'test',
};
const CONTROL = process.argv.includes('--control');
const ISOLATE = process.argv.includes('--isolate');
const SLICE = option('slice', undefined); // child of --isolate: run one slice and print it as JSON
// Two pool instances; every round the monitor is put on one of them and removed after, and
// the roles swap each round: an A/A run (--control, no monitor at all) showed one pool instance
// of a pair can be 10% faster than the other for the whole run, which would otherwise be
// read as the monitor's cost.
const pools = SLICE === undefined ? [new pg.Pool({ ...connection, max: MAX }), new pg.Pool({ ...connection, max: MAX })] : [];
const monitorOptions = { name: 'bench', leakDetectionThreshold: 2000, logger: { warn() {}, info() {} } };
let leftHolders = 0;

const checkout = async (pool) => {
  const client = await pool.connect();
  try {
    await client.query('SELECT 1');
  } finally {
    client.release();
  }
};
const ALL_VARIANTS = {
  query: { run: (pool) => pool.query('SELECT 1'), options: {} },
  checkout: { run: checkout, options: {} },
  'checkout-adaptive': { run: checkout, options: { captureStacks: 'adaptive' } },
  'checkout-nostack': { run: checkout, options: { captureStacks: false } },
};
const chosen = option('variants', 'query,checkout,checkout-adaptive').split(',');
for (const name of chosen) if (!(name in ALL_VARIANTS)) throw new Error(`unknown variant ${name}; known: ${Object.keys(ALL_VARIANTS).join(', ')}`);
const MODES = Object.fromEntries(chosen.map((name) => [name, ALL_VARIANTS[name].run]));
const monitorFor = (pool, mode) => (CONTROL ? undefined : monitorPool(pool, { ...monitorOptions, ...ALL_VARIANTS[mode].options }));

async function caller(pool, run, deadline, id) {
  let done = 0;
  await runWithContext({ method: 'GET', url: `/caller/${id}` }, async () => {
    while (performance.now() < deadline) {
      await run(pool);
      done++;
    }
  });
  return done;
}

async function measure(pool, mode, seconds) {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const deadline = start + seconds * 1000;
  const counts = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => caller(pool, MODES[mode], deadline, i)));
  const elapsed = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const queries = counts.reduce((a, b) => a + b, 0);
  return { qps: queries / elapsed, cpuUs: (used.user + used.system) / queries };
}

if (SLICE !== undefined) {
  const pool = new pg.Pool({ ...connection, max: MAX });
  if (process.argv.includes('--instrumented')) monitorFor(pool, SLICE);
  await measure(pool, SLICE, 0.5); // warm-up: connections opened, JIT
  process.stdout.write(JSON.stringify(await measure(pool, SLICE, SECONDS)));
  await pool.end();
  process.exit(0);
}

const here = fileURLToPath(import.meta.url);
const forward = ['--seconds', String(SECONDS), '--concurrency', String(CONCURRENCY), '--max', String(MAX), '--variants', chosen.join(',')];
const inChild = (mode, instrumented) => sliceInChild(here, ['--slice', mode, ...forward, ...(instrumented && !CONTROL ? ['--instrumented'] : [])], (SECONDS + 30) * 1000);

if (!ISOLATE) {
  for (const mode of Object.keys(MODES)) {
    for (const pool of pools) await measure(pool, mode, 0.5); // warm-up: connections opened, JIT
  }
}

console.log(`${CONTROL ? 'CONTROL (A/A, no monitor): ' : ''}${ISOLATE ? 'one process per slice: ' : ''}SELECT 1, ${CONCURRENCY} callers, pool max ${MAX}, ${ROUNDS} rounds x ${SECONDS} s per variant, node ${process.version}, ${cpus().length} CPUs`);
const rows = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of Object.keys(MODES)) {
    const bare = pools[round % 2];
    const instrumented = pools[(round + 1) % 2];
    const monitor = ISOLATE ? undefined : monitorFor(instrumented, mode);
    const order = (round >> 1) % 2 === 0 ? ['bare', 'instrumented'] : ['instrumented', 'bare'];
    const row = { round, mode, load1: loadavg()[0] };
    for (const name of order) {
      row[name] = ISOLATE ? await inChild(mode, name === 'instrumented') : await measure(name === 'bare' ? bare : instrumented, mode, SECONDS);
    }
    leftHolders += monitor?.holders().length ?? 0;
    monitor?.stop();
    row.ratio = row.instrumented.qps / row.bare.qps;
    rows.push(row);
    console.log(
      `round ${round} ${mode.padEnd(17)}: bare ${row.bare.qps.toFixed(0)} q/s (${row.bare.cpuUs.toFixed(1)} us CPU/q), ` +
        `instrumented ${row.instrumented.qps.toFixed(0)} q/s (${row.instrumented.cpuUs.toFixed(1)} us CPU/q), ratio ${row.ratio.toFixed(4)}, load ${row.load1.toFixed(1)}`,
    );
  }
}

const summary = {};
for (const mode of Object.keys(MODES)) {
  const mine = rows.filter((r) => r.mode === mode);
  const ratios = mine.map((r) => r.ratio);
  summary[mode] = {
    bareQpsMedian: median(mine.map((r) => r.bare.qps)),
    instrumentedQpsMedian: median(mine.map((r) => r.instrumented.qps)),
    ratioMedian: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    bareCpuUsMedian: median(mine.map((r) => r.bare.cpuUs)),
    instrumentedCpuUsMedian: median(mine.map((r) => r.instrumented.cpuUs)),
  };
  const s = summary[mode];
  console.log(
    `${mode}: median bare ${s.bareQpsMedian.toFixed(0)} q/s, instrumented ${s.instrumentedQpsMedian.toFixed(0)} q/s; ratio median ${s.ratioMedian.toFixed(4)} ` +
      `(${((1 - s.ratioMedian) * 100).toFixed(1)}% lower), range ${s.ratioMin.toFixed(4)}..${s.ratioMax.toFixed(4)}; ` +
      `CPU/query bare ${s.bareCpuUsMedian.toFixed(2)} us, instrumented ${s.instrumentedCpuUsMedian.toFixed(2)} us (+${(s.instrumentedCpuUsMedian - s.bareCpuUsMedian).toFixed(2)} us)`,
  );
}
// CPU profile of one slice: self-time shares of the agent's code and of the garbage collector.
async function profiled(pool, mode, seconds) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  await measure(pool, mode, seconds);
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  let total = 0;
  let agent = 0;
  let gc = 0;
  let capture = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const frame = nodes.get(id)?.callFrame;
    if (frame === undefined || frame.functionName === '(idle)') return;
    total += dt;
    if (frame.url.includes('/packages/agent/dist/')) agent += dt;
    // V8's stack capture is native: its time is this function's self time.
    if (frame.url.includes('/packages/agent/dist/pools/stack.js') && frame.functionName === 'captureStack') capture += dt;
    if (frame.functionName === '(garbage collector)') gc += dt;
  });
  return { agentShare: agent / total, captureShare: capture / total, gcShare: gc / total };
}

// Profiled slices, interleaved like the rounds (pool instances swapped each time); medians reported.
const profiles = {};
for (let round = 0; round < PROFILE_ROUNDS; round++) {
  for (const mode of Object.keys(MODES)) {
    const monitor = monitorFor(pools[(round + 1) % 2], mode);
    const bare = await profiled(pools[round % 2], mode, SECONDS);
    const instrumented = await profiled(pools[(round + 1) % 2], mode, SECONDS);
    monitor?.stop();
    (profiles[mode] ??= []).push({ bare, instrumented });
  }
}
const profileSummary = {};
for (const [mode, list] of Object.entries(profiles)) {
  const pct = (values) => `${(median(values) * 100).toFixed(2)}% (${values.map((v) => (v * 100).toFixed(1)).join(', ')})`;
  const agent = list.map((p) => p.instrumented.agentShare);
  const capture = list.map((p) => p.instrumented.captureShare);
  profileSummary[mode] = { agentShareMedian: median(agent), captureShareMedian: median(capture), gcBareMedian: median(list.map((p) => p.bare.gcShare)), gcInstrumentedMedian: median(list.map((p) => p.instrumented.gcShare)) };
  console.log(
    `${mode} CPU profile, median of ${list.length}: agent code ${pct(agent)} of busy CPU samples, of which stack capture ${pct(capture)}; ` +
      `GC ${(profileSummary[mode].gcBareMedian * 100).toFixed(1)}% bare vs ${(profileSummary[mode].gcInstrumentedMedian * 100).toFixed(1)}% instrumented`,
  );
}

if (leftHolders !== 0) console.log(`unexpected: ${leftHolders} holders left after rounds`);

if (JSON_OUT !== undefined) {
  const settings = { rounds: ROUNDS, seconds: SECONDS, concurrency: CONCURRENCY, poolMax: MAX, leakDetectionThreshold: 2000, variants: chosen, control: CONTROL, isolate: ISOLATE };
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, memBytes: totalmem(), node: process.version };
  const command = `node benchmarks/pool-pg-throughput.mjs ${process.argv.slice(2).join(' ')}`.trim();
  writeFileSync(JSON_OUT, `${JSON.stringify({ benchmark: 'pool-pg-throughput', date: new Date().toISOString(), command, machine, settings, summary, profileSummary, profiles, rounds: rows }, null, 2)}\n`);
}
await Promise.all(pools.map((pool) => pool.end()));
