import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../helpers/graph-builder.js';
import { fromRawSnapshot } from '../../src/heap/raw.js';
import { computeDominators } from '../../src/heap/dominators.js';
import { classHistogram, type HistogramRow } from '../../src/heap/histogram.js';
import { className, classTable, classTableInto } from '../../src/heap/names.js';

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

test('the walk equals the definition on random graphs (nests through other classes, leaves, sizes of 0)', () => {
  for (let seed = 1; seed <= 30; seed++) {
    // Seeded (a linear congruential generator), so a failure reproduces.
    let state = seed;
    const pick = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    const g = new GraphBuilder();
    const gc = g.node('synthetic', '(GC roots)');
    g.edge(g.root, gc, 'element', 1);
    const types = ['object', 'object', 'object', 'array', 'string', 'closure', 'hidden'] as const;
    const classes = ['A', 'B', 'C', 'Node'];
    const nodes = [gc];
    const count = 20 + pick(300);
    for (let i = 0; i < count; i++) {
      const type = types[pick(types.length)]!;
      // Sizes of 0 too: such nodes neither count nor hide a nested node of their class.
      const node = g.node(type, classes[pick(classes.length)]!, pick(4) === 0 ? 0 : 1 + pick(100));
      // Mostly trees (deep nests), some shared and some back edges, a few unreachable nodes.
      if (pick(20) !== 0) g.edge(nodes[pick(nodes.length)]!, node, 'property', `p${i}`);
      if (pick(4) === 0) g.edge(nodes[pick(nodes.length)]!, node, 'element', i);
      if (pick(8) === 0) g.edge(node, nodes[pick(nodes.length)]!, 'property', 'back');
      nodes.push(node);
    }
    const snap = fromRawSnapshot(g.toRaw());
    const dom = computeDominators(snap, null);
    const { classOf, names } = classTable(snap);
    // The definition, node by node: count the objects of non-zero size; a
    // class retains what its objects do that have no ancestor of their class
    // (and of non-zero size) in the dominator tree.
    const expected = new Map<string, HistogramRow>();
    for (let n = 0; n < snap.nodeCount; n++) {
      const size = dom.shallowSize[n]!;
      if (size === 0) continue;
      const c = classOf[n]!;
      let nested = false;
      for (let a = n; a !== snap.rootNode && !nested;) {
        a = dom.idom[a]!;
        nested = classOf[a] === c && dom.shallowSize[a] !== 0;
      }
      const row = expected.get(names[c]!) ?? { className: names[c]!, count: 0, shallowSize: 0, retainedSize: 0 };
      row.count++;
      row.shallowSize += size;
      if (!nested) row.retainedSize += dom.retainedSize[n]!;
      expected.set(row.className, row);
    }
    const rows = classHistogram(snap, dom);
    assert.deepEqual(new Map(rows.map((r) => [r.className, r])), expected, `seed ${seed}`);
  }
});

test('class ids computed into a given 16-bit array (the graph worker): the same table, or null past 65,535 classes', () => {
  const small = new GraphBuilder();
  const gc = small.node('synthetic', '(GC roots)');
  small.edge(small.root, gc, 'element', 1);
  for (let i = 0; i < 5; i++) small.edge(gc, small.node('object', `C${i % 3}`, 8), 'element', i);
  const snap = fromRawSnapshot(small.toRaw());
  const into = new Uint16Array(snap.nodeCount);
  const names = classTableInto(snap, into);
  assert.deepEqual(names, classTable(snap).names);
  assert.deepEqual(Array.from(into), Array.from(classTable(snap).classOf));

  const wide = new GraphBuilder();
  const root = wide.node('synthetic', '(GC roots)');
  wide.edge(wide.root, root, 'element', 1);
  for (let i = 0; i < 66_000; i++) wide.edge(root, wide.node('object', `Class${i}`, 8), 'element', i);
  const wideSnap = fromRawSnapshot(wide.toRaw());
  assert.equal(classTableInto(wideSnap, new Uint16Array(wideSnap.nodeCount)), null);
  assert.ok(classTable(wideSnap).classOf instanceof Int32Array, 'the main thread widens the ids instead');
});
