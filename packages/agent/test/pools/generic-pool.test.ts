import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import genericPool from 'generic-pool';
import pg from 'pg';
import { monitorPool } from '../../src/pools/monitor.js';
import { runWithContext } from '../../src/context/request-context.js';
import { getPostgres, stopPostgres, type PostgresConfig } from '../helpers/postgres.js';
import { lineOf, recordingLogger, waitFor } from './support.js';

let config: PostgresConfig;
before(async () => {
  config = await getPostgres();
});
after(stopPostgres);

function clientPool(options: genericPool.Options): genericPool.Pool<pg.Client> {
  const { embedded: _embedded, ...connection } = config;
  return genericPool.createPool<pg.Client>(
    {
      create: async () => {
        const client = new pg.Client(connection);
        await client.connect();
        return client;
      },
      destroy: (client) => client.end(),
    },
    options,
  );
}

async function takeClient(pool: genericPool.Pool<pg.Client>): Promise<pg.Client> {
  const client = await pool.acquire(); // MARK:generic-acquire
  await client.query('SELECT 1');
  return client;
}

test('generic-pool around pg.Client: leak reported at the acquire, unleak on release, timeout error carries holders', { timeout: 15_000 }, async () => {
  const pool = clientPool({ max: 2, acquireTimeoutMillis: 300 });
  const logger = recordingLogger();
  const monitor = monitorPool(pool, { name: 'generic', leakDetectionThreshold: 200, logger });
  try {
    const first = await runWithContext({ label: 'report job' }, () => takeClient(pool));
    const second = await takeClient(pool);
    const warning = await waitFor('two leak warnings', () => logger.matching(/^Connection leak detection/).length === 2 && logger.matching(/^Connection leak detection/));
    const line = lineOf(import.meta.url, 'MARK:generic-acquire');
    assert.match(warning[0] ?? '', /^Connection leak detection triggered for pool "generic" connection #1, held \d+ ms by report job, borrowed at:\n {4}at takeClient \(/);
    assert.match(warning[0] ?? '', new RegExp(`generic-pool\\.test\\.ts:${line}:`));
    assert.deepEqual(monitor.stats(), { total: 2, active: 2, idle: 0, waiting: 0, max: 2 });

    const error = await pool.acquire().then(() => assert.fail('should time out'), (e: unknown) => e as Error);
    assert.equal(error.name, 'TimeoutError');
    assert.match(error.message, /^ResourceRequest timed out \[leakhound: pool "generic" \(total=2, active=2, idle=0, waiting=\d\); holders, oldest first: #1 held \d+ ms by report job at .*generic-pool\.test\.ts:\d+:\d+; #2 held/);

    await pool.release(first);
    await pool.destroy(second);
    assert.equal(logger.matching(/^Previously reported leaked connection #\d of pool "generic" was returned after \d+ ms$/).length, 2);
    assert.deepEqual(monitor.holders(), []);
    // Double release still fails exactly as generic-pool makes it fail.
    await assert.rejects(pool.release(first), /Resource not currently part of this pool/);
    assert.equal(await pool.use((client) => client.query('SELECT 2 AS n').then((r) => r.rows[0].n as number)), 2);
    assert.deepEqual(monitor.holders(), []);
  } finally {
    monitor.stop();
    await pool.drain();
    await pool.clear();
  }
  assert.equal(Object.prototype.hasOwnProperty.call(pool, 'acquire'), false);
});
