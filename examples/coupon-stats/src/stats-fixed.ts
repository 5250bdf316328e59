// The fix from the incident: run the statistics in a read-only transaction
// whose helper always ends it and returns the connection, on every path.
import Cursor from 'pg-cursor';
import type pg from 'pg';
import { STATS_SQL, type CouponStat } from './stats-query.js';

export async function withReadOnlyTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failed: unknown;
  try {
    await client.query('BEGIN READ ONLY');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    failed = error;
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    // A client that failed mid-transaction is discarded rather than reused.
    client.release(failed instanceof Error ? failed : undefined);
  }
}

export function topCouponsFixed(pool: pg.Pool, top: number): Promise<CouponStat[]> {
  return withReadOnlyTransaction(pool, async (client) => {
    const cursor = client.query(new Cursor<CouponStat>(STATS_SQL));
    try {
      return await cursor.read(top);
    } finally {
      await cursor.close();
    }
  });
}
