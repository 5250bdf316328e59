// The incident's bug, in Node: the statistics are read through a cursor, and the
// connection goes back to the pool only when the cursor is read to the end. The
// "top N" path returns as soon as it has N rows: cursor open, connection kept.
// Five calls and a pool of five is out of connections.
import Cursor from 'pg-cursor';
import type pg from 'pg';
import { STATS_SQL, type CouponStat } from './stats-query.js';

export async function topCouponsLeaky(pool: pg.Pool, top: number): Promise<CouponStat[]> {
  const client = await pool.connect(); // LEAK: borrowed here, not returned on the early-return path
  const cursor = client.query(new Cursor<CouponStat>(STATS_SQL));
  const rows = await cursor.read(top);
  if (rows.length < top) {
    // The "terminating" path: the cursor is exhausted, so it is closed and the client released.
    await cursor.close();
    client.release();
    return rows;
  }
  return rows;
}
