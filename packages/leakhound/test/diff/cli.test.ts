// `leakhound diff` through the built CLI: exit codes, one-line errors, JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphBuilder } from '../helpers/graph-builder.js';
import type { DiffReport } from '../../src/diff/diff.js';

const cli = fileURLToPath(new URL('../../bin/leakhound.js', import.meta.url));

function snapshotText(entries: number, secret: string): string {
  const g = new GraphBuilder();
  const global = g.node('object', 'global', 40, 5);
  g.edge(g.root, global, 'shortcut', 1);
  const cache = g.node('object', 'Array', 32, 7);
  g.edge(global, cache, 'property', 'sessions');
  for (let i = 0; i < entries; i++) {
    const session = g.node('object', 'Session', 64, 1001 + i * 4);
    const token = g.node('string', `${secret}-${i}`, 32, 1003 + i * 4);
    g.edge(cache, session, 'element', i).edge(session, token, 'property', 'token');
  }
  return g.toJSON();
}

function leakhound(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cli, 'diff', ...args], { encoding: 'utf8', timeout: 60_000 });
}

test('diff CLI: exit 1 with findings (JSON), 0 without, 2 for bad input in one line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lh-diff-cli-'));
  try {
    const files = await Promise.all([5, 25, 45].map(async (n, i) => {
      const file = join(dir, `s${i}.heapsnapshot`);
      await writeFile(file, snapshotText(n, 'Bearer-SECRET'));
      return file;
    }));
    const leak = leakhound([...files, '--json']);
    assert.equal(leak.status, 1, leak.stderr);
    const report = JSON.parse(leak.stdout) as DiffReport;
    assert.equal(report.kind, 'diff');
    assert.equal(report.findings.length, 1);
    assert.deepEqual(report.findings[0]!.collection?.entryCounts, [5, 25, 45]);
    assert.match(report.findings[0]!.summary, /^Array `sessions` gained 40 Session entries \(\+20, \+20 per step\)/);

    const text = leakhound([files[0]!, files[0]!]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /no growth found/);

    const missing = leakhound([files[0]!, join(dir, 'nope.heapsnapshot')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /LH_ERR_FILE_NOT_FOUND/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);

    const usage = leakhound([files[0]!]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /LH_ERR_USAGE/);
    assert.equal(usage.stderr.trim().split('\n').length, 1);

    await writeFile(join(dir, 'bad.heapsnapshot'), '{"snapshot": ');
    const truncated = leakhound([files[0]!, join(dir, 'bad.heapsnapshot')]);
    assert.equal(truncated.status, 2, truncated.stderr);
    assert.equal(truncated.stderr.trim().split('\n').length, 1);

    const { readFile } = await import('node:fs/promises');
    const plainHtml = join(dir, 'plain.html');
    assert.equal(leakhound([...files, '--html', plainHtml]).status, 1);
    assert.ok((await readFile(plainHtml, 'utf8')).includes('Bearer-SECRET'), 'without --redact the values are shown');
    const html = join(dir, 'r.html');
    const redacted = leakhound([...files, '--html', html, '--redact', '--all']);
    assert.equal(redacted.status, 1, redacted.stderr);
    const page = await readFile(html, 'utf8');
    assert.ok(!page.includes('Bearer-SECRET'), 'redacted values are not in the HTML');
    assert.ok(page.includes('Session'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
