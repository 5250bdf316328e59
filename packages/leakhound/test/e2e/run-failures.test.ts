// `leakhound run` exit codes for bad usage (2) and a failing service (3, with
// the tail of its stderr), through the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runCli } from './run-helpers.js';

const crashAfter = fileURLToPath(new URL('../run/fixtures/crash-after.mjs', import.meta.url));
const node = process.execPath;

test('bad usage exits 2 with one line', { timeout: 30_000 }, async () => {
  for (const args of [
    ['run'],
    ['run', '--rounds', '2', '--', node, '-e', '0'],
    ['run', '--url', 'http://example.com/', '--', node, '-e', '0'],
    ['run', '--requests', '10', '--duration', '2', '--', node, '-e', '0'],
    ['run', '--bogus', '--', node, '-e', '0'],
  ]) {
    const result = await runCli(args, { timeoutMs: 20_000 });
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /LH_ERR_USAGE/);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});

test('a service that exits at start-up: exit 3 with its stderr', { timeout: 30_000 }, async () => {
  const result = await runCli(['run', '-q', '--', node, '-e', "console.error('config error: DATABASE_URL is not set'); process.exit(7)"], { timeoutMs: 25_000 });
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /LH_ERR_SERVICE_FAILED/);
  assert.match(result.stderr, /exited with code 7/);
  assert.match(result.stderr, /config error: DATABASE_URL is not set/);
});

test('a service that never listens: exit 3 (LH_ERR_SERVICE_NO_PORT)', { timeout: 30_000 }, async () => {
  const result = await runCli(['run', '-q', '--startup-timeout', '2', '--', node, '-e', "console.error('waiting forever'); setInterval(() => {}, 1000)"], { timeoutMs: 25_000 });
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /LH_ERR_SERVICE_NO_PORT/);
  assert.match(result.stderr, /waiting forever/);
});

test('a command that is not a Node.js service: exit 3 (LH_ERR_AGENT_UNREACHABLE)', { timeout: 30_000 }, async () => {
  const result = await runCli(['run', '-q', '--startup-timeout', '1', '--', 'sleep', '20'], { timeoutMs: 25_000 });
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /LH_ERR_AGENT_UNREACHABLE/);
});

test('a service that crashes under load: exit 3 with the tail of its stderr', { timeout: 60_000 }, async () => {
  const result = await runCli(['run', '-q', '--warmup', '100', '--requests', '200', '--no-snapshots', '--', node, crashAfter], { timeoutMs: 55_000 });
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /LH_ERR_SERVICE_FAILED/);
  assert.match(result.stderr, /exited with code 9 during the run/);
  assert.match(result.stderr, /out of coupons \(simulated crash\)/);
});
