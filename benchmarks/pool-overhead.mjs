#!/usr/bin/env node
// Cost of leakhound's pool monitor per borrow+return, on a generic-pool of
// in-memory resources (so no database or network is in the measurement).
// Three pools measured in the same process, interleaved round by round:
//   bare      generic-pool as is
//   off       monitorPool(pool) with leakDetectionThreshold 0 (no stacks, no timer)
//   on        monitorPool(pool, { leakDetectionThreshold: 60_000 }) (stack + context captured per borrow)
//   adaptive  the same with captureStacks: 'adaptive' (a stack for one borrow in 256 on average while no leak is outstanding and no hold is long)
//   metrics   detection off, metrics into a prom-client Registry (wait_time and use_time histograms per borrow)
// Reports ns per acquire+release (median over rounds, with min/max), and the added cost vs bare.
//
//   node benchmarks/pool-overhead.mjs [--rounds 9] [--ops 20000] [--agent DIR] [--json benchmarks/results/pool-overhead.json]
// Needs `npm run build` (imports packages/agent/dist).
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import genericPool from 'generic-pool';
import { Registry } from 'prom-client';
import { agentEntry, median, option } from './lib/cli.mjs';

// --agent DIR: measure another build of the agent (a built checkout of another commit).
const { monitorPool } = await import(agentEntry(option('agent', undefined)));

const ROUNDS = Number(option('rounds', 9));
const OPS = Number(option('ops', 20000));
const JSON_OUT = option('json', undefined);

function makePool() {
  let id = 0;
  return genericPool.createPool({ create: async () => ({ id: ++id }), destroy: async () => {} }, { max: 4, min: 4 });
}

const pools = {
  bare: makePool(),
  off: makePool(),
  on: makePool(),
  adaptive: makePool(),
  metrics: makePool(),
};
const silent = { warn() {}, info() {} };
const monitors = [
  monitorPool(pools.off, { name: 'off', logger: silent }),
  monitorPool(pools.on, { name: 'on', leakDetectionThreshold: 60_000, logger: silent }),
  monitorPool(pools.adaptive, { name: 'adaptive', leakDetectionThreshold: 60_000, captureStacks: 'adaptive', logger: silent }),
  monitorPool(pools.metrics, { name: 'metrics', registry: new Registry(), logger: silent }),
];

// One borrower at a time: the per-operation path, not queueing, is what is measured.
async function run(pool, ops) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) {
    const resource = await pool.acquire();
    await pool.release(resource);
  }
  return Number(process.hrtime.bigint() - start) / ops;
}

for (const pool of Object.values(pools)) await run(pool, Math.min(OPS, 5000)); // warm-up: JIT and pool minimums

const samples = Object.fromEntries(Object.keys(pools).map((name) => [name, []]));
const names = Object.keys(pools);
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order each round so no variant always runs first after a GC or a neighbour's burst.
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length];
    samples[name].push(await run(pools[name], OPS));
  }
}

const summary = {};
for (const name of names) {
  summary[name] = { medianNs: median(samples[name]), minNs: Math.min(...samples[name]), maxNs: Math.max(...samples[name]) };
}
// Per-round differences give a spread for the added cost that is not inflated by drift between rounds.
const added = {};
for (const name of names.filter((n) => n !== 'bare')) {
  const perRound = samples[name].map((v, i) => v - samples.bare[i]);
  added[name] = { medianNs: summary[name].medianNs - summary.bare.medianNs, perRoundMedianNs: median(perRound), perRoundMinNs: Math.min(...perRound), perRoundMaxNs: Math.max(...perRound) };
}

console.log(`generic-pool in-memory, ${OPS} acquire+release per round, ${ROUNDS} rounds, node ${process.version}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (const name of names) {
  const s = summary[name];
  console.log(`${name.padEnd(5)} median ${s.medianNs.toFixed(0)} ns/op  (min ${s.minNs.toFixed(0)}, max ${s.maxNs.toFixed(0)})`);
}
for (const [name, a] of Object.entries(added)) {
  console.log(`added by monitor, ${name.padEnd(8)}: ${a.medianNs.toFixed(0)} ns/op (per-round median ${a.perRoundMedianNs.toFixed(0)}, range ${a.perRoundMinNs.toFixed(0)}..${a.perRoundMaxNs.toFixed(0)})`);
}

if (JSON_OUT !== undefined) {
  const result = {
    benchmark: 'pool-overhead',
    date: new Date().toISOString(),
    command: `node benchmarks/pool-overhead.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memBytes: totalmem(), node: process.version, loadavg: loadavg() },
    opsPerRound: OPS,
    rounds: ROUNDS,
    summary,
    addedNs: added,
    samples,
  };
  writeFileSync(JSON_OUT, `${JSON.stringify(result, null, 2)}\n`);
}

for (const monitor of monitors) monitor.stop();
for (const pool of Object.values(pools)) {
  await pool.drain();
  await pool.clear();
}
