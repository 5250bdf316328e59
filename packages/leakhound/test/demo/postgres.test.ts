// The embedded PostgreSQL the demo falls back to on a machine without one
// (a user's laptop). Started for real, here even though a local server runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { databaseEnv, demoDatabase, embeddedBinariesBlockedForOthers, startEmbeddedPostgres } from '../../src/demo/postgres.js';
import { LeakhoundError } from '../../src/errors.js';

// As root, PostgreSQL runs as user `postgres`, who needs to reach node_modules.
const blocked = process.getuid?.() === 0 ? embeddedBinariesBlockedForOthers() : null;

test('startEmbeddedPostgres serves queries and removes its directory on stop', { timeout: 120_000, skip: blocked === null ? false : `running as root in a checkout the postgres user cannot enter (${blocked}); the next test checks the error` }, async () => {
  const server = await startEmbeddedPostgres('leakhound_demo_test');
  let dataDir: string | undefined;
  try {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string; dir: string }>('SELECT current_database() AS db, current_setting(\'data_directory\') AS dir');
      assert.equal(rows[0]?.db, 'leakhound_demo_test');
      dataDir = rows[0]?.dir;
      assert.ok(dataDir !== undefined && existsSync(dataDir), `data directory ${dataDir} exists while running`);
    } finally {
      await client.end();
    }
  } finally {
    await server.stop();
  }
  assert.ok(dataDir !== undefined);
  assert.equal(existsSync(dataDir), false, 'the temp directory is removed on stop');
});

test('demoDatabase takes DATABASE_URL, then the PG* variables, without starting anything', async () => {
  const fromUrl = await demoDatabase(() => {}, { DATABASE_URL: 'postgres://u:p%40ss@db.example:6543/shop' });
  assert.equal(fromUrl.source, 'DATABASE_URL');
  assert.equal(fromUrl.env.PGPASSWORD, 'p@ss');
  assert.equal(fromUrl.env.PGPORT, '6543');
  const fromPg = await demoDatabase(() => {}, { PGHOST: 'pg.internal.example', PGUSER: 'app', PGDATABASE: 'coupons' });
  assert.equal(fromPg.source, 'PG environment');
  assert.equal(fromPg.url, 'postgres://app@pg.internal.example:5432/coupons');
  assert.deepEqual(databaseEnv(fromPg.url).PGDATABASE, 'coupons');
});

test('as root in a directory the postgres user cannot enter, the error names the directory', { skip: blocked === null ? 'the embedded binaries are reachable here (the previous test starts the server)' : false }, async () => {
  await assert.rejects(startEmbeddedPostgres('never_started'), (error: unknown) => {
    assert.ok(error instanceof LeakhoundError);
    assert.equal(error.code, 'LH_ERR_EMBEDDED_POSTGRES');
    assert.ok(error.message.includes(blocked ?? '?'), error.message);
    return true;
  });
});
