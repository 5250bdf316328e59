#!/usr/bin/env node
// What each piece of the pool monitor's per-borrow work costs on its own, measured at the
// shape of a real borrow: an async caller inside an AsyncLocalStorage context awaits a
// wrapper `connect()` that does the piece and returns a resolved promise. Every case runs
// the same loop; reported is the median ns per call over interleaved rounds, and the
// difference to the `nothing` case. The stack-capture cases run a second and a third time
// in every round with source-map support on (process.setSourceMapsEnabled, what
// --enable-source-maps does) and with a host Error.prepareStackTrace installed, to see
// whether either is paid at capture time (V8 calls them only when `.stack` is read).
//
//   node benchmarks/pool-capture-cost.mjs [--rounds 15] [--calls 20000] [--json FILE]
// No database, no build needed (only prom-client for the histogram case).
import { AsyncLocalStorage } from 'node:async_hooks';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Histogram, Registry } from 'prom-client';
import { median, option } from './lib/cli.mjs';

const ROUNDS = Number(option('rounds', 15));
const CALLS = Number(option('calls', 20000));
const JSON_OUT = option('json', undefined);
const CONFIGS = {
  '': { enter() {}, leave() {} },
  ', source maps on': { enter: () => process.setSourceMapsEnabled(true), leave: () => process.setSourceMapsEnabled(false) },
  ', prepareStackTrace hook': {
    enter: () => {
      Error.prepareStackTrace = (error, frames) => `${error}\n${frames.map((f) => `    at ${f}`).join('\n')}`;
    },
    leave: () => {
      delete Error.prepareStackTrace;
    },
  },
};

const als = new AsyncLocalStorage();
const map = new Map();
const set = new Set();
const weak = new WeakMap();
const key = {};
weak.set(key, 1);
const histogram = new Histogram({ name: 'bench_wait_seconds', help: 'x', labelNames: ['pool'], buckets: [0.001, 0.01, 0.1, 1], registers: [new Registry()] });

function captureInto(holder, limit, caller) {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = limit;
  Error.captureStackTrace(holder, caller);
  Error.stackTraceLimit = saved;
  return holder;
}
function newError(limit) {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = limit;
  const error = new Error();
  Error.stackTraceLimit = saved;
  return error;
}
const reused = {};

// Each case is the body of the wrapper; `connect` is the wrapper itself (the frame stacks are cut above).
const CASES = {
  nothing: () => undefined,
  'plain object': () => ({ at: 0 }),
  'performance.now()': () => performance.now(),
  'AsyncLocalStorage.getStore()': () => als.getStore(),
  'Map set+delete': () => {
    map.set(key, 1);
    map.delete(key);
  },
  'Set add+delete': () => {
    set.add(key);
    set.delete(key);
  },
  'WeakMap get': () => weak.get(key),
  'closure allocated': () => (x) => x + 1,
  'extra promise hop (.then)': () => Promise.resolve(1).then((v) => v),
  'prom-client histogram observe': () => histogram.observe({ pool: 'p' }, 0.0001),
  'captureStackTrace limit 0': (connect) => captureInto({}, 0, connect),
  'captureStackTrace limit 1': (connect) => captureInto({}, 1, connect),
  'captureStackTrace limit 2': (connect) => captureInto({}, 2, connect),
  'captureStackTrace limit 8': (connect) => captureInto({}, 8, connect),
  'captureStackTrace limit 16': (connect) => captureInto({}, 16, connect),
  'captureStackTrace limit 8, same object again': (connect) => captureInto(reused, 8, connect),
  'new Error() limit 1': () => newError(1),
  'new Error() limit 8': () => newError(8),
};

function wrapperFor(body) {
  return function connect() {
    return Promise.resolve(body(connect));
  };
}
let _sink;
async function user(connect) {
  _sink = await connect();
}
async function loop(connect) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) await user(connect);
  return Number(process.hrtime.bigint() - start) / CALLS;
}
const runs = []; // [name, config, wrapper]
for (const [config, hooks] of Object.entries(CONFIGS)) {
  for (const [name, body] of Object.entries(CASES)) if (config === '' || name.includes('captureStackTrace') || name.includes('Error')) runs.push([`${name}${config}`, hooks, wrapperFor(body)]);
}
const names = runs.map(([name]) => name);
const samples = Object.fromEntries(names.map((name) => [name, []]));
const measure = async ([, hooks, wrapper]) => {
  hooks.enter();
  try {
    return await loop(wrapper);
  } finally {
    hooks.leave();
  }
};
await als.run({ method: 'GET', url: '/bench' }, async () => {
  for (const run of runs) await measure(run); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < runs.length; k++) {
      const run = runs[(round + k) % runs.length];
      samples[run[0]].push(await measure(run));
    }
  }
});

console.log(`per call, median of ${ROUNDS} rounds x ${CALLS} calls, node ${process.version}, load ${loadavg()[0].toFixed(1)}`);
const base = median(samples.nothing);
const summary = {};
for (const name of names) {
  const m = median(samples[name]);
  summary[name] = { medianNs: m, addedNs: m - base, minNs: Math.min(...samples[name]) };
  console.log(`${name.padEnd(70)} ${m.toFixed(0).padStart(6)} ns  (+${(m - base).toFixed(0)})`);
}
if (JSON_OUT !== undefined) {
  writeFileSync(
    JSON_OUT,
    `${JSON.stringify({ benchmark: 'pool-capture-cost', date: new Date().toISOString(), command: `node ${process.execArgv.join(' ')} benchmarks/pool-capture-cost.mjs ${process.argv.slice(2).join(' ')}`.replace(/ +/g, ' ').trim(), machine: { cpus: cpus().length, node: process.version, loadavg: loadavg() }, summary, samples }, null, 2)}\n`,
  );
}
