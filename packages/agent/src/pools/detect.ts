// Which adapter fits a pool object. Checked by shape (duck typing), not by
// instanceof, so any installed copy/version of a library is recognized.
import { LeakhoundAgentError } from '../errors.js';
import { GenericPoolAdapter, isGenericPool } from './generic-pool.js';
import { MariadbPoolAdapter, isMariadbPool } from './mariadb.js';
import { Mysql2PoolAdapter, mysql2CorePool } from './mysql2.js';
import { PgPoolAdapter, isPgPool } from './pg.js';
import { TarnPoolAdapter, isTarnPool, knexClientOf } from './tarn.js';
import type { PoolAdapter } from './types.js';

export const SUPPORTED_POOLS = 'pg.Pool, mysql2 pools (createPool from "mysql2" or "mysql2/promise"), mariadb pools (createPool), generic-pool (createPool), tarn Pool, and knex instances';

export function adapterFor(pool: unknown): PoolAdapter {
  if (isPgPool(pool)) return new PgPoolAdapter(pool);
  const knexClient = knexClientOf(pool);
  if (knexClient !== undefined) return new TarnPoolAdapter(knexClient.pool, 'knex', knexClient);
  if (isTarnPool(pool)) return new TarnPoolAdapter(pool);
  // mariadb before mysql2: both have getConnection(), only mariadb has the count methods.
  if (isMariadbPool(pool)) return new MariadbPoolAdapter(pool);
  const mysql2 = mysql2CorePool(pool);
  if (mysql2 !== undefined) return new Mysql2PoolAdapter(mysql2);
  if (isGenericPool(pool)) return new GenericPoolAdapter(pool);
  throw new LeakhoundAgentError('LH_ERR_POOL_UNSUPPORTED', `monitorPool: ${describe(pool)} is not a pool leakhound can observe; supported: ${SUPPORTED_POOLS}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') return `a ${typeof value}`;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? `an instance of ${name}` : 'this object';
}
