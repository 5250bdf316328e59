#!/usr/bin/env node
// Writes service-like heap snapshots for the benchmarks.
//
//   node benchmarks/generate-snapshot.mjs --scale small|medium|large [--out FILE] [--series 3] [--force]
//
// A child Node process builds a heap that looks like a long-running HTTP
// service (module-level Maps of sessions and in-flight requests, nested plain
// objects, class instances of several classes, closures, Buffers, many unique
// strings) plus the mapper incident from the product brief: every request
// registers a new TypeMap in a module-level registry that never shrinks, so
// the heap has a real leak suspect. Then it calls v8.writeHeapSnapshot.
//
// With --series N the same process writes N snapshots with growth in between
// (baseline, target, final for `leakhound diff`): V8 object ids are stable
// within one process, so the files can be matched.
//
// Files are cached: when the output (and its .json sidecar) exists it is reused
// unless --force is given. Default output: benchmarks/.data/<scale>.heapsnapshot,
// or <scale>-series-<i>.heapsnapshot for a series.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// units = requests handled before the (first) snapshot; tuned so the written
// file is about 60 MB / 600 MB / 2.4 GB on Node 20 (see docs/benchmarks.md).
// heapMb is the child's --max-old-space-size: live heap plus headroom, since
// the snapshot writer itself allocates outside the JS heap.
export const SCALES = {
  small: { units: 25_000, heapMb: 2048 },
  medium: { units: 265_000, heapMb: 6144 },
  large: { units: 1_050_000, heapMb: 12288 },
};

function parseArgs(argv) {
  const out = { scale: 'small', out: '', series: 1, force: false, child: false, units: 0 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      return value;
    };
    if (arg === '--scale') out.scale = next();
    else if (arg === '--out') out.out = next();
    else if (arg === '--series') out.series = Number(next());
    else if (arg === '--units') out.units = Number(next());
    else if (arg === '--force') out.force = true;
    else if (arg === '--child') out.child = true;
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: generate-snapshot.mjs --scale small|medium|large [--out FILE] [--series N] [--units N] [--force]');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!out.child && !Object.hasOwn(SCALES, out.scale)) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(', ')}`);
  if (!Number.isInteger(out.series) || out.series < 1 || out.series > 5) throw new Error('--series must be 1..5');
  return out;
}

/** The paths a generation writes; the series members get -series-<i>. */
export function outputPaths(scale, series, out) {
  const base = out ? resolve(out) : join(here, '.data', `${scale}${series > 1 ? '-series' : ''}.heapsnapshot`);
  if (series === 1) return [base];
  const stem = base.endsWith('.heapsnapshot') ? base.slice(0, -'.heapsnapshot'.length) : base;
  return Array.from({ length: series }, (_, i) => `${stem.replace(/-series$/, '')}-series-${i + 1}.heapsnapshot`);
}

// ---------------------------------------------------------------------------
// Child: the service-like heap.

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const ROUTES = ['/api/users/:id', '/api/orders/:id', '/api/coupons/:code', '/api/stats/daily', '/api/cart', '/health'];
const ROLES = ['admin', 'user', 'support', 'billing', 'auditor'];
const AGENTS = ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)', 'okhttp/4.12.0', 'Dalvik/2.1.0 (Linux; U; Android 14)', 'curl/8.5.0'];

// A small deterministic PRNG so two runs build the same shape.
let seed = 0x2545f491;
function rand() {
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
function pick(list) { return list[Math.floor(rand() * list.length)]; }
function token(n) {
  let s = '';
  while (s.length < n) s += Math.floor(rand() * 4294967296).toString(36);
  return s.slice(0, n);
}

class UserProfile {
  constructor(id) {
    this.id = id;
    this.name = `user-${id}-${token(6)}`;
    this.email = `u${id}.${token(5)}@example.test`;
    this.roles = [pick(ROLES), pick(ROLES)];
    this.preferences = { locale: rand() < 0.5 ? 'ko-KR' : 'en-US', pushEnabled: rand() < 0.7, lastSeen: Date.now() };
  }
}

class Session {
  constructor(id, user) {
    this.id = `sess-${id}-${token(16)}`;
    this.user = user;
    this.createdAt = Date.now();
    this.attributes = new Map([['csrf', token(24)], ['cartId', `cart-${id}`]]);
    this.history = [];
  }
}

class RequestContext {
  constructor(id, session) {
    this.id = id;
    this.method = pick(METHODS);
    this.route = pick(ROUTES);
    this.url = `${this.route.replace(/:\w+/, String(id))}?trace=${token(10)}`;
    this.headers = {
      'user-agent': pick(AGENTS),
      'x-request-id': `req-${id}-${token(8)}`,
      accept: 'application/json',
      'content-type': 'application/json',
      authorization: `Bearer ${token(32)}`,
    };
    this.session = session;
    this.startedAt = Date.now();
    this.timings = [rand() * 10, rand() * 50, rand() * 5];
    this.payload = rand() < 0.1 ? Buffer.alloc(128 + Math.floor(rand() * 512)) : null;
    const self = this; // eslint-disable-line @typescript-eslint/no-this-alias -- a named closure, as handlers are
    // A per-request closure, the way handlers and callbacks keep their request.
    this.onDone = function onRequestDone(status) { self.status = status; return self.timings.length; };
  }
}

class PropertyMapping {
  constructor(from, to) {
    this.from = from;
    this.to = to;
    this.convert = (value) => (value == null ? value : String(value));
  }
}

// The mapper incident: each request builds a new Mapper, whose constructor
// registers a new TypeMap in a module-level registry that is never cleared.
const typeMapRegistry = new Map();
class TypeMap {
  constructor(id, source, target) {
    this.key = `${source}->${target}#${id}`;
    this.source = source;
    this.target = target;
    this.mappings = [new PropertyMapping('id', 'id'), new PropertyMapping('name', 'displayName'), new PropertyMapping('createdAt', 'created')];
  }
}
class Mapper {
  constructor(id) {
    this.typeMap = new TypeMap(id, 'OrderEntity', 'OrderDto');
    typeMapRegistry.set(this.typeMap.key, this.typeMap);
  }
  map(entity) { return { id: entity.id, displayName: entity.name }; }
}

// The rest of the service's long-lived state.
const users = new Map();
const sessions = new Map();
const recentRequests = new Map(); // bounded: the last N requests
const auditLog = []; // bounded ring of log lines
const metricsByRoute = Object.create(null);
const listeners = [];

function handleRequest(id, recentLimit, sessionCount) {
  const userId = id % Math.max(1, sessionCount);
  let user = users.get(userId);
  if (user === undefined) { user = new UserProfile(userId); users.set(userId, user); }
  let session = sessions.get(userId);
  if (session === undefined) { session = new Session(userId, user); sessions.set(userId, session); }
  const ctx = new RequestContext(id, session);
  if (session.history.length < 8) session.history.push(ctx.url);
  recentRequests.set(id, ctx);
  if (recentRequests.size > recentLimit) recentRequests.delete(recentRequests.keys().next().value);
  const line = `${new Date(ctx.startedAt).toISOString()} ${ctx.method} ${ctx.url} ${ctx.headers['x-request-id']}`;
  if (auditLog.length < recentLimit) auditLog.push(line);
  else auditLog[id % recentLimit] = line;
  const metric = (metricsByRoute[ctx.route] ??= { count: 0, latencies: [] });
  metric.count++;
  if (metric.latencies.length < 1000) metric.latencies.push(ctx.timings[0]);
  if (id % 50 === 0) listeners.push(function onConfigChange() { return ctx.id; });
  const mapper = new Mapper(id);
  ctx.onDone(200);
  return mapper.map({ id, name: ctx.url });
}

async function runChild(opts) {
  const v8 = await import('node:v8');
  const paths = JSON.parse(process.env.LH_BENCH_PATHS ?? '[]');
  const units = opts.units;
  // The live set: every request leaves a TypeMap (the leak); a window of
  // recent requests (each holding its session, user, headers, closure) stays.
  const recentLimit = Math.floor(units / 4);
  const sessionCount = Math.floor(units / 8);
  // The state is sized by `units` alone, so a series member and a single
  // snapshot of the same scale have the same bounded structures.
  const steps = [];
  let next = 0;
  for (let s = 0; s < paths.length; s++) {
    // Between series members the service keeps serving one more tenth of the
    // traffic, so the registry grows while the bounded structures churn; a
    // series starts at 90% so its middle member is the scale's size.
    const first = paths.length > 1 ? Math.floor(units * 0.9) : units;
    const until = s === 0 ? first : next + Math.floor(units / 10);
    const t0 = performance.now();
    for (; next < until; next++) handleRequest(next, recentLimit, sessionCount);
    const buildMs = performance.now() - t0;
    const tmp = `${paths[s]}.partial`;
    const t1 = performance.now();
    v8.writeHeapSnapshot(tmp);
    const writeMs = performance.now() - t1;
    renameSync(tmp, paths[s]);
    const step = {
      path: paths[s], requests: next, registrySize: typeMapRegistry.size,
      heapUsedBytes: process.memoryUsage().heapUsed, fileBytes: statSync(paths[s]).size,
      buildSeconds: +(buildMs / 1000).toFixed(1), writeSeconds: +(writeMs / 1000).toFixed(1),
    };
    steps.push(step);
    console.error(`generate: wrote ${step.path} (${(step.fileBytes / 1e6).toFixed(0)} MB, heap ${(step.heapUsedBytes / 1e6).toFixed(0)} MB, write ${step.writeSeconds} s)`);
  }
  // Keep the state reachable up to here so nothing is collected early.
  if (users.size + listeners.length < 0) console.log('unreachable');
  writeFileSync(process.env.LH_BENCH_REPORT ?? '/dev/null', JSON.stringify(steps));
}

// ---------------------------------------------------------------------------
// Parent: caching, child process, sidecar metadata.

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.child) return runChild(opts);
  const scale = SCALES[opts.scale];
  const units = opts.units > 0 ? opts.units : scale.units;
  const paths = outputPaths(opts.scale, opts.series, opts.out);
  const sidecars = paths.map((p) => `${p}.json`);
  if (!opts.force && paths.every((p, i) => existsSync(p) && existsSync(sidecars[i]))) {
    for (const p of paths) console.error(`generate: reusing ${p} (${(statSync(p).size / 1e6).toFixed(0)} MB)`);
    return;
  }
  mkdirSync(dirname(paths[0]), { recursive: true });
  for (const p of [...paths, ...sidecars]) rmSync(p, { force: true });
  const report = `${paths[0]}.steps.tmp`;
  const args = [`--max-old-space-size=${scale.heapMb}`, fileURLToPath(import.meta.url), '--child', '--units', String(units)];
  const started = Date.now();
  // Bounded: a 2.4 GB write takes a few minutes on a busy machine, 40 min is
  // far beyond anything seen and stops a stuck child.
  const code = await new Promise((resolveExit) => {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, LH_BENCH_PATHS: JSON.stringify(paths), LH_BENCH_REPORT: report },
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 40 * 60_000);
    child.on('exit', (c, signal) => { clearTimeout(timer); resolveExit(signal ? `signal ${signal}` : c); });
  });
  if (code !== 0) {
    for (const p of paths) rmSync(`${p}.partial`, { force: true });
    throw new Error(`generator child failed (${code})`);
  }
  const steps = JSON.parse(readFileSync(report, 'utf8'));
  rmSync(report, { force: true });
  steps.forEach((step, i) => {
    const meta = {
      scale: opts.scale, units, series: opts.series, member: i + 1, node: process.version,
      generatedAt: new Date(started).toISOString(), command: `node benchmarks/generate-snapshot.mjs ${process.argv.slice(2).join(' ')}`,
      ...step,
    };
    writeFileSync(sidecars[i], `${JSON.stringify(meta, null, 2)}\n`);
  });
  console.error(`generate: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`generate: ${err.message}`);
    process.exit(1);
  });
}
