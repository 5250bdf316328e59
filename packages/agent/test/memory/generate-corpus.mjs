#!/usr/bin/env node
// Writes the synthetic part of the labelled memory-trace corpus (corpus/synthetic-*.json).
// Deterministic (seeded), so rerunning it reproduces the committed files byte for byte.
//   node packages/agent/test/memory/generate-corpus.mjs
//   node packages/agent/test/memory/generate-corpus.mjs --seed 5000 --out /tmp/held-out   (same scenarios, other noise: a held-out check)
//
// Model of one trace: a post-GC heap sample at every major GC (Poisson arrivals),
// value = floor(t) + live young garbage (exponential, AR(1)-correlated) + small noise.
// Stored compactly: t in seconds, heap in KiB.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const flag = (name) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : undefined);
const dir = flag('out') ?? join(new URL('.', import.meta.url).pathname, 'corpus');
mkdirSync(dir, { recursive: true });

const MB = 1024 * 1024;
const HOUR = 3600;

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function gauss(r) {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/**
 * floor(tSeconds, r) -> bytes. Returns { t: [...s], kb: [...KiB] }.
 * gcEvery: mean seconds between major GCs; churn: mean live garbage after GC (bytes);
 * noise: gaussian sd (bytes); spikes: probability of a sample caught mid-burst.
 */
function trace({ seed, hours, floor, gcEvery = 90, churn = 2 * MB, noise = 0.5 * MB, spikes = 0.01, spikeSize = 30 * MB }) {
  const r = rng(seed);
  const t = [];
  const kb = [];
  let now = 0;
  let ar = 0;
  const end = hours * HOUR;
  while (now < end) {
    now += -Math.log(Math.max(r(), 1e-9)) * gcEvery;
    if (now >= end) break;
    ar = 0.7 * ar + 0.3 * (-Math.log(Math.max(r(), 1e-9)));
    let v = floor(now, r) + churn * ar + noise * gauss(r);
    if (r() < spikes) v += spikeSize * r();
    t.push(Math.round(now));
    kb.push(Math.max(1024, Math.round(v / 1024)));
  }
  return { t, kb };
}

const traces = [];
function add(scenario, label, params, extra = {}) {
  const { t, kb } = trace(params);
  traces.push({ name: `${scenario}-${traces.filter((x) => x.scenario === scenario).length + 1}`, scenario, label, hours: params.hours, ...extra, t, kb });
}

let seed = Number(flag('seed') ?? 1000);
const s = () => ++seed;

// Healthy --------------------------------------------------------------------
for (const base of [40, 90, 200]) {
  add('flat-noise', 'healthy', { seed: s(), hours: 24, floor: () => base * MB, noise: 1 * MB });
}
add('idle-exact', 'healthy', { seed: s(), hours: 24, floor: () => 30 * MB, churn: 0, noise: 0, spikes: 0, gcEvery: 300 });
for (const [period, amp] of [[20, 15], [45, 30], [90, 40], [240, 60]]) {
  add('sawtooth', 'healthy', { seed: s(), hours: 24, floor: (x) => 80 * MB + amp * MB * ((x % (period * 60)) / (period * 60)) });
}
for (const [at, size] of [[1.5, 40], [3, 80], [7, 25], [12, 120]]) {
  add('step-then-flat', 'healthy', { seed: s(), hours: 24, floor: (x) => (x > at * HOUR ? (size + 70) * MB : 70 * MB) });
}
for (const [minutes, rise] of [[15, 30], [40, 60], [90, 80]]) {
  add('warmup-plateau', 'healthy', { seed: s(), hours: 24, floor: (x) => 50 * MB + rise * MB * Math.min(1, x / (minutes * 60)) });
}
// A cache that fills over hours towards a bound (saturating curve): growth that stops.
for (const [tau, size] of [[1, 60], [2.5, 100]]) {
  add('cache-fill-bounded', 'healthy', { seed: s(), hours: 24, floor: (x) => 60 * MB + size * MB * (1 - Math.exp(-x / (tau * HOUR))) });
}
for (const sd of [8, 15, 25]) {
  add('high-churn', 'healthy', { seed: s(), hours: 24, floor: () => 150 * MB, churn: sd * MB, noise: sd * 0.4 * MB, gcEvery: 30 });
}
for (const gcEvery of [12, 25]) {
  add('gc-heavy-noise', 'healthy', { seed: s(), hours: 24, floor: () => 120 * MB, churn: 6 * MB, noise: 3 * MB, spikes: 0.05, spikeSize: 60 * MB, gcEvery });
}
// Lunch and dinner peaks (the first incident's traffic): requests in flight lift the floor for hours, then it falls back.
for (const amp of [30, 60]) {
  const peak = (x) => {
    const h = (x / HOUR) % 24;
    return Math.exp(-(((h - 12.5) / 1.2) ** 2)) + Math.exp(-(((h - 19) / 1.5) ** 2));
  };
  add('daily-traffic', 'healthy', { seed: s(), hours: 24, floor: (x) => 100 * MB + amp * MB * peak(x), churn: 4 * MB });
}
// Random walk with mean reversion: the floor wanders (fragmentation, caches) but does not trend.
for (let k = 0; k < 2; k++) {
  const r = rng(s());
  let level = 0;
  let lastX = 0;
  add('mean-reverting-wander', 'healthy', {
    seed: s(),
    hours: 24,
    floor: (x) => {
      const dt = (x - lastX) / 60;
      lastX = x;
      for (let i = 0; i < Math.min(dt, 500); i++) level = 0.995 * level + 0.4 * MB * gauss(r);
      return 100 * MB + level;
    },
  });
}

// Leaking --------------------------------------------------------------------
for (const [rate, base, noise] of [[1, 60, 1], [2, 100, 2], [4.1, 150, 2], [10, 200, 4], [40, 120, 5], [120, 80, 5]]) {
  add('linear-leak', 'leak', { seed: s(), hours: 12, floor: (x) => base * MB + (rate * MB * x) / HOUR, noise: noise * MB }, { leakStartS: 0, rateMBh: rate });
}
for (const [start, rate] of [[3, 3], [8, 8]]) {
  add('late-onset-leak', 'leak', { seed: s(), hours: 24, floor: (x) => 90 * MB + (Math.max(0, x - start * HOUR) * rate * MB) / HOUR }, { leakStartS: start * HOUR, rateMBh: rate });
}
for (const [period, amp, rate] of [[30, 20, 3], [60, 40, 5], [120, 30, 2]]) {
  add('sawtooth-growth', 'leak', { seed: s(), hours: 24, floor: (x) => 80 * MB + amp * MB * ((x % (period * 60)) / (period * 60)) + (rate * MB * x) / HOUR }, { leakStartS: 0, rateMBh: rate });
}
for (const [rate, base] of [[0.3, 80], [0.6, 150]]) {
  add('slow-leak-days', 'leak', { seed: s(), hours: 72, floor: (x) => base * MB + (rate * MB * x) / HOUR, gcEvery: 180 }, { leakStartS: 0, rateMBh: rate });
}
for (const rate of [5, 20]) {
  add('leak-high-churn', 'leak', { seed: s(), hours: 12, floor: (x) => 150 * MB + (rate * MB * x) / HOUR, churn: 10 * MB, noise: 4 * MB, gcEvery: 20 }, { leakStartS: 0, rateMBh: rate });
}
// The incident: a per-request registry entry, traffic peaks at lunch and dinner, OOM after ~3.5 days at a 1.4 GB limit.
{
  const load = (h) => 0.15 + Math.exp(-(((h - 12.5) / 1.2) ** 2)) + Math.exp(-(((h - 19) / 1.5) ** 2));
  let acc = 0;
  let lastX = 0;
  add('incident-daily-leak', 'leak', {
    seed: s(),
    hours: 48,
    floor: (x) => {
      acc += ((x - lastX) / HOUR) * load((x / HOUR) % 24) * 28 * MB;
      lastX = x;
      return 110 * MB + acc + 40 * MB * Math.exp(-((((x / HOUR) % 24 - 12.5) / 1.2) ** 2));
    },
    churn: 5 * MB,
    gcEvery: 30,
  }, { leakStartS: 0, rateMBh: 16 });
}

for (const tr of traces) {
  writeFileSync(join(dir, `synthetic-${tr.name}.json`), JSON.stringify(tr) + '\n');
}
console.log(`wrote ${traces.length} synthetic traces to ${dir}`);
