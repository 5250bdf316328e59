// The HTML report in a real browser: crafted snapshots whose class names,
// property names and string values are XSS payloads go through the built CLI
// (`diff --html`, `analyze --html`), and headless Chromium opens the files
// from disk. Nothing may execute, no element may be injected, the payloads
// must show as text, and the page must work: findings, paths, tree, search.
// Needs Debian's `chromium` (CI installs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { GraphBuilder } from '../helpers/graph-builder.js';

const CHROMIUM = '/usr/bin/chromium';
const cli = fileURLToPath(new URL('../../bin/leakhound.js', import.meta.url));
const outputDir = fileURLToPath(new URL('../../../../.test-output/', import.meta.url));

const PAYLOADS = {
  // Not starting with '<': class names like '<div id=a>' group as '<div>' (DevTools).
  className: 'Evil</script><img src=x onerror=alert(1)>',
  edgeName: '"><svg onload=alert(2)>',
  property: '<img src=x onerror=alert(3)>',
  value: "'; alert(4); // <!-- </script><script>alert(5)</script> \u2028\u2029",
  module: 'javascript:alert(6)',
};

/** Snapshot k of a crafted process whose Map gains 40 entries per step. */
function craftedSnapshot(entries: number): string {
  const g = new GraphBuilder();
  const gc = g.node('synthetic', '(GC roots)', 0, 3);
  g.edge(g.root, gc, 'element', 1);
  const global = g.node('object', 'global', 40, 5);
  g.edge(g.root, global, 'shortcut', 2);
  const fn = g.node('closure', PAYLOADS.module, 64, 7);
  const context = g.node('object', 'system / Context', 48, 9);
  g.edge(global, fn, 'property', 'handler').edge(fn, context, 'internal', 'context');
  const registry = g.node('object', 'Map', 32, 11);
  const table = g.node('array', '', 64 + entries * 24, 13 + entries * 100000);
  g.edge(context, registry, 'context', PAYLOADS.edgeName).edge(registry, table, 'internal', 'table');
  for (let i = 0; i < entries; i++) {
    const value = g.node('object', PAYLOADS.className, 48, 1001 + i * 6);
    const key = g.node('string', `key ${i}`, 24, 1003 + i * 6);
    const secret = g.node('string', PAYLOADS.value, 200, 1005 + i * 6);
    g.edge(table, key, 'internal', String(7 + i * 3)).edge(table, value, 'internal', String(8 + i * 3));
    g.edge(value, secret, 'property', PAYLOADS.property);
  }
  return g.toJSON();
}

function leakhound(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
}

interface Watch {
  dialogs: string[];
  errors: string[];
}

async function open(browser: Browser, file: string): Promise<{ page: Page; watch: Watch }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  const watch: Watch = { dialogs: [], errors: [] };
  page.on('dialog', (dialog) => {
    watch.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') watch.errors.push(message.text());
  });
  page.on('pageerror', (error) => watch.errors.push(error.message));
  // Any request beyond the file itself would be a leak of report data.
  page.on('request', (request) => {
    if (!request.url().startsWith('file://')) watch.errors.push(`network request: ${request.url()}`);
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
  return { page, watch };
}

async function assertInert(page: Page, watch: Watch): Promise<void> {
  // Payloads would have added these elements; the page's own markup has none of them.
  assert.equal(await page.locator('img').count(), 0);
  assert.equal(await page.locator('svg[onload], [onerror], [onload]').count(), 0);
  assert.equal(await page.locator('script').count(), 2);
  assert.deepEqual(watch.dialogs, []);
}

test('HTML reports render crafted snapshot strings as text, work, and run nothing', { timeout: 120_000 }, async (t) => {
  assert.ok(existsSync(CHROMIUM), `this test needs Debian's chromium at ${CHROMIUM} (apt-get install chromium)`);
  const dir = await mkdtemp(join(tmpdir(), 'lh-report-browser-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    await mkdir(outputDir, { recursive: true });
    const files = [10, 50, 90].map((n, i) => join(dir, `s${i}.heapsnapshot`));
    await Promise.all([10, 50, 90].map((n, i) => writeFile(files[i]!, craftedSnapshot(n))));

    await t.test('diff --html', async () => {
      const html = join(dir, 'diff.html');
      const result = leakhound(['diff', ...files, '--html', html]);
      assert.equal(result.status, 1, result.stderr);
      const text = await readFile(html, 'utf8');
      assert.ok(!text.includes('<img'), 'no payload reaches the markup');
      const { page, watch } = await open(browser, html);
      await assertInert(page, watch);
      const finding = page.locator('#lh-findings details.finding').first();
      await finding.waitFor();
      const findingText = await finding.textContent();
      assert.ok(findingText?.includes(`Map \`${PAYLOADS.edgeName}\``), findingText ?? '');
      assert.ok(findingText?.includes(`80 ${PAYLOADS.className} entries`), `the entry class is shown literally: ${findingText}`);
      // The retainer path is visible with its edge names.
      const path = page.locator('#lh-findings ol.path').first();
      assert.ok(await path.isVisible());
      assert.ok((await path.textContent())?.includes('.' + PAYLOADS.edgeName));

      // Expand a dominator-tree node and see its children appear.
      const rows = page.locator('#lh-tree .tnode');
      const before = await rows.count();
      await page.locator('#lh-tree button.toggle[aria-expanded="false"]:not([disabled])').first().click();
      assert.ok((await rows.count()) > before, 'expanding a node shows its children');

      // Search: finds the tree node by its (payload) name and reveals it.
      await page.fill('#lh-search', 'onerror=alert(1)');
      await page.press('#lh-search', 'Enter');
      const hit = page.locator('#lh-results button[data-tree-index]').first();
      await hit.waitFor({ timeout: 5000 });
      assert.ok((await hit.textContent())?.includes(PAYLOADS.className));
      await hit.click();
      const highlighted = page.locator('#lh-tree .tnode.hit');
      assert.equal(await highlighted.count(), 1);
      assert.ok((await highlighted.textContent())?.includes(PAYLOADS.className));
      assert.ok(await page.locator('#lh-findings details.finding').first().isVisible(), 'a matching finding stays visible');
      await page.fill('#lh-search', 'no-such-thing-anywhere');
      await page.press('#lh-search', 'Enter');
      assert.equal(await page.locator('#lh-findings details.finding:visible').count(), 0);
      await page.fill('#lh-search', '');
      await page.press('#lh-search', 'Enter');

      // Histogram: filter and sort.
      await page.fill('#lh-hist-filter', 'onerror');
      const histRows = page.locator('#lh-hist-table tbody tr');
      assert.equal(await histRows.count(), 1);
      assert.equal(await histRows.first().locator('td').first().textContent(), PAYLOADS.className);
      await page.fill('#lh-hist-filter', '');
      await page.dispatchEvent('#lh-hist-filter', 'input');
      await page.locator('#lh-hist-table th[data-key="className"]').click();
      assert.equal(await page.locator('#lh-hist-table th[data-key="className"]').getAttribute('aria-sort'), 'ascending');

      await page.screenshot({ path: join(outputDir, 'report-diff.png'), fullPage: false });
      await assertInert(page, watch);
      assert.deepEqual(watch.errors, []);
      await page.close();
    });

    await t.test('analyze --html --redact', async () => {
      const html = join(dir, 'analyze.html');
      const result = leakhound(['analyze', files[2]!, '--html', html, '--redact', '--suspect-threshold', '5']);
      assert.equal(result.status, 0, result.stderr);
      const text = await readFile(html, 'utf8');
      assert.ok(!text.includes('alert(4)'), 'redacted string values are not in the file at all');
      const { page, watch } = await open(browser, html);
      await assertInert(page, watch);
      assert.ok(await page.locator('#lh-findings details.finding').count() >= 1, 'the leak suspect is listed');
      // Find the redacted value in the tree through search.
      await page.fill('#lh-search', 'chars>');
      await page.press('#lh-search', 'Enter');
      const hit = page.locator('#lh-results button[data-tree-index]').first();
      await hit.waitFor({ timeout: 5000 });
      assert.match((await hit.textContent()) ?? '', /<string, \d+ chars>/);
      await page.screenshot({ path: join(outputDir, 'report-analyze.png'), fullPage: false });
      assert.deepEqual(watch.errors, []);
      await page.close();
    });
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
});
