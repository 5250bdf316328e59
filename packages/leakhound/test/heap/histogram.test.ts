import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../helpers/graph-builder.js';
import { fromRawSnapshot } from '../../src/heap/raw.js';
import { computeDominators } from '../../src/heap/dominators.js';
import { classHistogram, type HistogramRow } from '../../src/heap/histogram.js';
import { className, classTable } from '../../src/heap/names.js';

function histogram(g: GraphBuilder): Map<string, HistogramRow> {
  const snap = fromRawSnapshot(g.toRaw());
  const rows = classHistogram(snap, computeDominators(snap, null));
  return new Map(rows.map((r) => [r.className, r]));
}

test('a class nested in itself retains its size once', () => {
  const g = new GraphBuilder();
  const gc = g.node('synthetic', '(GC roots)');
  g.edge(g.root, gc, 'element', 1);
  // head -> n1 -> n2 (a linked list of ListNode), each with a payload string.
  let prev = gc;
  for (let i = 0; i < 3; i++) {
    const node = g.node('object', 'ListNode', 10);
    const payload = g.node('string', `payload ${i}`, 100);
    g.edge(prev, node, 'property', 'next').edge(node, payload, 'property', 'value');
    prev = node;
  }
  // A second, separate ListNode tree under another owner.
  const holder = g.node('object', 'Holder', 5);
  const lone = g.node('object', 'ListNode', 10);
  g.edge(gc, holder, 'property', 'h').edge(holder, lone, 'property', 'n');
  const rows = histogram(g);
  const list = rows.get('ListNode')!;
  assert.equal(list.count, 4);
  assert.equal(list.shallowSize, 40);
  assert.equal(list.retainedSize, 330 + 10, 'the head retains the chain; the lone node counts separately');
  assert.equal(rows.get('(string)')!.count, 3);
  assert.equal(rows.get('(string)')!.retainedSize, 300);
  assert.equal(rows.get('Holder')!.retainedSize, 15);
  // Synthetic nodes have size 0 and are left out, as in DevTools.
  assert.equal(rows.has('(synthetic)'), false);
  // Sorted by retained size, biggest first.
  const sizes = [...rows.values()].map((r) => r.retainedSize);
  assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a));
});

test('class names follow DevTools', () => {
  const g = new GraphBuilder();
  const ids = {
    obj: g.node('object', 'LeakyEntry', 1),
    fn: g.node('closure', 'handle', 1),
    code: g.node('code', 'handle', 1),
    hidden: g.node('hidden', 'system / Foo', 1),
    arr: g.node('array', '(object elements)', 1),
    str: g.node('string', 'hello', 1),
    re: g.node('regexp', '/a/', 1),
    dom: g.node('native', '<div id="x">', 1),
    cons: g.node('concatenated string', 'ab', 1),
  };
  const snap = fromRawSnapshot(g.toRaw());
  const names = Object.fromEntries(Object.entries(ids).map(([k, n]) => [k, className(snap, n)]));
  assert.deepEqual(names, {
    obj: 'LeakyEntry', fn: 'Function', code: '(compiled code)', hidden: '(system)', arr: '(array)',
    str: '(string)', re: 'RegExp', dom: '<div>', cons: '(concatenated string)',
  });
  assert.equal(classTable(snap), classTable(snap), 'computed once per snapshot');
});

test('more than 65,536 classes (class ids outgrow 16 bits)', () => {
  const g = new GraphBuilder();
  const gc = g.node('synthetic', '(GC roots)');
  g.edge(g.root, gc, 'element', 1);
  const count = 70_000;
  for (let i = 0; i < count; i++) g.edge(gc, g.node('object', `Class${i}`, 8), 'element', i);
  const snap = fromRawSnapshot(g.toRaw());
  assert.equal(className(snap, g.nodeCount - 1), `Class${count - 1}`);
  assert.ok(classTable(snap).classOf instanceof Int32Array);
  const rows = classHistogram(snap, computeDominators(snap, null));
  assert.equal(rows.length, count);
  assert.ok(rows.every((r) => r.count === 1 && r.retainedSize === 8));
});
