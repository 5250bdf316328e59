import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../helpers/graph-builder.js';
import { writeLeakySnapshot } from '../helpers/leaky-program.js';
import { fromRawSnapshot } from '../../src/heap/raw.js';
import { parseSnapshotFile } from '../../src/heap/parser.js';
import { sourceLocation, constructorOf, formatLocation } from '../../src/heap/locations.js';
import { className } from '../../src/heap/names.js';
import type { HeapSnapshot } from '../../src/heap/snapshot.js';

test('closures resolve script ids through shared -> script; lines and columns become 1-based', () => {
  const g = new GraphBuilder();
  const fn = g.node('closure', 'handleRequest', 64);
  const shared = g.node('code', 'handleRequest', 40);
  const script = g.node('code', 'file:///srv/app/routes.js', 80);
  g.edge(fn, shared, 'internal', 'shared').edge(shared, script, 'internal', 'script_or_debug_info');
  g.location(fn, 42, 9, 4);
  // An instance whose own record is missing: found through map -> back_pointer -> constructor.
  const ctor = g.node('closure', 'Session', 64);
  const ctorShared = g.node('code', 'Session', 40);
  g.edge(ctor, ctorShared, 'internal', 'shared').edge(ctorShared, script, 'internal', 'script_or_debug_info');
  g.location(ctor, 42, 0, 0);
  const instance = g.node('object', 'Session', 48);
  const map = g.node('object shape', 'system / Map', 80);
  const rootMap = g.node('object shape', 'system / Map', 80);
  g.edge(instance, map, 'internal', 'map').edge(map, rootMap, 'internal', 'back_pointer').edge(rootMap, ctor, 'internal', 'constructor');
  // A script id with no closure to name it.
  const orphan = g.node('closure', 'eval', 64);
  g.location(orphan, 77, 0, 5);
  const plain = g.node('string', 'no location', 20);
  const snap = fromRawSnapshot(g.toRaw());
  assert.deepEqual(sourceLocation(snap, fn), { url: 'file:///srv/app/routes.js', line: 10, column: 5 });
  assert.equal(constructorOf(snap, instance), ctor);
  assert.deepEqual(sourceLocation(snap, instance), { url: 'file:///srv/app/routes.js', line: 1, column: 1 });
  assert.deepEqual(sourceLocation(snap, orphan), { url: 'script #77', line: 1, column: 6 });
  assert.equal(sourceLocation(snap, plain), null);
  assert.equal(formatLocation({ url: 'a.js', line: 3, column: 7 }), 'a.js:3:7');
});

test('location records in any order are found (radix-sorted index, ordinals above 16 bits)', () => {
  const g = new GraphBuilder();
  const fns: number[] = [];
  for (let i = 0; i < 70_000; i++) fns.push(g.node('closure', `f${i}`, 8));
  // Reverse order, as V8 does not promise node order.
  for (let i = fns.length - 1; i >= 0; i--) g.location(fns[i]!, 3, i, i % 80);
  const snap = fromRawSnapshot(g.toRaw());
  for (const i of [0, 1, 65_535, 65_536, 69_999]) {
    assert.deepEqual(sourceLocation(snap, fns[i]!), { url: 'script #3', line: i + 1, column: (i % 80) + 1 });
  }
  assert.equal(sourceLocation(snap, g.root), null);
});

test('a node with two records answers with the first; script names are the first nameable closure\'s, whatever is asked first', () => {
  const build = (): { snap: HeapSnapshot; twice: number; unnamed: number; named: number; orphan: number } => {
    const g = new GraphBuilder();
    const script = g.node('code', 'file:///srv/app/jobs.js', 80);
    // Script 9: its first closure has no code to follow, the second one names it.
    const unnamed = g.node('closure', 'first', 64);
    const named = g.node('closure', 'second', 64);
    const shared = g.node('code', 'second', 40);
    g.edge(named, shared, 'internal', 'shared').edge(shared, script, 'internal', 'script_or_debug_info');
    g.location(unnamed, 9, 3, 0).location(named, 9, 7, 2);
    // Two records for one node: the first one counts.
    const twice = g.node('closure', 'twice', 64);
    g.location(twice, 9, 20, 1).location(twice, 9, 30, 1);
    // Script 5 has no closure that leads to a script.
    const orphan = g.node('closure', 'orphan', 64);
    g.location(orphan, 5, 0, 0);
    return { snap: fromRawSnapshot(g.toRaw()), twice, unnamed, named, orphan };
  };
  const expected = (k: ReturnType<typeof build>) => [
    sourceLocation(k.snap, k.twice), sourceLocation(k.snap, k.unnamed), sourceLocation(k.snap, k.orphan), sourceLocation(k.snap, k.named),
  ];
  const a = build();
  assert.deepEqual(expected(a), [
    { url: 'file:///srv/app/jobs.js', line: 21, column: 2 },
    { url: 'file:///srv/app/jobs.js', line: 4, column: 1 },
    { url: 'script #5', line: 1, column: 1 },
    { url: 'file:///srv/app/jobs.js', line: 8, column: 3 },
  ]);
  // The same answers when the questions come in another order (script 5 first: every record read at once).
  const b = build();
  const orphanFirst = sourceLocation(b.snap, b.orphan);
  assert.deepEqual([sourceLocation(b.snap, b.twice), sourceLocation(b.snap, b.unnamed), orphanFirst, sourceLocation(b.snap, b.named)], expected(a));
});

const leaky = writeLeakySnapshot(200);
after(() => leaky.cleanup());

function first(snap: HeapSnapshot, predicate: (node: number) => boolean): number {
  for (let i = 0; i < snap.nodeCount; i++) if (predicate(i)) return i;
  return -1;
}

test('real Node snapshot: the class and the request handler point at the program file', async () => {
  const snap = await parseSnapshotFile(leaky.snapshotPath);
  const entry = first(snap, (n) => className(snap, n) === 'LeakyEntry');
  const handler = first(snap, (n) => snap.nodeTypeName(n) === 'closure' && snap.nodeNameString(n) === 'handleRequest');
  assert.ok(entry >= 0 && handler >= 0);
  const entryLocation = sourceLocation(snap, entry);
  const handlerLocation = sourceLocation(snap, handler);
  assert.ok(entryLocation && handlerLocation);
  assert.ok(entryLocation.url.endsWith('/leaky-service.mjs'), entryLocation.url);
  // V8 places a class's location at its constructor, a function's at its parameter list.
  assert.equal(entryLocation.line, leaky.lineOf('constructor(id)'));
  assert.equal(handlerLocation.line, leaky.lineOf('function handleRequest'));
  assert.equal(handlerLocation.column, 'function handleRequest'.length + 1);
  // The constructor closure itself is found from the instance.
  const ctor = constructorOf(snap, entry);
  assert.equal(snap.nodeNameString(ctor), 'LeakyEntry');
});
