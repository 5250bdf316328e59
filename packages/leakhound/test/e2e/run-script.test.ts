// `--script` replaces autocannon with the user's scenario; `--no-snapshots`
// keeps the verdict on the heap trend alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runCli } from './run-helpers.js';

const service = fileURLToPath(new URL('../run/fixtures/keeps-per-request.mjs', import.meta.url));
const scenario = fileURLToPath(new URL('../run/fixtures/scenario.mjs', import.meta.url));

test('a custom scenario drives the rounds and the per-request leak is found', { timeout: 90_000 }, async () => {
  const result = await runCli(['run', '--script', scenario, '--warmup', '1', '--rounds', '4', '--no-snapshots', '--no-profile', '--', process.execPath, service]);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stderr, /round 4\/4: 600 requests/);
  // A 1,000-character string, an object and an array slot per request.
  const slope = Number(/grows ([\d.]+) B\/request/.exec(result.stdout)?.[1]);
  assert.ok(slope > 300 && slope < 3000, result.stdout);
});
