#!/usr/bin/env node
// Records the "real" part of the corpus: small Node programs (leaky and healthy)
// run for real with the agent's own sampler (built dist), one JSON trace each.
//   npm run build && node packages/agent/test/memory/record-traces.mjs [seconds=60]
//
// Time is compressed on replay: each trace stores timeScale (simulated ms per
// real ms) so a 60 s run stands for 6 h, enough for the detector's default
// windows. Each program forces a full GC every 500 ms, standing in for the major
// GCs a busy service has every few seconds or minutes.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const seconds = Number(process.argv[2] ?? 60);
const here = new URL('.', import.meta.url).pathname;
const dist = new URL('../../dist/memory/sampler.js', import.meta.url).href;

// Each body runs inside `setInterval(request, 1)`-driven "traffic"; `state` is module-level.
const programs = {
  'leak-registry': {
    label: 'leak',
    note: 'incident 1 in Node: a new mapper per request, registered in a module-level Map that never forgets',
    body: `const registry = new Map(); let n = 0;
      function request() { for (let i = 0; i < 12; i++) { const mapper = { id: n, types: new Array(16).fill(n) }; registry.set('TypeMap#' + n++, mapper); } }`,
  },
  'leak-listeners': {
    label: 'leak',
    note: 'a listener added per request to a long-lived EventEmitter and never removed',
    body: `const { EventEmitter } = await import('node:events'); const bus = new EventEmitter(); bus.setMaxListeners(0);
      function request() { for (let i = 0; i < 8; i++) { const ctx = { buf: 'r'.repeat(100 + i) }; bus.on('config', () => ctx.buf.length); } }`,
  },
  'leak-closure-cache': {
    label: 'leak',
    note: 'memoisation keyed by a per-request id: every entry unique, no bound',
    body: `const memo = {}; let n = 0;
      function request() { for (let i = 0; i < 10; i++) { const key = 'req-' + (n++); memo[key] = JSON.parse(JSON.stringify({ key, rows: [1, 2, 3, 4, 5, 6, 7, 8] })); } }`,
  },
  'healthy-lru': {
    label: 'healthy',
    note: 'an LRU cache bounded at 5,000 entries under the same traffic',
    body: `const lru = new Map(); let n = 0;
      function request() { for (let i = 0; i < 12; i++) { const key = 'k' + ((n++ * 7919) % 20000); lru.delete(key); lru.set(key, { key, types: new Array(16).fill(n) }); if (lru.size > 5000) lru.delete(lru.keys().next().value); } }`,
  },
  'healthy-churn': {
    label: 'healthy',
    note: 'heavy short-lived garbage (JSON round trips), nothing retained',
    body: `function request() { let s = 0; for (let i = 0; i < 30; i++) { s += JSON.stringify(JSON.parse(JSON.stringify({ i, list: new Array(50).fill(i) }))).length; } return s; }`,
  },
  'healthy-cache-fill': {
    label: 'healthy',
    note: 'a cache that fills during the first fifth of the run, then stays flat (a one-time step)',
    body: `const cache = new Map(); let n = 0; const stopAt = Date.now() + ${Math.round(seconds * 200)};
      function request() { if (Date.now() < stopAt) for (let i = 0; i < 40; i++) cache.set(n++, { n, v: new Array(16).fill(n) }); else JSON.stringify({ n });}`,
  },
};

function childSource(body) {
  return `
import { MemorySampler } from ${JSON.stringify(dist)};
${body}
const samples = [];
const sampler = new MemorySampler({ minIntervalMs: 0, fallbackAfterMs: 2000, onSample: (s) => samples.push([s.at, s.heapUsed]) });
sampler.start();
const traffic = setInterval(request, 1);
const gcTimer = setInterval(() => globalThis.gc(), 500);
setTimeout(() => {
  clearInterval(traffic); clearInterval(gcTimer); sampler.stop();
  process.stdout.write(JSON.stringify(samples));
}, ${seconds * 1000});
`;
}

function record(name, spec) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', childSource(spec.body)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${name} exited ${code}`));
      const samples = JSON.parse(out);
      const t0 = samples[0]?.[0] ?? 0;
      const timeScale = (6 * 3600) / seconds;
      const trace = {
        name: `recorded-${name}`,
        scenario: `recorded-${spec.label}`,
        label: spec.label,
        source: 'recorded',
        timeScale,
        note: `${spec.note}; ${seconds} s real run on node ${process.version}, replayed x${timeScale} (1 s = ${(timeScale / 60).toFixed(0)} min)`,
        t: samples.map(([at]) => Math.round(at - t0)),
        kb: samples.map(([, heap]) => Math.round(heap / 1024)),
      };
      writeFileSync(join(here, 'corpus', `${trace.name}.json`), JSON.stringify(trace) + '\n');
      console.log(`${trace.name}: ${samples.length} samples, heap ${trace.kb[0]} -> ${trace.kb[trace.kb.length - 1]} KiB`);
      resolve();
    });
    child.on('error', reject);
  });
}

const entries = Object.entries(programs);
for (let i = 0; i < entries.length; i += 3) {
  await Promise.all(entries.slice(i, i + 3).map(([name, spec]) => record(name, spec)));
}
