// `leakhound demo` smoke test: the device-price pair end to end (the coupon-stats
// pair runs in run-coupon-stats.test.ts; all four take ~1 minute here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-helpers.js';

test('demo --only device-price: leak then clean, reports written, exit 0', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-demo-'));
  try {
    const result = await runCli(['demo', '--only', 'device-price', '--out-dir', dir]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /ok +device-price-leaky +LEAK/);
    assert.match(result.stdout, /ok +device-price-fixed +CLEAN/);
    for (const name of ['device-price-leaky', 'device-price-fixed']) {
      const html = join(dir, `${name}.html`);
      assert.ok(existsSync(html), html);
      assert.match(readFileSync(html, 'utf8'), /post-GC heap per round/);
      const json = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { verdict: string };
      assert.equal(json.verdict, name.endsWith('leaky') ? 'leak' : 'clean');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('demo --only with no matching scenario is a usage error', { timeout: 30_000 }, async () => {
  const result = await runCli(['demo', '--only', 'nope']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /LH_ERR_USAGE/);
});
