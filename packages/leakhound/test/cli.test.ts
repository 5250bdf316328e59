import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../bin/leakhound.js', import.meta.url));

test('--help lists the commands and exits 0', () => {
  const result = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  assert.equal(result.status, 0);
  assert.match(result.stdout, /Usage: leakhound <command>/);
});

test('an unknown command is one line on stderr and exit 2', () => {
  const result = spawnSync(process.execPath, [cli, 'frobnicate'], { encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /unknown command "frobnicate" \(LH_ERR_USAGE\)/);
  assert.equal(result.stderr.trim().split('\n').length, 1);
});
