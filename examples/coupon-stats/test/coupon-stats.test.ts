// The coupon incident end to end: real HTTP into the service, real PostgreSQL behind it.
// Needs `npm run build` first (the service imports @leakhound/agent like any user would).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { createCouponService, type CouponService, type Variant } from '../src/server.js';
import { getPostgres, stopPostgres, type PostgresConfig } from '../../../packages/agent/test/helpers/postgres.js';

let database: PostgresConfig;
before(async () => {
  database = await getPostgres();
});
after(stopPostgres);

interface Recorded {
  warn: (message: string) => void;
  info: (message: string) => void;
  lines: string[];
}

function recorder(): Recorded {
  const lines: string[] = [];
  return { lines, warn: (m) => void lines.push(m), info: (m) => void lines.push(m) };
}

function get(port: number, path: string): { done: Promise<{ status: number; body: string }>; abort: () => void } {
  let request: http.ClientRequest | undefined;
  const done = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
  return { done, abort: () => request?.destroy() };
}

async function waitFor<T>(what: string, check: () => T | undefined | false, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function start(variant: Variant, logger: Recorded, leakDetectionThreshold: number): Promise<{ service: CouponService; port: number }> {
  const { embedded: _embedded, ...connection } = database;
  const service = createCouponService({ variant, database: connection, leakDetectionThreshold, statsInterval: 100, connectionTimeoutMillis: 1500, logger });
  await new Promise<void>((resolve) => service.server.listen(0, '127.0.0.1', resolve));
  return { service, port: (service.server.address() as AddressInfo).port };
}

async function stop(service: CouponService): Promise<void> {
  // Test cleanup only: the leaked clients are still checked out, and pg's end() waits for them.
  const internals = service.pool as unknown as { _clients: pg.PoolClient[]; _idle: Array<{ client: pg.PoolClient }> };
  const idle = new Set(internals._idle.map((item) => item.client));
  for (const client of internals._clients.filter((c) => !idle.has(c))) client.release(true);
  await service.close();
}

const leakyFile = new URL('../src/stats-leaky.ts', import.meta.url);
const borrowLine = readFileSync(leakyFile, 'utf8').split('\n').findIndex((line) => line.includes('LEAK: borrowed here')) + 1;

test('leaky variant: 5 calls exhaust the pool of 5; each held connection is reported at the leaking line with the route', { timeout: 30_000 }, async () => {
  const logger = recorder();
  const { service, port } = await start('leaky', logger, 300);
  const waiting: Array<ReturnType<typeof get>> = [];
  try {
    for (let i = 0; i < 5; i++) {
      const { status, body } = await get(port, '/coupons/stats').done;
      assert.equal(status, 200);
      assert.equal((JSON.parse(body) as unknown[]).length, 10);
    }
    // Two more callers now wait for a connection that never comes back.
    waiting.push(get(port, '/coupons/stats'), get(port, '/coupons/stats'));
    const statsLine = await waitFor('stats line with waiters', () => logger.lines.find((l) => /^coupons - Pool stats \(total=5, active=5, idle=0, waiting=[1-9]\d*\)$/.test(l)));
    assert.ok(statsLine);
    const view = JSON.parse((await get(port, '/pool').done).body) as { stats: { total: number; active: number; idle: number; waiting: number }; holders: Array<{ context: string; frame: string }> };
    assert.deepEqual([view.stats.total, view.stats.active, view.stats.idle], [5, 5, 0]);
    assert.ok(view.stats.waiting > 0);
    assert.equal(view.holders.length, 5);

    const leaks = await waitFor('five leak warnings', () => {
      const found = logger.lines.filter((l) => l.startsWith('Connection leak detection'));
      return found.length === 5 && found;
    });
    const ids = new Set<string>();
    for (const warning of leaks) {
      const match = /^Connection leak detection triggered for pool "coupons" connection #(\d+), held (\d+) ms by GET \/coupons\/stats, borrowed at:\n {4}at topCouponsLeaky \((.*)\)$/m.exec(warning);
      assert.ok(match, warning);
      ids.add(match[1] ?? '');
      assert.ok(Number(match[2]) >= 300);
      assert.match(match[3] ?? '', new RegExp(`examples/coupon-stats/src/stats-leaky\\.ts:${borrowLine}:\\d+$`));
      // The next frame is the route handler; the agent's own frames (HTTP context wrapper) are trimmed.
      assert.match(warning.split('\n')[2] ?? '', /^ {4}at .*examples\/coupon-stats\/src\/server\.ts:\d+:\d+\)$/);
      assert.doesNotMatch(warning, /packages\/agent\//);
    }
    assert.equal(ids.size, 5, 'one warning per held connection');
    for (const holder of view.holders) {
      assert.equal(holder.context, 'GET /coupons/stats');
      assert.match(holder.frame, new RegExp(`stats-leaky\\.ts:${borrowLine}:\\d+$`));
    }

    // pg's own wait limit fires: the waiting callers get the error, with the holders in it.
    const failed = await waiting[0]?.done;
    assert.equal(failed?.status, 503);
    assert.match(failed?.body ?? '', /timeout exceeded when trying to connect \[leakhound: pool \\"coupons\\" \(total=5, active=5, idle=0, waiting=\d\); holders, oldest first: #\d+ held \d+ ms by GET \/coupons\/stats at .*stats-leaky\.ts:\d+:\d+;/);
  } finally {
    for (const request of waiting) request.abort();
    await Promise.allSettled(waiting.map((r) => r.done));
    await stop(service);
  }
});

test('fixed variant: the same load completes, the pool drains back to idle, no warning', { timeout: 30_000 }, async () => {
  const logger = recorder();
  // A wider threshold than the leaky run: a busy machine must not turn a slow but returned query into a warning.
  const { service, port } = await start('fixed', logger, 1000);
  try {
    for (let i = 0; i < 5; i++) assert.equal((await get(port, '/coupons/stats').done).status, 200);
    const more = await Promise.all([get(port, '/coupons/stats').done, get(port, '/coupons/stats').done]);
    assert.deepEqual(more.map((r) => r.status), [200, 200]);
    // Longer than the 1000 ms threshold: a held connection would have been reported by now.
    await sleep(1300);
    assert.deepEqual(logger.lines.filter((l) => /leak|exhausted/i.test(l)), []);
    const view = JSON.parse((await get(port, '/pool').done).body) as { stats: { active: number; waiting: number }; holders: unknown[] };
    assert.deepEqual([view.stats.active, view.stats.waiting, view.holders.length], [0, 0, 0]);
    assert.match(logger.lines.filter((l) => l.includes('Pool stats')).at(-1) ?? '', /^coupons - Pool stats \(total=\d, active=0, idle=\d, waiting=0\)$/);
  } finally {
    await stop(service);
  }
});
