import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../helpers/graph-builder.js';
import { fromRawSnapshot } from '../../src/heap/raw.js';
import { parseSnapshotBytes } from '../../src/heap/parser.js';
import { buildRetainers } from '../../src/heap/retainers.js';
import {
  applyOwnership, computeDominators, dominatorTreePhase, essentialEdges, essentialEdgesBeforeOwnership, pageOwnedNodes, retainedSizesPhase,
  type Dominators,
} from '../../src/heap/dominators.js';
import type { HeapSnapshot } from '../../src/heap/snapshot.js';
import { analyzeSnapshot } from '../../src/heap/analysis.js';
import { computeRootPaths, retainerPath } from '../../src/heap/paths.js';

/**
 * Every way in: full retainers, the compact essential-only predecessors, and
 * the WebAssembly search (the graph parsed into the kernels' memory,
 * wasm-graph.ts); they must agree.
 */
function analyse(g: GraphBuilder): { snap: HeapSnapshot; dom: Dominators } {
  const snap = fromRawSnapshot(g.toRaw());
  const compact = computeDominators(snap, null);
  // The page-owned rule applied during the search (what `leakhound analyze` runs on big files).
  const deferred = retainedSizesPhase(snap, dominatorTreePhase(snap, null, undefined, essentialEdgesBeforeOwnership(snap)));
  assert.deepEqual(Array.from(deferred.idom), Array.from(compact.idom));
  assert.deepEqual(Array.from(deferred.reachable), Array.from(compact.reachable));
  const full = computeDominators(snap, buildRetainers(snap));
  assert.deepEqual(full.idom, compact.idom);
  assert.deepEqual(full.retainedSize, compact.retainedSize);
  assert.deepEqual(full.reachable, compact.reachable);
  const inKernelMemory = parseSnapshotBytes(Buffer.from(g.toJSON()), { kernels: true });
  assert.ok(inKernelMemory.kernelMemory !== null, 'the graph is in the kernels\' memory');
  const kernel = computeDominators(inKernelMemory, null);
  assert.deepEqual(Array.from(kernel.idom), Array.from(compact.idom));
  const kernelDeferred = dominatorTreePhase(inKernelMemory, null, undefined, essentialEdgesBeforeOwnership(inKernelMemory));
  assert.deepEqual(Array.from(kernelDeferred.idom), Array.from(compact.idom));
  assert.deepEqual(Array.from(kernel.retainedSize), Array.from(compact.retainedSize));
  assert.deepEqual(Array.from(kernel.reachable), Array.from(compact.reachable));
  return { snap, dom: compact };
}

/** root -> (GC roots) -> ..., the shape every V8 snapshot has. */
function withGcRoots(): { g: GraphBuilder; gc: number } {
  const g = new GraphBuilder();
  const gc = g.node('synthetic', '(GC roots)');
  g.edge(g.root, gc, 'element', 1);
  return { g, gc };
}

test('retainers are the reverse edges', () => {
  const { g, gc } = withGcRoots();
  const a = g.node('object', 'A', 10);
  const b = g.node('object', 'B', 10);
  g.edge(gc, a, 'property', 'a').edge(gc, b, 'property', 'b').edge(a, b, 'property', 'x');
  const snap = fromRawSnapshot(g.toRaw());
  const r = buildRetainers(snap);
  const of = (n: number): number[] => Array.from(r.retainerNode.subarray(r.firstRetainer[n]!, r.firstRetainer[n + 1]!)).sort();
  assert.deepEqual(of(b), [gc, a].sort());
  assert.deepEqual(of(a), [gc]);
  assert.deepEqual(of(g.root), []);
  for (let i = 0; i < snap.edgeCount; i++) assert.equal(snap.edgeToNode[r.retainerEdge[i]!] !== undefined, true);
  assert.equal(r.firstRetainer[snap.nodeCount], snap.edgeCount);
});

test('diamond: the join is dominated by the top, not by either side', () => {
  const { g, gc } = withGcRoots();
  const a = g.node('object', 'A', 1);
  const b = g.node('object', 'B', 10);
  const c = g.node('object', 'C', 100);
  const d = g.node('object', 'D', 1000);
  g.edge(gc, a, 'property', 'a').edge(a, b, 'property', 'b').edge(a, c, 'property', 'c');
  g.edge(b, d, 'property', 'd').edge(c, d, 'property', 'd');
  const { dom } = analyse(g);
  assert.equal(dom.idom[d], a);
  assert.equal(dom.idom[b], a);
  assert.equal(dom.idom[c], a);
  assert.equal(dom.idom[a], gc);
  assert.equal(dom.retainedSize[a], 1111);
  assert.equal(dom.retainedSize[b], 10);
  assert.equal(dom.retainedSize[c], 100);
  assert.equal(dom.retainedSize[g.root], 1111);
  assert.equal(dom.unreachableCount, 0);
  const children = Array.from(dom.dominated.subarray(dom.firstDominated[a]!, dom.firstDominated[a + 1]!)).sort();
  assert.deepEqual(children, [b, c, d].sort());
});

test('cycle: each node dominates the next one around the loop', () => {
  const { g, gc } = withGcRoots();
  const a = g.node('object', 'A', 1);
  const b = g.node('object', 'B', 2);
  const c = g.node('object', 'C', 4);
  g.edge(gc, a, 'property', 'a').edge(a, b, 'property', 'n').edge(b, c, 'property', 'n').edge(c, a, 'property', 'n');
  g.edge(c, c, 'property', 'self');
  // Two edges from the DFS parent: only one of them is the tree edge.
  g.edge(a, b, 'property', 'again');
  const { dom } = analyse(g);
  assert.equal(dom.idom[b], a);
  assert.equal(dom.idom[c], b);
  assert.deepEqual([dom.retainedSize[a], dom.retainedSize[b], dom.retainedSize[c]], [7, 6, 4]);
});

test('weak-only retention does not retain; the object is counted as unreachable', () => {
  const { g, gc } = withGcRoots();
  const a = g.node('object', 'A', 10);
  const w = g.node('object', 'WeakTarget', 500);
  const child = g.node('string', 'held by weak target', 7);
  g.edge(gc, a, 'property', 'a').edge(a, w, 'weak', 'w').edge(w, child, 'property', 's');
  const { dom } = analyse(g);
  assert.equal(dom.retainedSize[a], 10);
  assert.equal(dom.reachable[w], 0);
  assert.equal(dom.reachable[child], 0);
  assert.equal(dom.reachable[a], 1);
  assert.equal(dom.idom[w], g.root);
  assert.equal(dom.idom[child], w);
  assert.equal(dom.retainedSize[w], 507);
  assert.equal(dom.unreachableCount, 2);
  assert.equal(dom.unreachableSize, 507);
  // DevTools counts unreachable objects in the root's total; so do we.
  assert.equal(dom.retainedSize[g.root], 517);
});

test('weakly held islands and cliques together, with edges between them and into the heap', () => {
  const { g, gc } = withGcRoots();
  const a = g.node('object', 'A', 1);
  const island = g.node('object', 'Island', 2);
  const inner = g.node('object', 'Inner', 4);
  const p = g.node('object', 'P', 8);
  const q = g.node('object', 'Q', 16);
  g.edge(gc, a, 'property', 'a').edge(a, island, 'weak', 'w').edge(island, inner, 'property', 'i').edge(island, inner, 'property', 'j');
  g.edge(p, q, 'property', 'q').edge(q, p, 'property', 'p').edge(p, inner, 'property', 'x').edge(q, a, 'property', 'a');
  const { dom } = analyse(g);
  // DevTools' quirk, kept for equal numbers: clique members attached to the
  // root do not count the root as a predecessor, so the island (searched
  // first) keeps `inner`. All of this is garbage for the next GC anyway.
  assert.equal(dom.idom[inner], island);
  assert.equal(dom.idom[p], g.root);
  assert.equal(dom.idom[q], g.root);
  assert.equal(dom.retainedSize[island], 6);
  assert.equal(dom.idom[a], gc);
  assert.equal(dom.unreachableCount, 4);
});

test('an unreachable clique hangs under the root, member by member', () => {
  const { g, gc } = withGcRoots();
  const a = g.node('object', 'A', 10);
  g.edge(gc, a, 'property', 'a');
  const p = g.node('object', 'P', 100);
  const q = g.node('object', 'Q', 200);
  const r = g.node('object', 'R', 400);
  g.edge(p, q, 'property', 'q').edge(q, r, 'property', 'r').edge(r, p, 'property', 'p');
  const { dom } = analyse(g);
  for (const n of [p, q, r]) {
    assert.equal(dom.reachable[n], 0);
    assert.equal(dom.idom[n], g.root);
  }
  assert.deepEqual([dom.retainedSize[p], dom.retainedSize[q], dom.retainedSize[r]], [100, 200, 400]);
  assert.equal(dom.unreachableCount, 3);
  assert.equal(dom.unreachableSize, 700);
  assert.equal(dom.retainedSize[a], 10);
});

test('shortcut edges: from the root they mark the global and dominate through it; elsewhere they do not retain', () => {
  const { g, gc } = withGcRoots();
  const global = g.node('object', 'global', 50);
  g.edge(g.root, global, 'shortcut', 'global');
  const handles = g.node('synthetic', '(Global handles)');
  g.edge(gc, handles, 'element', 1);
  const x = g.node('object', 'X', 1000);
  g.edge(global, x, 'property', 'x');
  // A handle also points at X; DevTools ignores edges from non-global-owned
  // nodes into global-owned ones, so X stays dominated by the global.
  g.edge(handles, x, 'element', 1);
  const other = g.node('object', 'Other', 5);
  const y = g.node('object', 'Y', 300);
  g.edge(handles, other, 'element', 2).edge(other, y, 'shortcut', 'y');
  const { snap, dom } = analyse(g);
  assert.equal(dom.idom[global], g.root);
  assert.equal(dom.idom[x], global);
  assert.equal(dom.retainedSize[global], 1050);
  const essential = essentialEdges(snap);
  const edgeFrom = (from: number, to: number): number => {
    for (let e = snap.firstEdge[from]!; e < snap.firstEdge[from + 1]!; e++) if (snap.edgeToNode[e] === to) return e;
    return -1;
  };
  assert.equal(essential[edgeFrom(g.root, global)], 1, 'the root shortcut is essential');
  assert.equal(essential[edgeFrom(handles, x)], 0, 'handle -> global-owned object is not');
  assert.equal(essential[edgeFrom(other, y)], 0, 'a shortcut elsewhere is not');
  assert.equal(essential[edgeFrom(global, x)], 1);
  // Y is held only through a non-root shortcut: not retained by Other.
  assert.equal(dom.retainedSize[other], 5);
  assert.equal(dom.reachable[y], 0);

  // The parallel analysis's split: the pass without the page-owned rule, then
  // the rule applied from flags computed elsewhere, gives the same edges and in-degrees.
  const split = essentialEdgesBeforeOwnership(snap);
  assert.equal((split.bits[edgeFrom(handles, x) >>> 5]! >>> (edgeFrom(handles, x) & 31)) & 1, 1, 'before the rule the handle edge counts');
  applyOwnership(snap, split, pageOwnedNodes(snap));
  const inDegree = new Uint32Array(snap.nodeCount + 1);
  const whole = essentialEdges(snap, inDegree);
  for (let e = 0; e < snap.edgeCount; e++) assert.equal((split.bits[e >>> 5]! >>> (e & 31)) & 1, whole[e], `edge ${e}`);
  assert.deepEqual(split.inDegree, inDegree);
});

test('ownership: arrays and hidden nodes with one owner give their size to it (DevTools shallow sizes)', () => {
  const { g } = withGcRoots();
  const global = g.node('object', 'global', 50);
  g.edge(g.root, global, 'shortcut', 'global');
  const map = g.node('object', 'Map', 32);
  const table = g.node('array', 'system / OrderedHashMap', 1000);
  const shared = g.node('array', 'shared', 64);
  const other = g.node('object', 'Other', 8);
  g.edge(global, map, 'property', 'm').edge(map, table, 'internal', 'table');
  g.edge(global, other, 'property', 'o').edge(map, shared, 'internal', 's').edge(other, shared, 'internal', 's');
  const { dom } = analyse(g);
  assert.equal(dom.shallowSize[map], 1032);
  assert.equal(dom.shallowSize[table], 0);
  assert.equal(dom.shallowSize[shared], 64, 'two owners: keeps its size');
  assert.equal(dom.retainedSize[map], 1032);
  assert.equal(dom.retainedSize[global], 50 + 1032 + 8 + 64);
});

test('a WeakMap value is retained through its key, not through the table', () => {
  const { g, gc } = withGcRoots();
  const holder = g.node('object', 'Holder', 8);
  const table = g.node('array', 'system / EphemeronHashTable', 100, 901);
  const key = g.node('object', 'Key', 10, 903);
  const value = g.node('object', 'Value', 1000, 905);
  g.edge(gc, holder, 'property', 'h').edge(holder, table, 'internal', 'table').edge(gc, key, 'property', 'k');
  const name = '7 / part of key (Key @903) -> value (Value @905) pair in WeakMap (table @901)';
  g.edge(table, value, 'internal', name).edge(key, value, 'internal', name);
  const { dom } = analyse(g);
  assert.equal(dom.idom[value], key);
  assert.equal(dom.retainedSize[key], 1010);
  assert.equal(dom.retainedSize[table], 100);
});

test('shallow sizes are kept in 32 bits unless one does not fit', () => {
  const { g, gc } = withGcRoots();
  const small = g.node('object', 'Small', 100);
  g.edge(gc, small, 'property', 's');
  assert.ok(analyse(g).dom.shallowSize instanceof Uint32Array);
  const huge = g.node('native', 'system / JSArrayBufferData', 5 * 2 ** 32);
  g.edge(small, huge, 'internal', 'backing_store');
  const { dom } = analyse(g);
  assert.ok(dom.shallowSize instanceof Float64Array);
  assert.equal(dom.retainedSize[small], 100 + 5 * 2 ** 32);
  assert.equal(dom.shallowSize[small], 100, 'shallow sizes are not the retained sizes');
  assert.equal(dom.shallowSize[huge], 5 * 2 ** 32);
});

test('a chain of 1,000,000 nodes: no recursion anywhere', () => {
  const { g } = withGcRoots();
  const global = g.node('object', 'global', 8);
  g.edge(g.root, global, 'shortcut', 2);
  const list = g.node('object', 'LinkedList', 8);
  g.edge(global, list, 'property', 'list');
  let prev = list;
  const first = g.nodeCount;
  const count = 1_000_000;
  for (let i = 0; i < count; i++) {
    const node = g.node('object', 'Link', 2);
    g.edge(prev, node, 'property', 'next');
    prev = node;
  }
  const { snap, dom } = analyse(g);
  assert.equal(dom.retainedSize[first], 2 * count);
  assert.equal(dom.retainedSize[prev], 2);
  assert.equal(dom.idom[prev], prev - 1);
  assert.equal(dom.retainedSize[first + count / 2], count);
  assert.equal(dom.unreachableCount, 0);
  // Every other analysis over the same chain: the whole report.
  const report = analyzeSnapshot(snap, { maxPathSteps: 5 });
  assert.deepEqual(report.histogram.find((r) => r.className === 'Link'), { className: 'Link', count, shallowSize: 2 * count, retainedSize: 2 * count });
  const suspect = report.suspects[0]!;
  assert.equal(suspect.className, 'LinkedList');
  assert.equal(suspect.accumulated?.count, count);
  assert.equal(suspect.path.length, 2);
  const paths = computeRootPaths(snap);
  assert.equal(paths.distance[prev], count + 2);
  assert.equal(retainerPath(snap, paths, prev, 3).length, 3);
});

/** A small deterministic PRNG, so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

/**
 * Immediate dominators of the nodes the root reaches over the given edges, by
 * the plain iterative data-flow definition (Cooper, Harvey and Kennedy): an
 * independent reference, quadratic but fine for a few hundred nodes.
 */
function referenceIdoms(nodeCount: number, root: number, edges: [number, number][]): Map<number, number> {
  const succ: number[][] = Array.from({ length: nodeCount }, () => []);
  const pred: number[][] = Array.from({ length: nodeCount }, () => []);
  for (const [from, to] of edges) {
    succ[from]!.push(to);
    pred[to]!.push(from);
  }
  // Reverse postorder from the root, iteratively.
  const order: number[] = [];
  const seen = new Uint8Array(nodeCount);
  const stack: [number, number][] = [[root, 0]];
  seen[root] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const next = succ[top[0]]![top[1]++];
    if (next === undefined) {
      order.push(top[0]);
      stack.pop();
    } else if (seen[next] === 0) {
      seen[next] = 1;
      stack.push([next, 0]);
    }
  }
  order.reverse();
  const rank = new Map(order.map((n, i) => [n, i]));
  const idom = new Map<number, number>([[root, root]]);
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (rank.get(a)! > rank.get(b)!) a = idom.get(a)!;
      while (rank.get(b)! > rank.get(a)!) b = idom.get(b)!;
    }
    return a;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const n of order) {
      if (n === root) continue;
      let d: number | undefined;
      for (const p of pred[n]!) if (idom.has(p)) d = d === undefined ? p : intersect(p, d);
      if (d !== undefined && idom.get(n) !== d) {
        idom.set(n, d);
        changed = true;
      }
    }
  }
  return idom;
}

test('random graphs: both predecessor modes agree, and every node matches a reference algorithm', () => {
  let checked = 0;
  for (let seed = 1; seed <= 120; seed++) {
    const random = prng(seed * 7919);
    const { g, gc } = withGcRoots();
    const count = 5 + Math.floor(random() * 150);
    const nodes: number[] = [];
    for (let i = 0; i < count; i++) nodes.push(g.node('object', `N${i % 7}`, 1 + Math.floor(random() * 64)));
    // Edges that retain (property) and do not (weak), self edges, repeated
    // edges, a few hubs that many nodes point at (like hidden classes), and
    // nodes nothing strong points at, so that the unreachable paths (weakly
    // held islands, cliques) are taken too.
    const hubs = nodes.slice(0, 1 + Math.floor(random() * 3));
    const strong: [number, number][] = [];
    const add = (from: number, to: number, weak: boolean): void => {
      g.edge(from, to, weak ? 'weak' : 'property', `e${strong.length}`);
      if (!weak && from !== to) strong.push([from, to]);
    };
    for (const n of nodes) if (random() < 0.3) add(gc, n, false);
    const edgeCount = Math.floor(count * (0.5 + random() * 2.5));
    for (let i = 0; i < edgeCount; i++) {
      const from = nodes[Math.floor(random() * count)]!;
      const to = random() < 0.3 ? hubs[Math.floor(random() * hubs.length)]! : nodes[Math.floor(random() * count)]!;
      add(from, to, random() < 0.15);
    }
    strong.push([g.root, gc]);
    const { snap, dom } = analyse(g);
    // DevTools' rule for garbage: a node that nothing retains (and that the
    // root does not reach) is searched from as if the root pointed at it.
    const live = referenceIdoms(snap.nodeCount, g.root, strong);
    const retained = new Uint8Array(snap.nodeCount);
    for (const [, to] of strong) retained[to] = 1;
    const withStarts = [...strong];
    for (let n = 0; n < snap.nodeCount; n++) if (!live.has(n) && retained[n] === 0) withStarts.push([g.root, n]);
    const reference = referenceIdoms(snap.nodeCount, g.root, withStarts);
    // What is left (cycles only the garbage retains) hangs under the root
    // with DevTools' quirk of not counting the root as its predecessor; the
    // reference leaves out the graphs where such a node points at the rest.
    if (strong.some(([from, to]) => !reference.has(from) && reference.has(to))) continue;
    checked++;
    for (let n = 0; n < snap.nodeCount; n++) {
      assert.equal(dom.reachable[n], live.has(n) ? 1 : 0, `seed ${seed}: node ${n} reachable`);
      const expected = reference.get(n) ?? g.root;
      if (n !== g.root) assert.equal(dom.idom[n], expected, `seed ${seed}: idom of node ${n}`);
    }
  }
  // Most graphs must be checked against the reference, not only between the modes.
  assert.ok(checked >= 80, `${checked} of 120 graphs checked against the reference`);
});

test('random graphs with global objects, DevTools\' page-owned rule and WeakMap edges: every way in agrees', () => {
  for (let seed = 1; seed <= 80; seed++) {
    const random = prng(seed * 104_729);
    const { g, gc } = withGcRoots();
    const count = 5 + Math.floor(random() * 120);
    const nodes: number[] = [];
    for (let i = 0; i < count; i++) nodes.push(g.node(random() < 0.2 ? 'hidden' : 'object', `N${i % 5}`, 1 + Math.floor(random() * 32)));
    const any = (): number => nodes[Math.floor(random() * count)]!;
    // Global objects (shortcut edges from the root), nodes held only by the
    // GC roots (not page-owned) pointing into the page-owned ones, shortcut
    // edges elsewhere, edges back to the root, weak edges and WeakMap pairs.
    for (let i = 0; i < 1 + Math.floor(random() * 3); i++) g.edge(g.root, any(), 'shortcut', `global${i}`);
    for (const n of nodes) if (random() < 0.15) g.edge(gc, n, 'element', 1);
    const edges = Math.floor(count * (0.5 + random() * 2.5));
    for (let i = 0; i < edges; i++) {
      const roll = random();
      const type = roll < 0.7 ? 'property' : roll < 0.8 ? 'weak' : roll < 0.88 ? 'shortcut' : roll < 0.94 ? 'internal' : 'context';
      g.edge(any(), any(), type, `e${i}`);
    }
    if (random() < 0.3) g.edge(any(), g.root, 'property', 'back');
    for (let i = 0; i < Math.floor(random() * 3); i++) {
      const key = any();
      const table = any();
      const value = any();
      const name = `${i} / part of key (K @${g.toRaw().nodes[key * 7 + 2]}) -> value (V @1) pair in WeakMap (table @${g.toRaw().nodes[table * 7 + 2]})`;
      g.edge(key, value, 'internal', name).edge(table, value, 'internal', name);
    }
    try {
      analyse(g);
    } catch (error) {
      assert.fail(`seed ${seed}: ${(error as Error).message}`);
    }
  }
});
