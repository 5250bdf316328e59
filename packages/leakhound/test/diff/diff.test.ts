import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../helpers/graph-builder.js';
import { fromRawSnapshot } from '../../src/heap/raw.js';
import { CollectionProbe, kindName } from '../../src/diff/collections.js';
import { IdSet } from '../../src/diff/ids.js';
import { diffSnapshots } from '../../src/diff/diff.js';
import { pathSignature } from '../../src/diff/signatures.js';
import type { HeapSnapshot } from '../../src/heap/snapshot.js';

interface Program {
  g: GraphBuilder;
  global: number;
  context: number;
}

/**
 * One snapshot of a tiny "process": the same ids every time for what already
 * existed (V8 keeps an object's id for its whole life), fresh ids for what is new.
 */
function program(): Program {
  const g = new GraphBuilder();
  const gc = g.node('synthetic', '(GC roots)', 0, 3);
  g.edge(g.root, gc, 'element', 1);
  const global = g.node('object', 'global', 40, 5);
  g.edge(g.root, global, 'shortcut', 2);
  const fn = g.node('closure', 'handleRequest', 64, 7);
  const context = g.node('object', 'system / Context', 48, 9);
  g.edge(global, fn, 'property', 'handleRequest').edge(fn, context, 'internal', 'context');
  g.location(fn, 1, 0, 0);
  return { g, global, context };
}

/** A module-level Map `registry` holding `entries` TypeMap values (ids from 1001 on, 4 apart). */
function withRegistry(entries: number, options: { churn?: number; set?: boolean } = {}): HeapSnapshot {
  const { g, context } = program();
  const registry = g.node('object', options.set ? 'Set' : 'Map', 32, 11);
  const table = g.node('array', '', 64 + entries * 24, 13 + entries * 100000);
  g.edge(context, registry, 'context', 'registry').edge(registry, table, 'internal', 'table');
  for (let i = 0; i < entries; i++) {
    const value = g.node('object', 'TypeMap', 48, 1001 + i * 4);
    if (options.set) {
      g.edge(table, value, 'internal', String(7 + i * 2));
    } else {
      const key = g.node('string', `key ${i}`, 24, 1003 + i * 4);
      g.edge(table, key, 'internal', String(7 + i * 3)).edge(table, value, 'internal', String(8 + i * 3));
    }
  }
  // Short-lived garbage-free churn: objects that exist in one snapshot only.
  for (let i = 0; i < (options.churn ?? 0); i++) {
    const temp = g.node('object', 'Temp', 16, 900001 + entries * 1000 + i * 2);
    g.edge(context, temp, 'context', `temp${i}`);
  }
  return fromRawSnapshot(g.toRaw());
}

test('Map and Set entries are counted from the OrderedHash table slots', () => {
  const map = withRegistry(5);
  const probe = new CollectionProbe(map);
  const mapNode = map.nodeId.indexOf(11);
  assert.equal(kindName(probe.kind(mapNode)), 'Map');
  assert.equal(probe.entryCount(mapNode, probe.kind(mapNode)), 5);
  const values: string[] = [];
  probe.forEachEntry(mapNode, probe.kind(mapNode), (entry) => values.push(map.nodeNameString(entry)));
  assert.deepEqual(values, ['TypeMap', 'TypeMap', 'TypeMap', 'TypeMap', 'TypeMap']);

  const set = withRegistry(4, { set: true });
  const setProbe = new CollectionProbe(set);
  const setNode = set.nodeId.indexOf(11);
  assert.equal(kindName(setProbe.kind(setNode)), 'Set');
  assert.equal(setProbe.entryCount(setNode, setProbe.kind(setNode)), 4);
});

test('id sets answer membership by binary search', () => {
  const snap = withRegistry(3);
  const ids = IdSet.fromSnapshot(snap);
  assert.equal(ids.size, snap.nodeCount);
  assert.ok(ids.has(1001) && ids.has(1009) && ids.has(11));
  assert.ok(!ids.has(1013) && !ids.has(2));
});

test('a registry that gains entries in both steps is one finding with its path, counts and entry class', async () => {
  const report = await diffSnapshots([withRegistry(10), withRegistry(40), withRegistry(70)], { minCount: 10 });
  assert.equal(report.findings.length, 1, JSON.stringify(report.findings.map((f) => f.summary)));
  const f = report.findings[0]!;
  assert.equal(f.kind, 'growing-collection');
  assert.deepEqual(f.collection?.entryCounts, [10, 40, 70]);
  assert.deepEqual(f.collection?.addedPerStep, [30, 30]);
  assert.equal(f.collection?.heldAs, 'registry');
  assert.equal(f.collection?.entryClasses[0]?.className, 'TypeMap');
  assert.equal(f.collection?.entryClasses[0]?.count, 60);
  assert.deepEqual(f.path.map((s) => s.edgeName), ['', 'handleRequest', 'context', 'registry']);
  assert.match(f.summary, /^Map `registry` .*gained 60 TypeMap entries \(\+30, \+30 per step\) \(\+[\d.]+ KB retained\) between snapshots and never shrank$/);
  // The new TypeMaps are counted into the collection's finding, not reported twice.
  assert.ok(f.newRetainedSize > 0);
});

test('growth that stops after the target (warm-up) and churn are not findings', async () => {
  const plateau = await diffSnapshots([withRegistry(10), withRegistry(60), withRegistry(60)], { minCount: 10 });
  assert.deepEqual(plateau.findings, []);
  const churn = await diffSnapshots([withRegistry(10, { churn: 30 }), withRegistry(10, { churn: 30 }), withRegistry(10, { churn: 30 })], { minCount: 10 });
  assert.deepEqual(churn.findings, [], JSON.stringify(churn.findings.map((f) => f.summary)));
});

test('with two snapshots, new-and-alive growth is reported', async () => {
  const report = await diffSnapshots([withRegistry(10), withRegistry(50)], { minCount: 10 });
  assert.equal(report.findings.length, 1);
  assert.deepEqual(report.findings[0]!.collection?.entryCounts, [10, 50]);
  assert.match(report.findings[0]!.summary, /gained 40 TypeMap entries \(\+[\d.]+ KB retained\) between the two snapshots$/);
  assert.equal(report.snapshots.length, 2);
});

test('new objects outside a collection are grouped by their path signature', async () => {
  const build = (count: number): HeapSnapshot => {
    const { g, global } = program();
    const holder = g.node('object', 'SessionStore', 32, 21);
    g.edge(global, holder, 'property', 'store');
    // A linked list: each Session points to the next one.
    let previous = holder;
    for (let i = 0; i < count; i++) {
      const session = g.node('object', 'Session', 64, 5001 + i * 2);
      g.edge(previous, session, 'property', 'next');
      previous = session;
    }
    return fromRawSnapshot(g.toRaw());
  };
  const report = await diffSnapshots([build(5), build(25), build(45)], { minCount: 10 });
  assert.equal(report.findings.length, 1, JSON.stringify(report.findings.map((f) => f.signature)));
  const f = report.findings[0]!;
  assert.equal(f.kind, 'new-objects');
  assert.equal(f.className, 'Session');
  assert.deepEqual(f.newPerStep, [20, 20]);
  assert.match(f.summary, /^40 Session objects allocated since the baseline are still alive \(\+20, \+20 per step\) held by SessionStore `store`/);
  // The 45-step list is folded in the report's path.
  assert.ok(f.path.length < 10, String(f.path.length));
});

test('path signatures fold indexes and repeated links', () => {
  assert.equal(
    pathSignature([{ edgeName: 'registry', className: 'Map' }, { edgeName: 'table', className: '(array)' }, { edgeName: '17', className: 'TypeMap' }]),
    'registry:Map > table:(array) > []:TypeMap',
  );
  assert.equal(pathSignature([{ edgeName: 'next', className: 'Node' }, { edgeName: 'next', className: 'Node' }]), 'next:Node');
});

test('fewer than 2 or more than 3 snapshots is a usage error', async () => {
  await assert.rejects(diffSnapshots([withRegistry(1)]), { code: 'LH_ERR_USAGE' });
});

test('collections with one path signature (an array in every session) are one finding', async () => {
  const build = (perSession: number): HeapSnapshot => {
    const { g, global } = program();
    const sessions = g.node('object', 'Array', 32, 15);
    g.edge(global, sessions, 'property', 'sessions');
    for (let s = 0; s < 3; s++) {
      const session = g.node('object', 'Session', 40, 101 + s * 4);
      const history = g.node('object', 'Array', 32, 103 + s * 4);
      g.edge(sessions, session, 'element', s).edge(session, history, 'property', 'history');
      for (let i = 0; i < perSession; i++) {
        const entry = g.node('object', 'Visit', 24, 10001 + s * 10000 + i * 2);
        g.edge(history, entry, 'element', i);
      }
    }
    return fromRawSnapshot(g.toRaw());
  };
  const report = await diffSnapshots([build(5), build(20), build(35)], { minCount: 10 });
  assert.equal(report.findings.length, 1, JSON.stringify(report.findings.map((f) => f.summary)));
  const f = report.findings[0]!;
  assert.equal(f.collection?.similar, 3);
  assert.deepEqual(f.newPerStep, [45, 45]);
  assert.match(f.summary, /^3 Array collections `history` of each Session in Array `sessions` gained/, f.summary);
  assert.match(f.summary, /gained 90 Visit entries together \(\+45, \+45 per step\)/);
});

test('growth under a runtime root (interned strings) is Node-internal: hidden by default, shown by --all', async () => {
  const build = (count: number): HeapSnapshot => {
    const { g } = program();
    const gcRoots = 1; // program() made '(GC roots)' first after the root
    const interned = g.node('synthetic', '(Internalized strings)', 0, 31);
    g.edge(gcRoots, interned, 'element', 4);
    for (let i = 0; i < count; i++) g.edge(interned, g.node('string', `interned ${i}`, 32, 50001 + i * 2), 'element', i);
    return fromRawSnapshot(g.toRaw());
  };
  const snaps = (): HeapSnapshot[] => [build(10), build(40), build(70)];
  const hidden = await diffSnapshots(snaps(), { minCount: 10 });
  assert.deepEqual(hidden.findings, []);
  assert.equal(hidden.summary.hiddenNodeInternal, 1);
  const shown = await diffSnapshots(snaps(), { minCount: 10, all: true });
  assert.equal(shown.findings.length, 1);
  assert.equal(shown.findings[0]!.nodeInternal, true);
  assert.deepEqual(shown.findings[0]!.newPerStep, [30, 30]);
});
