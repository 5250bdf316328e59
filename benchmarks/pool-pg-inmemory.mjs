#!/usr/bin/env node
// Cost of leakhound's pool monitor on pg-pool itself, with in-memory clients:
// the real pg.Pool code path (connect wrapper, 'release' event, pool.query's own
// borrow) with a Client class that answers every query on the next microtask, so
// neither PostgreSQL nor the network is in the measurement and what is left is
// the client-side CPU the monitor adds per borrow. CPU bound and single-threaded:
// CPU time per operation is the measure (process.cpuUsage), bare and monitored
// pools interleaved round by round with the order rotated.
//
//   node benchmarks/pool-pg-inmemory.mjs [--rounds 15] [--ops 50000] [--concurrency 50] [--isolate] [--agent DIR]
//                                        [--variants query,checkout,checkout-adaptive,checkout-nostack,query-control,checkout-control] [--json FILE]
// --isolate: each measurement in a fresh child process holding one pool, bare or monitored (in one
// process the monitored pool's patched instance makes pg-pool's code polymorphic for the bare one too).
// *-control variants: A/A, the "monitored" pool is not monitored (the noise floor).
// Needs `npm run build` (imports packages/agent/dist).
import { EventEmitter } from 'node:events';

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { agentEntry, median, option, sliceInChild } from './lib/cli.mjs';

// --agent DIR: measure another build of the agent (e.g. a worktree of an older commit) with the same script.
const { monitorPool, runWithContext } = await import(agentEntry(option('agent', undefined)));


const ROUNDS = Number(option('rounds', 15));
const OPS = Number(option('ops', 50000));
const CONCURRENCY = Number(option('concurrency', 50));
const VARIANTS = option('variants', 'query,checkout,checkout-adaptive,checkout-nostack').split(',');
const JSON_OUT = option('json', undefined);

const RESULT = Object.freeze({ rows: [{ '?column?': 1 }], rowCount: 1 });

/** What pg-pool needs of a client, answering from memory. */
class MemoryClient extends EventEmitter {
  // pg-pool destroys a returned client unless it says it can take more queries.
  _queryable = true;
  _ending = false;
  connect(callback) {
    queueMicrotask(() => callback(undefined));
  }
  query(_text, values, callback) {
    const cb = typeof values === 'function' ? values : callback;
    if (cb === undefined) return Promise.resolve(RESULT);
    queueMicrotask(() => cb(undefined, RESULT));
    return undefined;
  }
  end(callback) {
    queueMicrotask(() => {
      this.emit('end');
      callback?.();
    });
  }
}

const newPool = () => new pg.Pool({ Client: MemoryClient, max: 10 });
const silent = { warn() {}, info() {} };
const MONITOR_OPTIONS = {
  query: { leakDetectionThreshold: 2000 },
  checkout: { leakDetectionThreshold: 2000 },
  'checkout-adaptive': { leakDetectionThreshold: 2000, captureStacks: 'adaptive' },
  'checkout-nostack': { leakDetectionThreshold: 2000, captureStacks: false },
  // A/A controls: the "monitored" pool is not monitored.
  'query-control': null,
  'checkout-control': null,
};
for (const v of VARIANTS) if (!(v in MONITOR_OPTIONS)) throw new Error(`unknown variant ${v}`);

async function viaQuery(pool) {
  await pool.query('SELECT 1');
}
async function viaCheckout(pool) {
  const client = await pool.connect();
  try {
    await client.query('SELECT 1');
  } finally {
    client.release();
  }
}

// CONCURRENCY callers, each inside its own request context (as an HTTP service's handlers are), OPS operations in all.
async function run(pool, op, ops) {
  let left = ops;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const worker = async (i) => {
    await runWithContext({ method: 'GET', route: `/r/${i % 5}` }, async () => {
      while (left-- > 0) await op(pool);
    });
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => worker(i)));
  const used = process.cpuUsage(cpu);
  return { cpuNs: ((used.user + used.system) * 1000) / ops, wallNs: Number(process.hrtime.bigint() - start) / ops };
}


const opOf = (variant) => (variant.startsWith('query') ? viaQuery : viaCheckout);
const monitorIfAsked = (pool, variant) => {
  const options = MONITOR_OPTIONS[variant];
  return options === null ? undefined : monitorPool(pool, { name: variant, logger: silent, ...options });
};

const SLICE = option('slice', undefined);
if (SLICE !== undefined) {
  // Child of --isolate: one pool, one measurement, printed as JSON.
  const pool = newPool();
  if (process.argv.includes('--monitored')) monitorIfAsked(pool, SLICE);
  await run(pool, opOf(SLICE), Math.min(OPS, 20000)); // warm-up
  process.stdout.write(JSON.stringify(await run(pool, opOf(SLICE), OPS)));
  await pool.end();
  process.exit(0);
}
const ISOLATE = process.argv.includes('--isolate');
const here = fileURLToPath(import.meta.url);
const inChild = (variant, monitored) =>
  sliceInChild(here, ['--slice', variant, '--ops', String(OPS), '--concurrency', String(CONCURRENCY), '--variants', variant, ...(monitored ? ['--monitored'] : [])], 120_000);

const results = {};
for (const variant of VARIANTS) {
  const op = opOf(variant);
  const pools = ISOLATE ? {} : { bare: newPool(), monitored: newPool() };
  const monitor = ISOLATE ? undefined : monitorIfAsked(pools.monitored, variant);
  for (const pool of Object.values(pools)) await run(pool, op, Math.min(OPS, 20000)); // warm-up
  const samples = { bare: [], monitored: [] };
  const deltas = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['bare', 'monitored'] : ['monitored', 'bare'];
    const got = {};
    for (const name of order) got[name] = ISOLATE ? await inChild(variant, name === 'monitored') : await run(pools[name], op, OPS);
    samples.bare.push(got.bare.cpuNs);
    samples.monitored.push(got.monitored.cpuNs);
    deltas.push(got.monitored.cpuNs - got.bare.cpuNs);
  }
  monitor?.stop();
  for (const pool of Object.values(pools)) await pool.end();
  const bareNs = median(samples.bare);
  // Mean over all rounds too: a GC pause lands in one pool's slice or the other's, so with many
  // short interleaved slices it averages out, where a median of few long rounds keeps it.
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  results[variant] = {
    bareCpuNs: bareNs,
    monitoredCpuNs: median(samples.monitored),
    addedCpuNs: median(deltas),
    addedPercent: (100 * median(deltas)) / bareNs,
    addedMeanCpuNs: mean(samples.monitored) - mean(samples.bare),
    deltas,
  };
  const r = results[variant];
  console.log(
    `${variant.padEnd(18)} bare ${bareNs.toFixed(0)} ns CPU/op, monitored ${r.monitoredCpuNs.toFixed(0)}, added: median of per-round deltas ${r.addedCpuNs.toFixed(0)} ns (${r.addedPercent.toFixed(1)}%), of means ${r.addedMeanCpuNs.toFixed(0)} ns; per-round deltas ${Math.min(...deltas).toFixed(0)}..${Math.max(...deltas).toFixed(0)}`,
  );
}

if (JSON_OUT) {
  writeFileSync(JSON_OUT, `${JSON.stringify({ benchmark: 'pool-pg-inmemory', command: `node benchmarks/pool-pg-inmemory.mjs ${process.argv.slice(2).join(' ')}`, date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, load: loadavg(), rounds: ROUNDS, ops: OPS, concurrency: CONCURRENCY, isolate: ISOLATE, results }, null, 2)}\n`);
}
