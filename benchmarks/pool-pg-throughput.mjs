#!/usr/bin/env node
// Throughput of `SELECT 1` through pg.Pool at 50 concurrent callers: a bare pool
// against the same pool with leakhound's monitor and leak detection on
// (leakDetectionThreshold 2000 ms; every caller runs inside a request context).
// Two ways of running the query, both measured:
//   query     pool.query('SELECT 1'): pg-pool borrows and returns by itself, so the
//             monitor tracks the borrow with its context but captures no stack
//   checkout  const c = await pool.connect(); await c.query('SELECT 1'); c.release():
//             the borrower's stack is captured at every borrow
// Bare and instrumented alternate within every round (order flipped each round);
// reported: queries/s per round, the median instrumented/bare ratio and its range,
// and this process's CPU time per query (less disturbed by neighbours than q/s).
//
//   node benchmarks/pool-pg-throughput.mjs [--rounds 8] [--seconds 2] [--concurrency 50] [--max 10] [--json FILE]
// PostgreSQL from PGHOST/PGPORT/PGUSER/PGDATABASE (default 127.0.0.1:5432, postgres, test). Needs `npm run build`.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import pg from 'pg';
import { monitorPool, runWithContext } from '../packages/agent/dist/index.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const ROUNDS = Number(option('rounds', 8));
const SECONDS = Number(option('seconds', 2));
const CONCURRENCY = Number(option('concurrency', 50));
const MAX = Number(option('max', 10));
const JSON_OUT = option('json', undefined);

const connection = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  password: process.env.PGPASSWORD,
  database: process.env.PGDATABASE ?? 'test',
};
const bare = new pg.Pool({ ...connection, max: MAX });
const instrumented = new pg.Pool({ ...connection, max: MAX });
const monitor = monitorPool(instrumented, { name: 'bench', leakDetectionThreshold: 2000, logger: { warn() {}, info() {} } });

const MODES = {
  query: (pool) => pool.query('SELECT 1'),
  checkout: async (pool) => {
    const client = await pool.connect();
    try {
      await client.query('SELECT 1');
    } finally {
      client.release();
    }
  },
};

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

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

for (const mode of Object.keys(MODES)) {
  await measure(bare, mode, 0.5); // warm-up: connections opened, JIT
  await measure(instrumented, mode, 0.5);
}

console.log(`SELECT 1, ${CONCURRENCY} callers, pool max ${MAX}, ${ROUNDS} rounds x ${SECONDS} s per variant, node ${process.version}, ${cpus().length} CPUs`);
const rows = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of Object.keys(MODES)) {
    const order = round % 2 === 0 ? ['bare', 'instrumented'] : ['instrumented', 'bare'];
    const row = { round, mode, load1: loadavg()[0] };
    for (const name of order) row[name] = await measure(name === 'bare' ? bare : instrumented, mode, SECONDS);
    row.ratio = row.instrumented.qps / row.bare.qps;
    rows.push(row);
    console.log(
      `round ${round} ${mode.padEnd(8)}: bare ${row.bare.qps.toFixed(0)} q/s (${row.bare.cpuUs.toFixed(1)} us CPU/q), ` +
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
if (monitor.holders().length !== 0) console.log(`unexpected: ${monitor.holders().length} holders left`);

if (JSON_OUT !== undefined) {
  const settings = { rounds: ROUNDS, seconds: SECONDS, concurrency: CONCURRENCY, poolMax: MAX, leakDetectionThreshold: 2000 };
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, memBytes: totalmem(), node: process.version };
  const command = `node benchmarks/pool-pg-throughput.mjs ${args.join(' ')}`.trim();
  writeFileSync(JSON_OUT, `${JSON.stringify({ benchmark: 'pool-pg-throughput', date: new Date().toISOString(), command, machine, settings, summary, rounds: rows }, null, 2)}\n`);
}
monitor.stop();
await Promise.all([bare.end(), instrumented.end()]);
