import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { ENV_VARIABLES, parseBytes, parseDuration, parseEnv } from '../src/config.js';

const root = new URL('../../../', import.meta.url).pathname;
const built = existsSync(new URL('../dist/register.js', import.meta.url));
// Runs in the child: the preloaded agent is the one the package exports (same module instance), then stops it.
const probe = `
const { currentAgent } = await import('@leakhound/agent');
const agent = currentAgent();
await agent?.ready;
const res = agent ? await fetch('http://127.0.0.1:' + agent.healthAddress.port + '/health') : null;
console.log(JSON.stringify({ started: agent !== null, http: res?.status, snapshots: agent?.memory()?.snapshots }));
await agent?.stop();
`;

for (const flag of ['--require', '--import']) {
  test(`node ${flag} @leakhound/agent/register starts the agent from LEAKHOUND_* and the process still exits by itself`, { timeout: 30_000, skip: built ? false : 'run npm run build first' }, () => {
    const result = spawnSync(process.execPath, [flag, '@leakhound/agent/register', '--input-type=module', '-e', probe], {
      cwd: root,
      env: { ...process.env, LEAKHOUND_HEALTH_PORT: '0', LEAKHOUND_SNAPSHOT_SIGNAL: 'off', LEAKHOUND_WARMUP: 'oops' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(result.status, 0, result.stderr);
    const line = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { started: boolean; http: number };
    assert.equal(line.started, true);
    assert.equal(line.http, 200);
    assert.match(result.stderr, /LEAKHOUND_WARMUP=oops ignored/);
  });
}

test('LEAKHOUND_ENABLED=0 turns the preload into a no-op', { timeout: 30_000, skip: built ? false : 'run npm run build first' }, () => {
  const result = spawnSync(process.execPath, ['--import', '@leakhound/agent/register', '--input-type=module', '-e', probe], {
    cwd: root,
    env: { ...process.env, LEAKHOUND_ENABLED: '0' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(result.status, 0, result.stderr);
  assert.equal((JSON.parse(result.stdout.trim()) as { started: boolean }).started, false);
});

test('parseEnv maps every documented variable and reports bad values instead of throwing', () => {
  const config = parseEnv({
    LEAKHOUND_WARMUP: '5m',
    LEAKHOUND_MIN_WINDOW: '20m',
    LEAKHOUND_CONFIRM_WINDOW: '2h',
    LEAKHOUND_MAX_WINDOW: '2d',
    LEAKHOUND_MIN_GROWTH: '4MB',
    LEAKHOUND_EVALUATE_INTERVAL: '30s',
    LEAKHOUND_SNAPSHOT_DIR: '/var/tmp/heaps',
    LEAKHOUND_SNAPSHOT_ON_LEAK: 'false',
    LEAKHOUND_SNAPSHOT_HEAP_SHARE: 'off',
    LEAKHOUND_SNAPSHOT_MAX: '3',
    LEAKHOUND_SNAPSHOT_COOLDOWN: '30m',
    LEAKHOUND_SNAPSHOT_SIGNAL: 'SIGUSR1',
    LEAKHOUND_SNAPSHOT_MAX_HEAP: '512MB',
    LEAKHOUND_HEALTH_PORT: '9464',
    LEAKHOUND_HEALTH_HOST: '0.0.0.0',
    LEAKHOUND_DEGRADED_WITHIN: '12h',
    LEAKHOUND_DEGRADED_HEAP_SHARE: '0.95',
  });
  assert.deepEqual(config.warnings, []);
  assert.equal(config.enabled, true);
  assert.deepEqual(config.options, {
    memory: {
      detector: { warmupMs: 300_000, minWindowMs: 1_200_000, confirmWindowMs: 7_200_000, maxWindowMs: 172_800_000, minGrowthBytes: 4 * 1024 * 1024 },
      evaluateIntervalMs: 30_000,
      snapshots: { dir: '/var/tmp/heaps', onLeak: false, heapShare: null, maxCount: 3, cooldownMs: 1_800_000, maxHeapBytes: 512 * 1024 * 1024, signal: 'SIGUSR1' },
      health: { degradedWithinMs: 43_200_000, degradedHeapShare: 0.95 },
    },
    healthServer: { port: 9464, host: '0.0.0.0' },
  });
  const bad = parseEnv({ LEAKHOUND_HEALTH_PORT: '99999', LEAKHOUND_SNAPSHOT_HEAP_SHARE: '2', LEAKHOUND_MEMORY: 'maybe', LEAKHOUND_SNAPSHOT_SIGNAL: 'SIGKILL' });
  assert.equal(bad.warnings.length, 4);
  assert.equal(bad.options.healthServer, undefined);
  assert.deepEqual(parseEnv({ LEAKHOUND_MEMORY: 'off', LEAKHOUND_ENABLED: 'no' }), { enabled: false, options: { memory: false }, warnings: [] });
});

test('durations and sizes', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('1500'), 1500);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.equal(parseDuration('soon'), null);
  assert.equal(parseBytes('2MB'), 2 * 1024 * 1024);
  assert.equal(parseBytes('512k'), 512 * 1024);
  assert.equal(parseBytes('lots'), null);
});

test('docs/configuration.md documents every LEAKHOUND_* variable the agent reads, and only those', () => {
  const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `(LEAKHOUND_[A-Z_]+)` \|/gm)].map((m) => m[1]));
  assert.deepEqual([...documented].sort(), [...ENV_VARIABLES].sort());
  const source = readFileSync(new URL('../src/config.ts', import.meta.url), 'utf8');
  const read = new Set([...source.matchAll(/\b(?:get|bool|duration|share|integer)\('(LEAKHOUND_[A-Z_]+)'/g)].map((m) => m[1]));
  assert.deepEqual([...read].sort(), [...ENV_VARIABLES].sort());
});
