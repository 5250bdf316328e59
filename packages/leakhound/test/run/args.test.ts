import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunArgs } from '../../src/cli/run.js';
import { resolveTargets } from '../../src/run/runner.js';
import { LeakhoundError } from '../../src/errors.js';

test('options before --, the service command after it', () => {
  const parsed = parseRunArgs(['--url', '/a', '--url', 'http://127.0.0.1:8080/b?x=1', '-n', '300', '--header', 'Authorization: Bearer t', '--', 'npm', 'start', '--', '--port', '1']);
  assert.notEqual(parsed, 'help');
  if (parsed === 'help') return;
  assert.deepEqual(parsed.options.command, ['npm', 'start', '--', '--port', '1']);
  assert.deepEqual(parsed.options.urls, ['/a', 'http://127.0.0.1:8080/b?x=1']);
  assert.equal(parsed.options.requests, 300);
  assert.deepEqual(parsed.options.headers, { Authorization: 'Bearer t' });
  assert.equal(parsed.options.rounds, 6);
  assert.equal(parsed.options.thresholdBytesPerRequest, 64);
});

test('usage errors are LH_ERR_USAGE', () => {
  const bad = [
    [],
    ['--url', '/x'],
    ['--rounds', '3', '--', 'x'],
    ['--rounds', '4.5', '--', 'x'],
    ['--requests', '10', '--duration', '1', '--', 'x'],
    ['--header', 'nocolon', '--', 'x'],
    ['--alpha', '0.9', '--', 'x'],
    ['--port', '70000', '--', 'x'],
    ['stray', '--', 'x'],
    ['--json', '/nonexistent-dir-lh/x.json', '--', 'x'],
  ];
  for (const argv of bad) {
    assert.throws(() => parseRunArgs(argv), (e: unknown) => e instanceof LeakhoundError && e.code === 'LH_ERR_USAGE', argv.join(' '));
  }
  assert.equal(parseRunArgs(['--help']), 'help');
});

test('targets: paths and loopback URLs share one port; other hosts are refused', () => {
  assert.deepEqual(resolveTargets([], undefined), { port: undefined, paths: ['/'] });
  assert.deepEqual(resolveTargets(['/a', 'http://localhost:9000/b'], undefined), { port: 9000, paths: ['/a', '/b'] });
  assert.deepEqual(resolveTargets(['/a'], 7000), { port: 7000, paths: ['/a'] });
  for (const [urls, port] of [
    [['http://10.0.0.1:80/'], undefined],
    [['https://127.0.0.1:443/'], undefined],
    [['http://127.0.0.1:1/', 'http://127.0.0.1:2/'], undefined],
    [['http://127.0.0.1:1/'], 2],
    [['not a url'], undefined],
  ] as const) {
    assert.throws(() => resolveTargets([...urls], port), LeakhoundError, urls.join(' '));
  }
});
