import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import Cursor from 'pg-cursor';
import QueryStream from 'pg-query-stream';
import { Registry } from 'prom-client';
import { monitorPool, listMonitoredPools } from '../../src/pools/monitor.js';
import { runWithContext } from '../../src/context/request-context.js';
import { getPostgres, stopPostgres, type PostgresConfig } from '../helpers/postgres.js';
import { lineOf, recordingLogger, waitFor } from './support.js';

let config: PostgresConfig;
before(async () => {
  config = await getPostgres();
});
after(stopPostgres);

function poolOf(options: pg.PoolConfig = {}): pg.Pool {
  const { embedded: _embedded, ...connection } = config;
  return new pg.Pool({ ...connection, max: 3, ...options });
}

async function borrowAndForget(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect(); // MARK:pg-borrow
  await client.query('SELECT 1');
  return client;
}

test('a connection held past the threshold is reported with route and borrower frame; its return with the total hold time', { timeout: 15_000 }, async () => {
  const pool = poolOf();
  const logger = recordingLogger();
  const leaks: unknown[] = [];
  const monitor = monitorPool(pool, { name: 'coupons', leakDetectionThreshold: 200, logger, onLeak: (report) => leaks.push(report) });
  try {
    const client = await runWithContext({ method: 'GET', url: '/coupons/stats?from=2024' }, () => borrowAndForget(pool));
    const warning = await waitFor('leak warning', () => logger.matching(/^Connection leak detection/)[0]);
    const line = lineOf(import.meta.url, 'MARK:pg-borrow');
    assert.match(warning, /^Connection leak detection triggered for pool "coupons" connection #1, held \d+ ms by GET \/coupons\/stats, borrowed at:\n {4}at /);
    const firstFrame = warning.split('\n')[1] ?? '';
    assert.match(firstFrame, new RegExp(`^ {4}at borrowAndForget \\(.*pg\\.test\\.ts:${line}:\\d+\\)$`));
    assert.doesNotMatch(warning, /node_modules\/pg|node:internal|agent\/src\/pools/);
    const held = Number(/held (\d+) ms/.exec(warning)?.[1]);
    assert.ok(held >= 200, `held ${held}`);
    assert.equal(leaks.length, 1);

    const [holder] = monitor.holders();
    assert.ok(holder);
    assert.equal(holder.leaked, true);
    assert.equal(holder.context, 'GET /coupons/stats');
    assert.match(holder.frame ?? '', new RegExp(`pg\\.test\\.ts:${line}:\\d+$`));

    client.release();
    const unleak = await waitFor('unleak notice', () => logger.matching(/^Previously reported/)[0]);
    assert.match(unleak, /^Previously reported leaked connection #1 of pool "coupons" was returned after \d+ ms$/);
    assert.deepEqual(monitor.holders(), []);
    assert.deepEqual(monitor.stats(), { total: 1, active: 0, idle: 1, waiting: 0, max: 3 });
  } finally {
    monitor.stop();
    await pool.end();
  }
});

test('captureStacks "adaptive" on pg: every leak names its route; once one is outstanding, the next leak names its borrower frame', { timeout: 15_000 }, async () => {
  const pool = poolOf({ max: 4 });
  const logger = recordingLogger();
  const monitor = monitorPool(pool, { name: 'adaptive', leakDetectionThreshold: 150, captureStacks: 'adaptive', logger });
  const line = lineOf(import.meta.url, 'MARK:pg-borrow');
  const leakyRequest = (): Promise<pg.PoolClient> => runWithContext({ method: 'GET', url: '/coupons/stats' }, () => borrowAndForget(pool));
  try {
    // Healthy traffic first: checkouts returned at once, none reported.
    for (let i = 0; i < 50; i++) (await pool.connect()).release();
    const first = await leakyRequest();
    const warning = await waitFor('first leak warning', () => logger.matching(/^Connection leak detection/)[0]);
    assert.match(warning, /^Connection leak detection triggered for pool "adaptive" connection #\d+, held \d+ ms by GET \/coupons\/stats/);
    const second = await leakyRequest();
    const next = await waitFor('second leak warning', () => logger.matching(/^Connection leak detection/)[1]);
    assert.match(next, /held \d+ ms by GET \/coupons\/stats, borrowed at:\n/);
    assert.match(next.split('\n')[1] ?? '', new RegExp(`^ {4}at borrowAndForget \\(.*pg\\.test\\.ts:${line}:\\d+\\)$`));
    first.release();
    second.release();
    await waitFor('two unleak notices', () => logger.matching(/^Previously reported/).length === 2);
    assert.deepEqual(monitor.holders(), []);
  } finally {
    monitor.stop();
    await pool.end();
  }
});

test('connections returned in time produce no warning; pool.query borrows are tracked and returned', { timeout: 15_000 }, async () => {
  const pool = poolOf();
  const logger = recordingLogger();
  const monitor = monitorPool(pool, { name: 'quick', leakDetectionThreshold: 200, logger, statsInterval: 50, statsOnlyWhenChanged: true });
  try {
    for (let i = 0; i < 20; i++) {
      const client = await pool.connect();
      try {
        await client.query('SELECT 1');
      } finally {
        client.release();
      }
    }
    await Promise.all(Array.from({ length: 10 }, () => pool.query('SELECT pg_sleep(0.01)')));
    assert.deepEqual(monitor.holders(), []);
    // A pool.query() borrow is pg-pool's own (it always returns it): tracked with its context, no stack captured.
    const slow = runWithContext({ method: 'GET', url: '/slow' }, () => pool.query('SELECT pg_sleep(0.4)'));
    const longQuery = await waitFor('report of the long pool.query', () => logger.matching(/^Connection leak/)[0]);
    assert.match(longQuery, /^Connection leak detection triggered for pool "quick" connection #\d, held \d+ ms by GET \/slow \(borrowed inside the pool library \(pool\.query\(\) or similar\), no stack captured\)$/);
    await slow;
    assert.equal(logger.matching(/^Previously reported/).length, 1);
    logger.lines.length = 0;
    // Sit past the threshold so a missed release would have been reported.
    await sleep(400);
    assert.deepEqual(logger.matching(/leak/i), []);
    const stats = logger.matching(/ - Pool stats /);
    assert.match(stats.at(-1) ?? '', /^quick - Pool stats \(total=3, active=0, idle=3, waiting=0\)$/);
    // statsOnlyWhenChanged: 400 ms of a quiet pool at a 50 ms interval added no repeated line.
    assert.ok(stats.every((line, i) => i === 0 || line !== stats[i - 1]), stats.join('\n'));
  } finally {
    monitor.stop();
    await pool.end();
  }
});

test('exhaustion: the slow borrower is logged with stats and holders; the pool timeout error carries them too', { timeout: 15_000 }, async () => {
  const pool = poolOf({ max: 2, connectionTimeoutMillis: 400 });
  const logger = recordingLogger();
  const monitor = monitorPool(pool, { name: 'small', acquireWarningMs: 150, logger });
  const held: pg.PoolClient[] = [];
  try {
    held.push(await runWithContext({ method: 'POST', url: '/orders' }, () => borrowAndForget(pool)));
    held.push(await borrowAndForget(pool));
    const error = await pool.connect().then(
      () => assert.fail('third borrow should time out'),
      (e: unknown) => e as Error & { leakhound?: { holders: Array<{ connectionId: number; context?: string }> } },
    );
    assert.match(error.message, /^timeout exceeded when trying to connect \[leakhound: pool "small" \(total=2, active=2, idle=0, waiting=\d\); holders, oldest first: #1 held \d+ ms by POST \/orders at .*pg\.test\.ts:\d+:\d+; #2 held \d+ ms at .*pg\.test\.ts:\d+:\d+\]$/);
    assert.deepEqual(error.leakhound?.holders.map((h) => [h.connectionId, h.context]), [[1, 'POST /orders'], [2, undefined]]);
    const slow = logger.matching(/waited/)[0] ?? '';
    assert.match(slow, /^Pool "small" exhausted: a borrower has waited \d+ ms for a connection \(total=2, active=2, idle=0, waiting=1\); holders, oldest first:\n {4}#1 held \d+ ms by POST \/orders at .*pg\.test\.ts:\d+:\d+\n {4}#2 held/);
    assert.match(logger.matching(/could not lend/)[0] ?? '', /^Pool "small" exhausted: could not lend a connection: timeout exceeded when trying to connect after \d+ ms \(total=2/);
  } finally {
    for (const client of held) client.release();
    monitor.stop();
    await pool.end();
  }
});

test('pool semantics are unchanged: same errors, double release still throws, no extra connections, stop() restores connect', { timeout: 15_000 }, async () => {
  const pool = poolOf({ max: 2 });
  const monitor = monitorPool(pool, { leakDetectionThreshold: 1000 });
  try {
    await assert.rejects(pool.query('SELEC 1'), (e: Error & { code?: string }) => e.code === '42601' && /syntax error/.test(e.message));
    const client = await pool.connect();
    client.release();
    assert.throws(() => client.release(), /Release called on client which has already been released to the pool/);
    await new Promise<void>((resolve, reject) =>
      pool.connect((error, c, release) => {
        if (error || c === undefined) return reject(error);
        release();
        resolve();
      }),
    );
    assert.equal(pool.totalCount, 1);
    assert.equal(listMonitoredPools().includes(monitor), true);
    assert.throws(() => monitorPool(pool), { code: 'LH_ERR_AGENT_OPTIONS' });
  } finally {
    monitor.stop();
  }
  assert.equal(Object.prototype.hasOwnProperty.call(pool, 'connect'), false);
  assert.equal(Object.prototype.hasOwnProperty.call(pool, 'query'), false);
  assert.equal(pool.listenerCount('release'), 0);
  assert.equal(listMonitoredPools().includes(monitor), false);
  await pool.end();
});

async function readOnePage(pool: pg.Pool): Promise<number> {
  const client = await pool.connect(); // MARK:pg-cursor
  const cursor = client.query(new Cursor('SELECT g FROM generate_series(1, 100) g'));
  const rows = await cursor.read(10);
  // Returns with the cursor open and the client never released: the coupon incident's bug.
  return rows.length;
}

test('pg-cursor left open holds its connection and is reported at the borrow; metrics follow (Prometheus)', { timeout: 15_000 }, async () => {
  const pool = poolOf({ max: 2 });
  const logger = recordingLogger();
  const registry = new Registry();
  const monitor = monitorPool(pool, { name: 'cursor', leakDetectionThreshold: 200, logger, registry });
  try {
    assert.equal(await readOnePage(pool), 10);
    const warning = await waitFor('leak warning', () => logger.matching(/^Connection leak detection/)[0]);
    assert.match(warning.split('\n')[1] ?? '', new RegExp(`at readOnePage \\(.*pg\\.test\\.ts:${lineOf(import.meta.url, 'MARK:pg-cursor')}:`));
    const text = await registry.metrics();
    assert.match(text, /db_client_connection_count\{pool="cursor",state="used"\} 1/);
    assert.match(text, /db_client_connection_count\{pool="cursor",state="idle"\} 0/);
    assert.match(text, /db_client_connection_max\{pool="cursor"\} 2/);
    assert.match(text, /db_client_connection_pending_requests\{pool="cursor"\} 0/);
    assert.match(text, /leakhound_pool_leaks_total\{pool="cursor"\} 1/);
    assert.match(text, /db_client_connection_wait_time_seconds_count\{pool="cursor"\} 1/);
  } finally {
    monitor.stop();
    // The leaked client is still checked out; end() would wait for it forever.
    for (const client of (pool as unknown as { _clients: pg.PoolClient[] })._clients) client.release(true);
    await pool.end();
  }
});

async function firstRowOnly(pool: pg.Pool): Promise<unknown> {
  const client = await pool.connect(); // MARK:pg-stream
  const stream = client.query(new QueryStream('SELECT g FROM generate_series(1, 100000) g'));
  // Leaving the loop destroys the stream, but nothing releases the client.
  for await (const row of stream) return row;
  return undefined;
}

test('pg-query-stream abandoned after the first row: the client is reported at its borrow', { timeout: 15_000 }, async () => {
  const pool = poolOf({ max: 2 });
  const logger = recordingLogger();
  const monitor = monitorPool(pool, { name: 'stream', leakDetectionThreshold: 200, logger });
  try {
    assert.deepEqual(await runWithContext({ method: 'GET', url: '/export' }, () => firstRowOnly(pool)), { g: 1 });
    const warning = await waitFor('leak warning', () => logger.matching(/^Connection leak detection/)[0]);
    assert.match(warning, new RegExp(`^Connection leak detection triggered for pool "stream" connection #1, held \\d+ ms by GET /export, borrowed at:\\n {4}at firstRowOnly \\(.*pg\\.test\\.ts:${lineOf(import.meta.url, 'MARK:pg-stream')}:`));
    assert.deepEqual(monitor.stats(), { total: 1, active: 1, idle: 0, waiting: 0, max: 2 });
  } finally {
    monitor.stop();
    for (const client of (pool as unknown as { _clients: pg.PoolClient[] })._clients) client.release(true);
    await pool.end();
  }
});
