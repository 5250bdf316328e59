import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { jsonForScript, renderHtmlReport, escapeHtml } from '../../src/report/html.js';
import { displayName, dominatorTreeExcerpt, type HtmlReportInput } from '../../src/report/html-model.js';
import { GraphBuilder } from '../helpers/graph-builder.js';
import { fromRawSnapshot } from '../../src/heap/raw.js';
import { prepareAnalysis } from '../../src/heap/analysis.js';

const EVIL = '</script><img src=x onerror=alert(1)><!-- & \u2028\u2029 -->';

function input(text: string): HtmlReportInput {
  return {
    kind: 'diff',
    title: text,
    generatedAt: '2026-01-01T00:00:00Z',
    facts: [{ label: text, value: text }],
    findings: [{ title: text, summary: text, bytes: 1, facts: [], locations: [], path: [{ edgeName: text, edgeType: 'property', className: text, nodeType: 'object', nodeId: 1, selfSize: 8, location: text }] }],
    histogram: [{ className: text, count: 1, shallowSize: 1, retainedSize: 1 }],
    tree: null,
    notes: [text],
  };
}

test('embedded JSON cannot end its script element and round-trips exactly', () => {
  const json = jsonForScript({ s: EVIL });
  assert.doesNotMatch(json, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(json), { s: EVIL });
});

test('a report holds snapshot strings only inside the escaped data block', () => {
  const html = renderHtmlReport(input(EVIL));
  // Two script elements (data, code) and no markup from the data.
  assert.equal(html.match(/<script/g)?.length, 2);
  assert.equal(html.match(/<\/script>/g)?.length, 2);
  assert.ok(!html.includes('<img'));
  assert.ok(html.includes(escapeHtml(EVIL)), 'the title is HTML-escaped');
  // The CSP allows exactly the inline script that is in the file.
  const script = html.slice(html.lastIndexOf('<script>') + 8, html.lastIndexOf('</script>'));
  const hash = createHash('sha256').update(script).digest('base64');
  assert.match(html, new RegExp(`script-src 'sha256-${hash.replace(/[+/=]/g, '\\$&')}'`));
  assert.match(html, /default-src 'none'/);
  assert.ok(!/https?:\/\//.test(html.replace('http://www.w3.org/2000/svg', '')), 'nothing is fetched');
});

test('redaction shows a string value as its length; other names stay', () => {
  assert.equal(displayName('secret-token-123', 'string', true), '<string, 16 chars>');
  assert.equal(displayName('secret-token-123', 'string', false), 'secret-token-123');
  assert.equal(displayName('TypeMap', 'object', true), 'TypeMap');
});

test('the dominator tree excerpt is bounded and counts what it leaves out', () => {
  const g = new GraphBuilder();
  const global = g.node('object', 'global', 40);
  g.edge(g.root, global, 'shortcut', 1);
  for (let i = 0; i < 30; i++) {
    const child = g.node('object', `Child${i}`, 100 + i);
    g.edge(global, child, 'property', `c${i}`);
  }
  const snap = fromRawSnapshot(g.toRaw());
  const { dominators } = prepareAnalysis(snap);
  const tree = dominatorTreeExcerpt(snap, dominators, { maxChildren: 10, maxDepth: 5, maxNodes: 100 });
  const globalIndex = tree.name.indexOf('global');
  assert.equal(tree.children[globalIndex]!.length, 10);
  assert.equal(tree.omitted[globalIndex], 20);
  // Biggest first: the kept children are the 10 largest.
  assert.equal(tree.name[tree.children[globalIndex]![0]!], 'Child29');
  assert.equal(tree.omittedSize[globalIndex], Array.from({ length: 20 }, (_, i) => 100 + i).reduce((a, b) => a + b, 0));
});
