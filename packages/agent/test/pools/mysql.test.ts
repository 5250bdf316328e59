// mysql2 (callback and promise APIs) and mariadb pools against the MariaDB on 127.0.0.1:3306.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import mariadb, { type Pool as MariadbPool, type PoolConnection as MariadbConnection } from 'mariadb';
import mariadbCallback, { type PoolConnection as MariadbCallbackConnection } from 'mariadb/callback';
import { monitorPool } from '../../src/pools/monitor.js';
import { runWithContext } from '../../src/context/request-context.js';
import { lineOf, recordingLogger, waitFor } from './support.js';

const SERVER = { host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test' };
let unreachable: string | undefined;

before(async () => {
  try {
    const connection = await mysqlPromise.createConnection({ ...SERVER, connectTimeout: 2000 });
    await connection.end();
  } catch (error) {
    unreachable = error instanceof Error ? error.message : String(error);
  }
});

function borrowCallback(pool: mysql.Pool): Promise<mysql.PoolConnection> {
  return new Promise((resolve, reject) => {
    pool.getConnection((error, connection) => (error ? reject(error) : resolve(connection))); // MARK:mysql2-callback
  });
}

test('mysql2 callback pool: leak with thread id and frame, queued hand-off seen, queue-limit refusal carries holders', { timeout: 15_000 }, async (t) => {
  if (unreachable !== undefined) return t.skip(`MariaDB not reachable at 127.0.0.1:3306: ${unreachable}`);
  const pool = mysql.createPool({ ...SERVER, connectionLimit: 2, queueLimit: 1 });
  const logger = recordingLogger();
  const monitor = monitorPool(pool, { name: 'my-cb', leakDetectionThreshold: 200, logger });
  const held: mysql.PoolConnection[] = [];
  try {
    held.push(await runWithContext({ method: 'GET', url: '/report' }, () => borrowCallback(pool)));
    const warning = await waitFor('leak warning', () => logger.matching(/^Connection leak detection/)[0]);
    const threadId = held[0]?.threadId;
    assert.match(warning, new RegExp(`^Connection leak detection triggered for pool "my-cb" connection #${threadId}, held \\d+ ms by GET /report, borrowed at:\\n {4}at .*mysql\\.test\\.ts:${lineOf(import.meta.url, 'MARK:mysql2-callback')}:`));

    held.push(await borrowCallback(pool));
    // The third borrower queues; the release hands the connection straight to it (no 'acquire' event in mysql2).
    const queued = borrowCallback(pool);
    const refused = await borrowCallback(pool).then(() => assert.fail('queue is full'), (e: unknown) => e as Error);
    assert.match(refused.message, /^Queue limit reached\. \[leakhound: pool "my-cb" \(total=2, active=2, idle=0, waiting=1\); holders, oldest first: #\d+ held \d+ ms by GET \/report at .*mysql\.test\.ts:\d+:\d+; #\d+ held/);
    held.shift()?.release();
    const handedOver = await queued;
    held.push(handedOver);
    assert.match(logger.matching(/^Previously reported/)[0] ?? '', new RegExp(`^Previously reported leaked connection #${threadId} of pool "my-cb" was returned after \\d+ ms$`));
    assert.deepEqual(monitor.holders().map((h) => h.connectionId).sort(), held.map((c) => c.threadId).sort());
    for (const connection of held.splice(0)) connection.release();
    await new Promise<void>((resolve, reject) => pool.query('SELECT 1', (error) => (error ? reject(error) : resolve())));
    assert.deepEqual(monitor.holders(), []);
  } finally {
    for (const connection of held) connection.release();
    monitor.stop();
    await new Promise<void>((resolve) => pool.end(() => resolve()));
  }
  assert.equal(Object.prototype.hasOwnProperty.call(pool, 'getConnection'), false);
});

async function borrowPromise(pool: mysqlPromise.Pool): Promise<mysqlPromise.PoolConnection> {
  const connection = await pool.getConnection(); // MARK:mysql2-promise
  await connection.query('SELECT 1');
  return connection;
}

test('mysql2 promise pool: recognized through its core pool; leak, unleak, pool.query untracked after return', { timeout: 15_000 }, async (t) => {
  if (unreachable !== undefined) return t.skip(`MariaDB not reachable at 127.0.0.1:3306: ${unreachable}`);
  const pool = mysqlPromise.createPool({ ...SERVER, connectionLimit: 3 });
  const logger = recordingLogger();
  const monitor = monitorPool(pool, { name: 'my-promise', leakDetectionThreshold: 200, logger });
  try {
    assert.equal(monitor.kind, 'mysql2');
    await Promise.all(Array.from({ length: 6 }, () => pool.query('SELECT SLEEP(0.01)')));
    assert.deepEqual(monitor.holders(), []);
    const connection = await borrowPromise(pool);
    const warning = await waitFor('leak warning', () => logger.matching(/^Connection leak detection/)[0]);
    assert.match(warning.split('\n')[1] ?? '', new RegExp(`at borrowPromise \\(.*mysql\\.test\\.ts:${lineOf(import.meta.url, 'MARK:mysql2-promise')}:`));
    connection.release();
    assert.equal(logger.matching(/^Previously reported/).length, 1);
    await assert.rejects(pool.query('SELEC 1'), /You have an error in your SQL syntax/);
    assert.deepEqual(monitor.holders(), []);
  } finally {
    monitor.stop();
    await pool.end();
  }
});

async function borrowMariadb(pool: MariadbPool): Promise<MariadbConnection> {
  const connection = await pool.getConnection(); // MARK:mariadb
  await connection.query('SELECT 1');
  return connection;
}

test('mariadb pool: leak at getConnection with thread id, unleak on release, acquire timeout error carries holders', { timeout: 15_000 }, async (t) => {
  if (unreachable !== undefined) return t.skip(`MariaDB not reachable at 127.0.0.1:3306: ${unreachable}`);
  const pool = mariadb.createPool({ ...SERVER, connectionLimit: 2, acquireTimeout: 400, minimumIdle: 0 });
  const logger = recordingLogger();
  const monitor = monitorPool(pool, { name: 'maria', leakDetectionThreshold: 200, logger });
  const held: MariadbConnection[] = [];
  try {
    assert.equal(monitor.kind, 'mariadb');
    held.push(await runWithContext({ method: 'DELETE', url: '/coupons/3' }, () => borrowMariadb(pool)));
    held.push(await borrowMariadb(pool));
    const warnings = await waitFor('two leak warnings', () => logger.matching(/^Connection leak detection/).length === 2 && logger.matching(/^Connection leak detection/));
    assert.match(warnings[0] ?? '', new RegExp(`^Connection leak detection triggered for pool "maria" connection #${held[0]?.threadId}, held \\d+ ms by DELETE /coupons/3, borrowed at:\\n {4}at borrowMariadb \\(.*mysql\\.test\\.ts:${lineOf(import.meta.url, 'MARK:mariadb')}:`));
    const error = await pool.getConnection().then(() => assert.fail('pool is full'), (e: unknown) => e as Error & { code?: string });
    assert.equal(error.code, 'ER_GET_CONNECTION_TIMEOUT');
    assert.match(error.message, /pool timeout: failed to retrieve a connection from pool after \d+ms.* \[leakhound: pool "maria" \(total=2, active=2, idle=0, waiting=\d\); holders, oldest first: #\d+ held \d+ ms by DELETE \/coupons\/3 at .*mysql\.test\.ts:\d+:\d+; #\d+ held/s);
    await held.shift()?.release();
    assert.equal(logger.matching(/^Previously reported leaked connection #\d+ of pool "maria" was returned after \d+ ms$/).length, 1);
    assert.equal(monitor.holders().length, 1);
    assert.deepEqual(await pool.query('SELECT 1 AS n'), [{ n: 1 }]);
  } finally {
    for (const connection of held) await connection.release();
    monitor.stop();
    await pool.end();
  }
});

test('mariadb callback pool: leak at getConnection(cb), return through end(), a missing callback still throws as before', { timeout: 15_000 }, async (t) => {
  if (unreachable !== undefined) return t.skip(`MariaDB not reachable at 127.0.0.1:3306: ${unreachable}`);
  const pool = mariadbCallback.createPool({ ...SERVER, connectionLimit: 2, minimumIdle: 0 });
  const logger = recordingLogger();
  const monitor = monitorPool(pool, { name: 'maria-cb', leakDetectionThreshold: 200, acquireWarningMs: 100, logger });
  try {
    assert.equal(monitor.kind, 'mariadb');
    const connection = await new Promise<MariadbCallbackConnection>((resolve, reject) =>
      pool.getConnection((error, conn) => (error || conn === undefined ? reject(error) : resolve(conn))), // MARK:mariadb-callback
    );
    const warning = await waitFor('leak warning', () => logger.matching(/^Connection leak detection/)[0]);
    assert.match(warning, new RegExp(`^Connection leak detection triggered for pool "maria-cb" connection #${connection.threadId}, held \\d+ ms, borrowed at:\\n {4}at .*mysql\\.test\\.ts:${lineOf(import.meta.url, 'MARK:mariadb-callback')}:`));
    assert.throws(() => (pool.getConnection as unknown as () => void)(), /missing mandatory callback/);
    await new Promise<void>((resolve) => connection.end(() => resolve()));
    assert.deepEqual(monitor.holders(), []);
    assert.equal(logger.matching(/^Previously reported/).length, 1);
    // The failed call above left no wait behind to be reported as a slow borrower.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(logger.matching(/exhausted/), []);
  } finally {
    monitor.stop();
    await new Promise<void>((resolve) => pool.end(() => resolve()));
  }
});
