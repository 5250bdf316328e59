import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../helpers/graph-builder.js';
import { fromRawSnapshot } from '../../src/heap/raw.js';
import { computeRootPaths, edgeSource, pathParent, retainerPath, NO_DISTANCE } from '../../src/heap/paths.js';

function graph(): { g: GraphBuilder; gc: number; global: number } {
  const g = new GraphBuilder();
  const gc = g.node('synthetic', '(GC roots)');
  g.edge(g.root, gc, 'element', 1);
  const global = g.node('object', 'global', 40);
  g.edge(g.root, global, 'shortcut', 2);
  return { g, gc, global };
}

test('paths prefer the user roots over shorter paths through VM roots', () => {
  const { g, gc, global } = graph();
  const handles = g.node('synthetic', '(Global handles)');
  g.edge(gc, handles, 'element', 12);
  const fn = g.node('closure', 'handleRequest', 64);
  const context = g.node('object', 'system / Context', 48);
  const registry = g.node('object', 'Map', 32);
  const table = g.node('array', 'system / OrderedHashMap', 400);
  const entry = g.node('object', 'LeakyEntry', 48);
  g.edge(global, fn, 'property', 'handleRequest');
  g.edge(fn, context, 'internal', 'context');
  g.edge(context, registry, 'context', 'registry');
  g.edge(registry, table, 'internal', 'table');
  g.edge(table, entry, 'element', 3);
  // A handle reaches the entry in two hops; the user-root path is longer but wins.
  g.edge(handles, entry, 'element', 0);
  const snap = fromRawSnapshot(g.toRaw());
  const paths = computeRootPaths(snap);
  const steps = retainerPath(snap, paths, entry);
  assert.deepEqual(steps.map((s) => [s.edgeType, s.edgeName, s.className]), [
    ['', '', 'global'],
    ['property', 'handleRequest', 'Function'],
    ['internal', 'context', 'system / Context'],
    ['context', 'registry', 'Map'],
    ['internal', 'table', '(array)'],
    ['element', '[3]', 'LeakyEntry'],
  ]);
  assert.deepEqual(steps.map((s) => s.name), ['', 'handleRequest', '', '', '', ''], 'closures carry their function name; nothing else does');
  assert.equal(steps.at(-1)!.nodeId, snap.nodeId[entry]);
  assert.equal(steps.at(-1)!.selfSize, 48);
  assert.equal(paths.distance[entry], 6);
  assert.equal(paths.distance[handles], 2, 'system nodes are reached by the second search');
  assert.equal(retainerPath(snap, paths, entry, 2).length, 2, 'maxSteps keeps the steps nearest the node');
  assert.equal(retainerPath(snap, paths, entry, 2).at(-1)!.className, 'LeakyEntry');
});

test('weak edges are not paths; unreachable nodes have none', () => {
  const { g, global } = graph();
  const cache = g.node('object', 'WeakRef', 16);
  const target = g.node('object', 'Target', 100);
  const island = g.node('object', 'Island', 8);
  g.edge(global, cache, 'property', 'cache').edge(cache, target, 'weak', 'target');
  const snap = fromRawSnapshot(g.toRaw());
  const paths = computeRootPaths(snap);
  assert.equal(paths.distance[target], NO_DISTANCE);
  assert.deepEqual(retainerPath(snap, paths, target), []);
  assert.deepEqual(retainerPath(snap, paths, island), []);
  assert.equal(paths.parentNode[target], -1);
  assert.equal(retainerPath(snap, paths, cache).length, 2);
});

test('DevTools distance filters: stale descriptor slots, sloppy_function_map, WeakMap tables', () => {
  const { g, global } = graph();
  const descriptors = g.node('array', '(map descriptors)', 64);
  const viaSlot = g.node('object', 'ViaDescriptorSlot', 8);
  const viaKey = g.node('object', 'ViaKeySlot', 8);
  g.edge(global, descriptors, 'internal', 'descriptors');
  g.edge(descriptors, viaSlot, 'element', 4).edge(descriptors, viaKey, 'element', 5);
  const context = g.node('hidden', 'system / NativeContext', 100);
  const sloppyMap = g.node('object shape', 'system / Map', 80);
  g.edge(global, context, 'internal', 'native_context').edge(context, sloppyMap, 'internal', 'sloppy_function_map');
  const table = g.node('array', 'system / EphemeronHashTable', 100, 901);
  const holder = g.node('object', 'Holder', 8);
  const key = g.node('object', 'Key', 10, 903);
  const value = g.node('object', 'Value', 1000, 905);
  const name = '7 / part of key (Key @903) -> value (Value @905) pair in WeakMap (table @901)';
  g.edge(global, table, 'internal', 'table').edge(table, value, 'internal', name);
  g.edge(global, holder, 'property', 'holder').edge(holder, key, 'property', 'key').edge(key, value, 'internal', name);
  const snap = fromRawSnapshot(g.toRaw());
  const paths = computeRootPaths(snap);
  assert.equal(paths.distance[viaSlot], NO_DISTANCE, 'slot 4 (3k+1) of a descriptor array is skipped');
  assert.equal(paths.distance[viaKey], 3);
  assert.equal(paths.distance[sloppyMap], NO_DISTANCE);
  assert.deepEqual(retainerPath(snap, paths, value).map((s) => s.className), ['global', 'Holder', 'Key', 'Value'], 'through the key, not the table');
});

test('parent nodes come from the parent edges, across nodes without edges', () => {
  const { g, global } = graph();
  // Nodes without outgoing edges between the ones that have some: their
  // edge ranges are empty and must never be taken for an edge's source.
  const leaves = [g.node('number', 'heap number', 16), g.node('string', 'x', 16)];
  const holder = g.node('object', 'Holder', 24);
  const more = [g.node('number', 'heap number', 16), g.node('number', 'heap number', 16)];
  const leaf = g.node('object', 'Leaf', 8);
  g.edge(global, leaves[0]!, 'property', 'a').edge(global, leaves[1]!, 'property', 'b');
  g.edge(global, holder, 'property', 'holder');
  g.edge(holder, more[0]!, 'property', 'n0').edge(holder, more[1]!, 'property', 'n1').edge(holder, leaf, 'property', 'leaf');
  const snap = fromRawSnapshot(g.toRaw());
  const paths = computeRootPaths(snap);
  for (let e = 0; e < snap.edgeCount; e++) {
    const source = edgeSource(snap, e);
    assert.ok(snap.firstEdge[source]! <= e && e < snap.firstEdge[source + 1]!, `edge ${e} leaves node ${source}`);
  }
  assert.equal(pathParent(snap, paths, leaf), holder);
  assert.equal(pathParent(snap, paths, holder), global);
  assert.equal(pathParent(snap, paths, global), snap.rootNode);
  assert.equal(pathParent(snap, paths, snap.rootNode), -1);
  const parentNode = paths.parentNode;
  for (let n = 0; n < snap.nodeCount; n++) assert.equal(parentNode[n], pathParent(snap, paths, n), `node ${n}`);
  assert.deepEqual(retainerPath(snap, paths, leaf).map((s) => s.edgeName), ['', 'holder', 'leaf']);
});
