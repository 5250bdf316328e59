import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import knexFactory, { type Knex } from 'knex';
import { monitorPool } from '../../src/pools/monitor.js';
import { runWithContext } from '../../src/context/request-context.js';
import { getPostgres, stopPostgres, type PostgresConfig } from '../helpers/postgres.js';
import { lineOf, recordingLogger, waitFor } from './support.js';

let config: PostgresConfig;
before(async () => {
  config = await getPostgres();
});
after(stopPostgres);

function knexOf(): Knex {
  const { embedded: _embedded, ...connection } = config;
  return knexFactory({ client: 'pg', connection, pool: { min: 0, max: 2 }, acquireConnectionTimeout: 400 });
}

async function openTransaction(db: Knex): Promise<Knex.Transaction> {
  const trx = await db.transaction(); // MARK:knex-trx
  await trx.raw('SELECT 1');
  return trx;
}

test('knex on pg (tarn events): a transaction never committed is reported with its context; a timeout logs the holders', { timeout: 20_000 }, async () => {
  const db = knexOf();
  const logger = recordingLogger();
  const monitor = monitorPool(db, { name: 'knex', leakDetectionThreshold: 200, logger });
  const open: Knex.Transaction[] = [];
  try {
    assert.equal(monitor.kind, 'knex');
    // Well-behaved traffic: nothing to report.
    for (let i = 0; i < 10; i++) await db.raw('SELECT 1');
    await db.transaction(async (trx) => trx.raw('SELECT 1'));
    assert.deepEqual(monitor.holders(), []);

    const trx = await runWithContext({ method: 'PUT', url: '/coupons/7', route: '/coupons/:id' }, () => openTransaction(db));
    open.push(trx);
    const warning = await waitFor('leak warning', () => logger.matching(/^Connection leak detection/)[0]);
    assert.match(warning, /^Connection leak detection triggered for pool "knex" connection #\d+, held \d+ ms by PUT \/coupons\/:id, borrowed at:\n {4}at /);
    // knex borrows for a transaction on a later tick; the site captured at db.transaction() is reported.
    assert.match(warning.split('\n')[1] ?? '', new RegExp(`^ {4}at openTransaction \\(.*knex\\.test\\.ts:${lineOf(import.meta.url, 'MARK:knex-trx')}:\\d+\\)$`));
    assert.doesNotMatch(warning, /node_modules\/(knex|tarn)\//);

    const second = await db.transaction();
    open.push(second);
    const error = await db.raw('SELECT 1').then(() => assert.fail('pool is full'), (e: unknown) => e as Error);
    assert.equal(error.name, 'KnexTimeoutError');
    const exhausted = logger.matching(/could not lend/)[0] ?? '';
    assert.match(exhausted, /^Pool "knex" exhausted: could not lend a connection: .* after \d+ ms \(total=2, active=2, idle=0, waiting=\d\); holders, oldest first:\n {4}#\d+ held \d+ ms by PUT \/coupons\/:id at .*knex\.test\.ts:\d+:\d+\n {4}#\d+ held \d+ ms/);

    await trx.rollback();
    await second.commit();
    open.length = 0;
    await waitFor('unleak notice', () => logger.matching(/^Previously reported leaked connection/)[0]);
    assert.equal(monitor.stats().active, 0);
  } finally {
    monitor.stop();
    // tarn's destroy waits for lent connections: give them back even when an assertion failed.
    for (const trx of open) await trx.rollback().catch(() => {});
    await db.destroy();
  }
});

test('knex with captureStacks false: a transaction left open is reported with its route and no stack (none captured at db.transaction())', { timeout: 20_000 }, async () => {
  const db = knexOf();
  const logger = recordingLogger();
  const monitor = monitorPool(db, { name: 'knex-nostack', leakDetectionThreshold: 150, captureStacks: false, logger });
  let trx: Knex.Transaction | undefined;
  try {
    trx = await runWithContext({ method: 'POST', url: '/coupons' }, () => openTransaction(db));
    const warning = await waitFor('leak warning', () => logger.matching(/^Connection leak detection/)[0]);
    assert.match(warning, /^Connection leak detection triggered for pool "knex-nostack" connection #\d+, held \d+ ms by POST \/coupons \(borrower stack not captured\)$/);
    assert.deepEqual(monitor.holders()[0]?.stack, []);
  } finally {
    monitor.stop();
    await trx?.rollback().catch(() => {});
    await db.destroy();
  }
});
