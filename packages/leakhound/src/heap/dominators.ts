// Dominator tree and retained sizes, with Chrome DevTools' semantics
// (HeapSnapshot.ts: initEssentialEdges, calculateShallowSizes,
// calculateDominatorsAndRetainedSizes) so numbers agree with what people see in
// DevTools. Semidominators by Lengauer-Tarjan (eval/link with iterative path
// compression), immediate dominators by semi-NCA; all iterative, all typed
// arrays: a 1,000,000-node chain must not touch the stack.
import type { HeapSnapshot } from './snapshot.js';
import { countsToOffsets, type Retainers } from './retainers.js';
import type { ProgressFn } from './progress.js';
import { releaseMemory } from './memory.js';
import { bitset, hasBit, setBit } from './bits.js';
import { GraphArena, GraphKernels, arenaOf } from './wasm-graph.js';

export interface Dominators {
  /** Immediate dominator ordinal; idom[root] = root. Unreachable nodes hang under the root (see `reachable`). */
  idom: Uint32Array;
  /** Sum of `shallowSize` over the node's dominator subtree; 32-bit when the whole heap's size fits. */
  retainedSize: SizeArray;
  /** 1 when the node is reachable from the root over essential edges. */
  reachable: Uint8Array;
  /** Dominator-tree children in CSR form: dominated[firstDominated[n] .. firstDominated[n+1]). */
  firstDominated: Uint32Array;
  dominated: Uint32Array;
  /**
   * Self sizes after DevTools' ownership pass: arrays and hidden nodes owned by
   * exactly one object give their size to it (a Map's shallow size includes its
   * backing table). Equal to snap.nodeSelfSize when the snapshot has no user roots.
   */
  shallowSize: ShallowSizes;
  unreachableCount: number;
  unreachableSize: number;
}

const PROGRESS_STEP = 1 << 20;

/** Nodes DevTools treats as user roots: non-synthetic children of the root (the global object). */
export function isUserRoot(snap: HeapSnapshot, node: number): boolean {
  return snap.nodeType[node] !== snap.nodeTypeSynthetic;
}

function hasUserRoots(snap: HeapSnapshot): boolean {
  const root = snap.rootNode;
  for (let e = snap.firstEdge[root]!; e < snap.firstEdge[root + 1]!; e++) {
    if (isUserRoot(snap, snap.edgeToNode[e]!)) return true;
  }
  return false;
}

/**
 * DevTools' "page-owned" flag: everything reachable over non-weak edges from the
 * root's shortcut edges (the global objects) and from (Document DOM trees).
 * Edges from non-owned to owned nodes do not count for dominators, so objects
 * reachable from the global are dominated through the global, not through
 * handles or caches that also point at them.
 */
export function pageOwnedNodes(snap: HeapSnapshot, into?: Uint8Array): Uint8Array {
  const owned = into !== undefined && into.length === snap.nodeCount ? into.fill(0) : new Uint8Array(snap.nodeCount);
  extendPageOwned(snap, owned, null);
  return owned;
}

/**
 * DevTools' non-weak walk from the root's page-owned seeds, marking `owned`
 * and not entering what it already marks; `passed`, when given, also starts it
 * from the targets of those (source, target) pairs whose source is marked.
 */
function extendPageOwned(snap: HeapSnapshot, owned: Uint8Array, passed: EdgePairs | null): void {
  const { firstEdge, edgeToNode, edgeType } = snap;
  const root = snap.rootNode;
  let stack = new Uint32Array(1024);
  let top = 0;
  const reach = (target: number): void => {
    if (owned[target] === 1) return;
    owned[target] = 1;
    if (top === stack.length) {
      const grown = new Uint32Array(stack.length * 2);
      grown.set(stack);
      stack = grown;
    }
    stack[top++] = target;
  };
  for (let e = firstEdge[root]!; e < firstEdge[root + 1]!; e++) if (isPageOwnedSeed(snap, e)) reach(edgeToNode[e]!);
  if (passed !== null) {
    const pairs = passed.pairs;
    for (let i = 0; i < pairs.length; i += 2) if (owned[pairs[i]!] === 1) reach(pairs[i + 1]!);
  }
  const weak = snap.edgeTypeWeak;
  while (top > 0) {
    const node = stack[--top]!;
    const end = firstEdge[node + 1]!;
    for (let e = firstEdge[node]!; e < end; e++) if (edgeType[e] !== weak) reach(edgeToNode[e]!);
  }
}

/** For an edge of the root: does its target start DevTools' page-owned set (a global object, the DOM trees)? */
function isPageOwnedSeed(snap: HeapSnapshot, e: number): boolean {
  const type = snap.edgeType[e]!;
  if (type === snap.edgeTypeShortcut) return true;
  const target = snap.edgeToNode[e]!;
  return type === snap.edgeTypeElement && snap.nodeType[target] === snap.nodeTypeSynthetic &&
    snap.nodeNameString(target) === '(Document DOM trees)';
}

const MIN_WEAK_MAP_EDGE_BYTES = '0 / part of key ( @1) -> value ( @1) pair in WeakMap (table @1)'.length;
const WEAK_MAP_EDGE = /^\d+ \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\)$/;

/**
 * V8 names the two edges to a WeakMap value "<n> / part of key (K @k) -> value
 * (V @v) pair in WeakMap (table @t)", one from the key, one from the table.
 * `isTableEdge` tells the table's one apart; each edge name is parsed once.
 */
export class WeakMapEdges {
  /**
   * Per string index: 0 not yet looked at, 1 not a WeakMap edge name, 2 one.
   * Hot loops test `nameState[name] !== 1` before calling isTableEdge.
   */
  readonly nameState: Uint8Array;
  private readonly _table = new Map<number, number>();

  constructor(private readonly _snap: HeapSnapshot) {
    this.nameState = new Uint8Array(_snap.strings.count);
  }

  /** For an internal edge `edge` leaving `node`. */
  isTableEdge(node: number, edge: number): boolean {
    const name = this._snap.edgeNameOrIndex[edge]!;
    let state = this.nameState[name];
    if (state === 0) {
      // Most internal edge names ("map", "table", "12") are short: skip decoding them.
      const strings = this._snap.strings;
      const match = strings.byteLengthOf(name) < MIN_WEAK_MAP_EDGE_BYTES ? null : WEAK_MAP_EDGE.exec(strings.get(name));
      state = match ? 2 : 1;
      if (match) this._table.set(name, Number(match[1]));
      this.nameState[name] = state;
    }
    return state === 2 && this._table.get(name) === this._snap.nodeId[node];
  }
}

/**
 * Which edges may retain. Mirrors DevTools' computeIsEssentialEdge: weak edges
 * and self edges never; shortcut edges only from the root (there they mark the
 * user's global objects); not from a non-page-owned node into a page-owned one;
 * and a WeakMap value is retained through its key, not through the table.
 * One byte per edge, 1 for essential.
 */
export function essentialEdges(snap: HeapSnapshot, inDegree?: Uint32Array): Uint8Array {
  const bits = essentialEdgeBits(snap, inDegree);
  const essential = new Uint8Array(snap.edgeCount);
  for (let e = 0; e < essential.length; e++) essential[e] = (bits[e >>> 5]! >>> (e & 31)) & 1;
  return essential;
}

/**
 * essentialEdges as one bit per edge (bit e & 31 of word e >>> 5): an eighth
 * of the bytes while the dominator pass holds them. `inDegree`, when given,
 * counts each node's essential in-edges. `owned` null leaves the page-owned
 * rule out (every node counts as owned), for the search to apply later
 * (dominatorTree); `passed` then gets the non-weak edges the bits leave out.
 */
function essentialEdgeBits(snap: HeapSnapshot, inDegree?: Uint32Array, owned: Uint8Array | null = pageOwnedNodes(snap),
  passed?: EdgePairs): Int32Array {
  const { nodeCount, edgeCount, firstEdge, edgeToNode, edgeType } = snap;
  // In the kernels' memory when the graph is, for the WebAssembly search.
  const bits = arenaOf(snap.kernelMemory)?.i32((edgeCount >>> 5) + 1) ?? new Int32Array((edgeCount >>> 5) + 1);
  const root = snap.rootNode;
  const weak = snap.edgeTypeWeak;
  const shortcut = snap.edgeTypeShortcut;
  const internal = snap.edgeTypeInternal;
  const weakMaps = new WeakMapEdges(snap);
  const nameState = weakMaps.nameState;
  const { edgeNameOrIndex } = snap;
  for (let node = 0; node < nodeCount; node++) {
    const end = firstEdge[node + 1]!;
    // Nearly every node is owned (99.9% on the benchmark heaps): test the
    // node's flag first, the target's (a random read) only when it is not.
    const nodeOwned = owned === null ? 1 : owned[node]!;
    for (let e = firstEdge[node]!; e < end; e++) {
      const type = edgeType[e]!;
      if (type === weak) continue;
      const target = edgeToNode[e]!;
      if (target === node) continue;
      if (type === internal && nameState[edgeNameOrIndex[e]!] !== 1 && weakMaps.isTableEdge(node, e)) {
        passed?.push(node, target);
        continue;
      }
      if (node !== root) {
        if (type === shortcut) {
          passed?.push(node, target);
          continue;
        }
        if (nodeOwned === 0 && owned![target] === 1) continue;
        // Into the root: essential, but the search never takes it (the root is visited first); ownership may pass it.
        if (passed !== undefined && target === root) passed.push(node, target);
      }
      bits[e >>> 5] = bits[e >>> 5]! | (1 << (e & 31));
      if (inDegree) inDegree[target]!++;
    }
  }
  return bits;
}

/** A growable list of (source, target) node pairs. */
export class EdgePairs {
  private _pairs = new Uint32Array(1024);
  length = 0;

  push(source: number, target: number): void {
    if (this.length + 2 > this._pairs.length) {
      const grown = new Uint32Array(this._pairs.length * 2);
      grown.set(this._pairs);
      this._pairs = grown;
    }
    this._pairs[this.length++] = source;
    this._pairs[this.length++] = target;
  }

  get pairs(): Uint32Array {
    return this._pairs.subarray(0, this.length);
  }
}

/** Essential-edge bits and in-degrees, for dominatorTreePhase. */
export interface EssentialEdges {
  bits: Int32Array;
  /** nodeCount + 1 entries. */
  inDegree: Uint32Array;
  /**
   * Set when the page-owned rule is still to apply (essentialEdgesBeforeOwnership):
   * the non-weak edges the bits leave out (shortcuts from other nodes than
   * the root, WeakMap table edges) and the edges into the root, through which
   * DevTools' page-owned set may reach nodes the essential edges do not.
   */
  passed?: EdgePairs;
}

/**
 * The essential edges without the page-owned rule (`applyOwnership` adds it),
 * so that the flags can be computed elsewhere at the same time.
 */
export function essentialEdgesBeforeOwnership(snap: HeapSnapshot): EssentialEdges {
  const inDegree = new Uint32Array(snap.nodeCount + 1);
  const passed = new EdgePairs();
  return { bits: essentialEdgeBits(snap, inDegree, null, passed), inDegree, passed };
}

/**
 * pageOwnedNodes from a search that has visited (`seen`) exactly what the
 * essential edges reach from the root's page-owned seeds: those nodes (but the
 * root), the seeds, and whatever DevTools' walk over all non-weak edges reaches
 * from them through the edges the essential ones leave out (`passed`).
 */
function pageOwnedAfterSearch(snap: HeapSnapshot, seen: Int32Array, passed: EdgePairs): Uint8Array {
  const owned = new Uint8Array(snap.nodeCount);
  for (let i = 0; i < snap.nodeCount; i++) owned[i] = (seen[i >>> 5]! >>> (i & 31)) & 1;
  owned[snap.rootNode] = 0;
  extendPageOwned(snap, owned, passed);
  return owned;
}

/**
 * The page-owned rule on essentialEdgesBeforeOwnership's result: an edge from
 * a node that is not page-owned into one that is does not retain. Only the
 * few nodes that are not owned have edges to look at.
 */
export function applyOwnership(snap: HeapSnapshot, essential: EssentialEdges, owned: Uint8Array): void {
  const { nodeCount, firstEdge, edgeToNode } = snap;
  const { bits, inDegree } = essential;
  const root = snap.rootNode;
  for (let node = 0; node < nodeCount; node++) {
    if (owned[node] === 1 || node === root) continue;
    const end = firstEdge[node + 1]!;
    for (let e = firstEdge[node]!; e < end; e++) {
      const target = edgeToNode[e]!;
      if (owned[target] !== 1 || ((bits[e >>> 5]! >>> (e & 31)) & 1) === 0) continue;
      bits[e >>> 5] = bits[e >>> 5]! & ~(1 << (e & 31));
      inDegree[target]!--;
    }
  }
}

/**
 * DevTools' calculateShallowSizes: each hidden or array node (and external
 * string data) reachable only through one owner object, possibly via other
 * such nodes, adds its size to that owner and shows 0 itself.
 */
/** Shallow sizes as 32-bit integers when every size fits (always, in practice), else doubles. */
export type ShallowSizes = SizeArray;
/** Per-node byte counts: 32-bit when they fit (half the memory), else doubles. */
export type SizeArray = Uint32Array | Float64Array;

/** `into`, when given, is a spare array of at least sizes.length entries to reuse. */
function compactSizes(sizes: Float64Array, into?: Uint32Array): ShallowSizes {
  if (!sizesFitU32(sizes)) return Float64Array.from(sizes);
  const compact = into !== undefined && into.length >= sizes.length ? into.subarray(0, sizes.length) : new Uint32Array(sizes.length);
  compact.set(sizes);
  return compact;
}

/**
 * `scratch`, when given, is a spare Uint32Array of at least nodeCount entries
 * to use as working memory; `buffer` a spare buffer for the result when it is
 * big enough (8 bytes per node).
 */
export function computeShallowSizes(snap: HeapSnapshot, scratch?: Uint32Array, buffer?: ArrayBufferLike): Float64Array {
  const bytes = snap.nodeCount * Float64Array.BYTES_PER_ELEMENT;
  const sizes = buffer !== undefined && buffer.byteLength >= bytes ? new Float64Array(buffer, 0, snap.nodeCount) : new Float64Array(snap.nodeCount);
  shallowSizesInto(snap, sizes, scratch);
  return sizes;
}

/**
 * computeShallowSizes into `sizes` (nodeCount entries). With a Uint32Array,
 * false when an owner's sum would not fit 32 bits (the contents are then
 * garbage; compute them as doubles instead).
 */
export function shallowSizesInto(snap: HeapSnapshot, sizes: Float64Array | Uint32Array, scratch?: Uint32Array): boolean {
  const limit = sizes instanceof Uint32Array ? 0xffffffff : Number.POSITIVE_INFINITY;
  if (limit !== Number.POSITIVE_INFINITY) for (let i = 0; i < snap.nodeCount; i++) if (snap.nodeSelfSize[i]! > limit) return false;
  sizes.set(snap.nodeSelfSize);
  if (!hasUserRoots(snap)) return true;
  const { nodeCount, firstEdge, edgeToNode, edgeType, nodeType } = snap;
  const UNVISITED = 0xffffffff;
  const MULTIPLE = 0xfffffffe;
  const owners = scratch ?? new Uint32Array(nodeCount);
  // Only owned (hidden, array) nodes go through the worklist, each at most
  // twice (owned, then multiply owned); owners are visited in node order. The
  // fixed point does not depend on the order.
  let worklist = new Uint32Array(1 << 16);
  let length = 0;
  const hidden = snap.nodeTypeHidden;
  const array = snap.nodeTypeArray;
  const native = snap.nodeTypeNative;
  // Compare name indexes, not decoded names, in this per-node loop.
  const externalData = new Map<number, boolean>();
  const isExternalData = (name: number): boolean => {
    let value = externalData.get(name);
    if (value === undefined) {
      value = snap.strings.get(name) === 'system / ExternalStringData';
      externalData.set(name, value);
    }
    return value;
  };
  const { nodeName } = snap;
  for (let i = 0; i < nodeCount; i++) {
    const type = nodeType[i]!;
    if (type === hidden || type === array || (type === native && isExternalData(nodeName[i]!))) {
      owners[i] = UNVISITED;
    } else {
      owners[i] = i;
    }
  }
  const weak = snap.edgeTypeWeak;
  const spread = (id: number): void => {
    const owner = owners[id]!;
    const end = firstEdge[id + 1]!;
    for (let e = firstEdge[id]!; e < end; e++) {
      if (edgeType[e] === weak) continue;
      const target = edgeToNode[e]!;
      const current = owners[target]!;
      if (current === target || current === owner || current === MULTIPLE) continue;
      owners[target] = current === UNVISITED ? owner : MULTIPLE;
      if (length === worklist.length) {
        const grown = new Uint32Array(worklist.length * 2);
        grown.set(worklist);
        worklist = grown;
      }
      worklist[length++] = target;
    }
  };
  for (let i = 0; i < nodeCount; i++) {
    if (owners[i] !== i) continue;
    spread(i);
    while (length > 0) spread(worklist[--length]!);
  }
  const synthetic = snap.nodeTypeSynthetic;
  const root = snap.rootNode;
  for (let i = 0; i < nodeCount; i++) {
    const owner = owners[i]!;
    if (owner === UNVISITED || owner === MULTIPLE || owner === i) continue;
    if (nodeType[owner] === synthetic || owner === root) continue;
    const sum = sizes[owner]! + sizes[i]!;
    if (sum > limit) return false;
    sizes[owner] = sum;
    sizes[i] = 0;
  }
  return true;
}

interface TreeInputs {
  /** Essential-edge bits; the search clears the bits of the tree edges it takes. Released once the lists are built. */
  essential: Int32Array | null;
  /** Full retainers (checked against `essential`), or null for compact mode. */
  retainers: Retainers | null;
  /** Compact mode: essential in-degree per node (from essentialEdgeBits), tree edges included. */
  inDegree: Uint32Array | null;
  /** When the page-owned rule is still to apply: EssentialEdges.passed (see searchFromRoot). */
  passed: EdgePairs | null;
}

/** The dominator tree before retained sizes: what dominatorTreePhase hands to retainedSizesPhase. */
export interface DominatorTreePhase {
  /** Vertex (ordinal + 1) per DFS number 1..n. */
  vertex: Uint32Array;
  /** Immediate dominator per node ordinal (a view of length nodeCount). */
  idom: Uint32Array;
  /**
   * Two working arrays (nodeCount + 1 entries) the tree no longer needs, handed
   * on so the next phase reuses them instead of allocating while the tree's
   * garbage still waits for the collector.
   */
  spare: [Uint32Array, Uint32Array];
  n: number;
  reachable: Uint8Array;
  reachableCount: number;
}

/**
 * Essential predecessors that are not DFS tree edges (the search cleared those
 * bits), in CSR form indexed by DFS number and holding DFS numbers, so the
 * semidominator pass never maps between ordinals and DFS numbers. 4 bytes per
 * entry. `first` has n + 2 entries.
 */
function dfsPredecessors(snap: HeapSnapshot, inputs: TreeInputs, dfnOf: Uint32Array, vertex: Uint32Array, n: number,
  virtualParent: Int32Array | null): { first: Uint32Array; node: Uint32Array } {
  const { nodeCount, firstEdge, edgeToNode } = snap;
  const bits = inputs.essential!;
  // Ordinary arrays, not the kernels' memory: they are garbage after the tree, and that memory never shrinks.
  const first = new Uint32Array(n + 2);
  const retainers = inputs.retainers;
  if (retainers === null) {
    // The in-degrees still count the tree edges (the search does not touch
    // them: one random write per node less on its path). Every DFS number but
    // the search starts and the virtual children of the root has exactly one.
    const inDegree = inputs.inDegree!;
    for (let i = 1; i <= n; i++) {
      const treeEdges = i === 1 || (virtualParent !== null && hasBit(virtualParent, i)) ? 0 : 1;
      first[i] = inDegree[vertex[i]! - 1]! - treeEdges;
    }
  } else {
    const { firstRetainer, retainerEdge } = retainers;
    for (let i = 1; i <= n; i++) {
      const ordinal = vertex[i]! - 1;
      let count = 0;
      for (let j = firstRetainer[ordinal]!; j < firstRetainer[ordinal + 1]!; j++) {
        const e = retainerEdge[j]!;
        count += (bits[e >>> 5]! >>> (e & 31)) & 1;
      }
      first[i] = count;
    }
  }
  const node = new Uint32Array(countsToOffsets(first));
  // first[i] walks forward as slots fill, and is shifted back afterwards.
  if (retainers === null) {
    for (let source = 0; source < nodeCount; source++) {
      const end = firstEdge[source + 1]!;
      const u = dfnOf[source + 1]!;
      for (let e = firstEdge[source]!; e < end; e++) {
        if (((bits[e >>> 5]! >>> (e & 31)) & 1) === 0) continue;
        node[first[dfnOf[edgeToNode[e]! + 1]!]!++] = u;
      }
    }
  } else {
    const { firstRetainer, retainerEdge, retainerNode } = retainers;
    for (let i = 1; i <= n; i++) {
      const ordinal = vertex[i]! - 1;
      for (let j = firstRetainer[ordinal]!; j < firstRetainer[ordinal + 1]!; j++) {
        const e = retainerEdge[j]!;
        if (((bits[e >>> 5]! >>> (e & 31)) & 1) === 0) continue;
        node[first[i]!++] = dfnOf[retainerNode[j]! + 1]!;
      }
    }
  }
  for (let i = n + 1; i > 0; i--) first[i] = first[i - 1]!;
  first[0] = 0;
  return { first, node };
}

/** The WebAssembly search's arrays from the arena, or null when they do not fit. */
function searchArrays(arena: GraphArena, length: number, firstEdge: Uint32Array, edgeToNode: Uint32Array, bits: Int32Array) {
  const dfnOf = arena.u32(length);
  const vertex = arena.u32(length);
  const parent = arena.u32(length);
  const seen = arena.i32((length >>> 5) + 1);
  // Three entries per depth; pages past the deepest path are never written (not in RSS).
  const path = arena.u32(3 * (length + 1));
  if (dfnOf === null || vertex === null || parent === null || seen === null || path === null) return null;
  return { dfnOf, vertex, parent, seen, path, firstEdge, edgeToNode, bits };
}

/**
 * The dominator tree proper, in DFS-number space after the search: parent,
 * label, ancestor and semidominator are indexed by DFS number, the
 * predecessor lists hold DFS numbers. A separate function so that its working
 * arrays are garbage when it returns, before the shallow sizes and retained
 * sizes allocate theirs.
 */
function dominatorTree(snap: HeapSnapshot, inputs: TreeInputs, progress: ProgressFn): DominatorTreePhase {
  const { nodeCount, firstEdge, edgeToNode } = snap;

  // 1-based vertex numbers (v = ordinal + 1) so that 0 means "none", as in the paper.
  const length = nodeCount + 1;
  const bits = inputs.essential!;
  // The WebAssembly search (wasm-graph.ts) when the graph and the edge bits
  // are in the kernels' memory: its arrays go there too.
  const kernels = snap.kernelMemory !== null && GraphArena.holds(bits) ? GraphKernels.create(snap.kernelMemory) : null;
  const kernelArrays = kernels === null ? null : searchArrays(arenaOf(snap.kernelMemory)!, length, firstEdge, edgeToNode, bits);
  /** DFS number per vertex, 0 while unvisited. */
  const dfnOf = kernelArrays?.dfnOf ?? new Uint32Array(length);
  /** Vertex per DFS number. */
  const vertex = kernelArrays?.vertex ?? new Uint32Array(length);
  /** The DFS tree parent's DFS number, per DFS number. */
  const parent = kernelArrays?.parent ?? new Uint32Array(length);
  // The DFS state per depth of the current path (see dfs), not per node:
  // only the path's nodes need one. Grows for deep chains.
  let path = new Uint32Array(kernelArrays === null ? 3 << 16 : 0);
  let n = 0;
  const inDegree = inputs.inDegree;
  // Visited flags by node ordinal: the search asks "visited?" for every
  // essential edge, and a bitset (bits.ts) stays in the cache where `dfnOf`
  // (4 bytes per node) costs a memory access each time, which also slows the
  // worker thread's passes beside this one.
  const seen = kernelArrays?.seen ?? bitset(nodeCount);

  const dfs = (start: number, startParent: number): void => {
    if (kernelArrays !== null) {
      n = kernels!.dfs(start, n, startParent, kernelArrays);
      return;
    }
    setBit(seen, start - 1);
    dfnOf[start] = ++n;
    vertex[n] = start;
    parent[n] = startParent;
    // Per depth of the current path, three slots: the next edge to look at,
    // the end of the node's edges and its DFS number. Going back up reads
    // them here (cached) instead of through dfnOf / parent / vertex / firstEdge.
    let top = 0;
    path[0] = firstEdge[start - 1]!;
    path[1] = firstEdge[start]!;
    path[2] = n;
    for (;;) {
      const end = path[top + 1]!;
      let e = path[top]!;
      let target = 0;
      for (; e < end; e++) {
        if (((bits[e >>> 5]! >>> (e & 31)) & 1) === 0) continue;
        target = edgeToNode[e]!;
        if (!hasBit(seen, target)) break;
      }
      if (e < end) {
        // Descend into the first unvisited successor; resume after it later.
        // The tree edge leaves the predecessor lists: its source is the parent,
        // whose contribution to the semidominator is known without a lookup.
        path[top] = e + 1;
        bits[e >>> 5] = bits[e >>> 5]! & ~(1 << (e & 31));
        const w = target + 1;
        setBit(seen, target);
        dfnOf[w] = ++n;
        vertex[n] = w;
        parent[n] = path[top + 2]!;
        if ((n & (PROGRESS_STEP - 1)) === 0) progress('dominators: depth-first search', n, nodeCount);
        top += 3;
        if (top + 3 > path.length) {
          const grown = new Uint32Array(path.length * 2);
          grown.set(path);
          path = grown;
        }
        path[top] = firstEdge[target]!;
        path[top + 1] = firstEdge[w]!;
        path[top + 2] = n;
      } else {
        if (top === 0) return;
        top -= 3;
      }
    }
  };

  const hasEssentialRetainer = (ordinal: number): boolean => {
    if (inDegree !== null) return inDegree[ordinal]! > 0;
    const { firstRetainer, retainerEdge } = inputs.retainers!;
    for (let i = firstRetainer[ordinal]!; i < firstRetainer[ordinal + 1]!; i++) {
      const e = retainerEdge[i]!;
      if (((bits[e >>> 5]! >>> (e & 31)) & 1) === 1) return true;
    }
    return false;
  };

  const r = snap.rootNode + 1;
  progress('dominators: depth-first search', 0, nodeCount);
  if (inputs.passed === null) {
    dfs(r, 0);
  } else {
    // The page-owned rule is still to apply. Every node the search reaches
    // from the root's page-owned seeds (the global objects) is page-owned,
    // and the rule only drops edges from nodes that are not: so search from
    // those children of the root first (the rule cannot matter there), take
    // the page-owned set from what that search saw plus what DevTools'
    // non-weak walk reaches beyond it, apply the rule to the edges of the
    // nodes still unvisited, and go on with the root's other children. A
    // depth-first search of the same graph whose root looks at its children
    // in another order: the same dominator tree, without a separate pass
    // over the graph for the flags.
    const root = r - 1;
    const held: number[] = [];
    for (let e = firstEdge[root]!; e < firstEdge[r]!; e++) {
      if (isPageOwnedSeed(snap, e) || ((bits[e >>> 5]! >>> (e & 31)) & 1) === 0) continue;
      held.push(e);
      bits[e >>> 5] = bits[e >>> 5]! & ~(1 << (e & 31));
    }
    dfs(r, 0);
    for (const e of held) bits[e >>> 5] = bits[e >>> 5]! | (1 << (e & 31));
    const owned = pageOwnedAfterSearch(snap, seen, inputs.passed);
    applyOwnership(snap, { bits, inDegree: inDegree! }, owned);
    for (let e = firstEdge[root]!; e < firstEdge[r]!; e++) {
      if (((bits[e >>> 5]! >>> (e & 31)) & 1) === 0) continue;
      const target = edgeToNode[e]!;
      if (hasBit(seen, target)) continue;
      // A tree edge of the root, as its own search would take it.
      bits[e >>> 5] = bits[e >>> 5]! & ~(1 << (e & 31));
      dfs(target + 1, 1);
    }
  }
  const reachableCount = n;

  // Like DevTools: nodes retained only through non-essential (weak) edges are
  // searched from as if the root pointed at them; what is still left (cliques
  // that only retain each other) is attached to the root one by one. Their
  // link to the root is virtual: no edge stands behind it. Flags by DFS number.
  // A bitset by DFS number, not a byte each: this lives through the peak.
  let virtualParent: Int32Array | null = null;
  if (n < nodeCount) {
    virtualParent = bitset(length);
    for (let v = 1; v <= nodeCount; v++) {
      if (dfnOf[v] !== 0 || hasEssentialRetainer(v - 1)) continue;
      setBit(virtualParent, n + 1);
      dfs(v, 1);
    }
    for (let v = 1; v <= nodeCount; v++) {
      if (dfnOf[v] !== 0) continue;
      setBit(seen, v - 1);
      dfnOf[v] = ++n;
      vertex[n] = v;
      parent[n] = 1;
      setBit(virtualParent, n);
    }
  }
  path = new Uint32Array(0);

  const preds = dfsPredecessors(snap, inputs, dfnOf, vertex, n, virtualParent);
  const firstPred = preds.first;
  const predNode = preds.node;
  // The edge bits are garbage now; the in-degree buffer becomes `ancestor`.
  inputs.essential = null;
  inputs.retainers = null;
  const ancestor = inDegree ?? new Uint32Array(length);
  inputs.inDegree = null;
  ancestor.fill(0);
  releaseMemory(nodeCount);

  // label holds, for a linked vertex, the smallest semidominator on its
  // compressed ancestor chain (a DFS number, so no separate semi lookup).
  // Unlinked vertices (ancestor 0) are never read through it. The search's
  // dfnOf array is free now and takes the role.
  const label = dfnOf;
  const dom = ancestor;
  semidominatorsAndIdoms(n, firstPred, predNode, parent, label, ancestor, virtualParent, progress);
  // Back to ordinals, over the parent array: idom[ordinal].
  const idom = parent.subarray(0, nodeCount);
  for (let w = 1; w <= n; w++) idom[vertex[w]! - 1] = vertex[dom[w]!]! - 1;
  // Past the peak: the reachable flags from the first search's DFS numbers.
  const reachable = new Uint8Array(nodeCount);
  for (let i = 1; i <= reachableCount; i++) reachable[vertex[i]! - 1] = 1;
  return { vertex, idom, n, reachable, reachableCount, spare: [label, dom] };
}

/**
 * Semidominators and immediate dominators in JavaScript (wasm-graph.ts has
 * the same loops): every array indexed by DFS number; `firstPred` takes the
 * semidominators, `ancestor` (zeroed) ends as the immediate dominators.
 */
function semidominatorsAndIdoms(n: number, firstPred: Uint32Array, predNode: Uint32Array, parent: Uint32Array,
  label: Uint32Array, ancestor: Uint32Array, virtualParent: Int32Array | null, progress: ProgressFn): void {
  // The compression stack holds one ancestor chain; it grows when needed
  // instead of reserving a slot per node up front.
  let stack = new Uint32Array(1 << 16);
  const evaluate = (v0: number): number => {
    if (ancestor[v0] === 0) return v0;
    let v = v0;
    let sp = 0;
    while (ancestor[ancestor[v]!] !== 0) {
      if (sp + 1 === stack.length) {
        const grown = new Uint32Array(stack.length * 2);
        grown.set(stack);
        stack = grown;
      }
      stack[++sp] = v;
      v = ancestor[v]!;
    }
    while (sp > 0) {
      const w = stack[sp--]!;
      const a = ancestor[w]!;
      if (label[a]! < label[w]!) label[w] = label[a]!;
      ancestor[w] = ancestor[a]!;
    }
    return label[v0]!;
  };

  // Semidominators in reverse DFS order. A vertex's list is read before its
  // slot in `firstPred` is overwritten with its semidominator, which semi-NCA
  // needs below; `listEnd` keeps the start of the next vertex's list.
  const semi = firstPred;
  progress('dominators: semidominators', 0, n);
  let listEnd = firstPred[n + 1]!;
  for (let w = n; w >= 2; w--) {
    if ((w & (PROGRESS_STEP - 1)) === 0) progress('dominators: semidominators', n - w, n);
    const listStart = firstPred[w]!;
    // The tree edge from the parent, left out of the lists: the parent is not
    // linked yet, so it contributes its own DFS number. Virtual children of the
    // root have no such edge; without any predecessor they get the root's.
    let s = w;
    let orphan = true;
    if (virtualParent === null || !hasBit(virtualParent, w)) {
      s = parent[w]!;
      orphan = false;
    }
    for (let j = listStart; j < listEnd; j++) {
      orphan = false;
      const u = evaluate(predNode[j]!);
      if (u < s) {
        s = u;
        // Nothing is below the root: the rest of the list cannot lower it.
        if (s === 1) break;
      }
    }
    if (orphan) s = 1;
    listEnd = listStart;
    semi[w] = s;
    label[w] = s;
    ancestor[w] = parent[w]!;
  }

  // Semi-NCA instead of Lengauer-Tarjan's buckets: the immediate dominator is
  // the nearest dominator-tree ancestor of parent(w) whose DFS number is at
  // most semi(w). In DFS-number space that is a plain walk up `dom`.
  const dom = ancestor;
  dom[1] = 1;
  for (let w = 2; w <= n; w++) {
    const limit = semi[w]!;
    let d = parent[w]!;
    while (d > limit) d = dom[d]!;
    dom[w] = d;
  }
}

/**
 * `retainers` may be null: the pass then builds compact predecessor lists of
 * the essential edges only (4 instead of 8 bytes per edge, and the caller
 * never holds full retainers). Pass them when you have them anyway.
 */
export function computeDominators(snap: HeapSnapshot, retainers: Retainers | null, onProgress?: ProgressFn): Dominators {
  return retainedSizesPhase(snap, dominatorTreePhase(snap, retainers, onProgress), onProgress);
}

/**
 * computeDominators up to the immediate dominators (essential edges, search,
 * semidominators). `essential`, when given (with `retainers` null), are the
 * essential edges already computed (essentialEdgesBeforeOwnership + applyOwnership).
 */
export function dominatorTreePhase(snap: HeapSnapshot, retainers: Retainers | null, onProgress?: ProgressFn,
  essential?: EssentialEdges): DominatorTreePhase {
  const progress = onProgress ?? (() => {});
  const { nodeCount } = snap;
  // The flags and in-degrees (counted in the same pass; not needed with full
  // retainers) are held only through `inputs`, so dominatorTree can drop them early.
  const inputs: TreeInputs = { essential: null, retainers, inDegree: null, passed: null };
  if (essential !== undefined && retainers === null) {
    inputs.essential = essential.bits;
    inputs.inDegree = essential.inDegree;
    inputs.passed = essential.passed ?? null;
  } else {
    progress('essential edges', 0, 1);
    if (retainers === null) {
      // The page-owned rule during the search (no separate walk of the graph for the flags).
      const deferred = essentialEdgesBeforeOwnership(snap);
      inputs.inDegree = deferred.inDegree;
      inputs.essential = deferred.bits;
      inputs.passed = deferred.passed ?? null;
    } else {
      // With full retainers (the tests' second way in), the separate walk.
      inputs.essential = essentialEdgeBits(snap);
    }
    progress('essential edges', 1, 1);
  }
  const tree = dominatorTree(snap, inputs, progress);
  inputs.essential = null;
  inputs.retainers = null;
  // The predecessor lists (4 bytes per essential edge) die with the tree pass:
  // free them before the retained sizes take 8 bytes per node. (Writing the
  // sizes over the lists' buffer instead would keep all of its pages resident.)
  releaseMemory(nodeCount);
  return tree;
}

/**
 * Frees the tree's second spare array, which would hold the shallow sizes: for
 * a caller that has them computed elsewhere (retainedSizesPhase's `shallow`),
 * before that computation allocates its own.
 */
export function dropShallowSpare(phase: DominatorTreePhase): void {
  phase.spare[1] = new Uint32Array(0);
  releaseMemory(phase.idom.length);
}

/** True when every size fits a Uint32Array (shallow sizes always do in practice). */
function sizesFitU32(sizes: Float64Array): boolean {
  for (let i = 0; i < sizes.length; i++) if (sizes[i]! > 0xffffffff) return false;
  return true;
}

/**
 * Retained sizes and the dominator-tree children. `shallow`, when given, are
 * the shallow sizes (computeShallowSizes) computed elsewhere, a worker thread
 * while the tree was built; otherwise they are computed here.
 */
export function retainedSizesPhase(snap: HeapSnapshot, phase: DominatorTreePhase, onProgress?: ProgressFn,
  shallow?: Uint32Array): Dominators {
  const progress = onProgress ?? (() => {});
  const { nodeCount } = snap;
  const { vertex, idom, n, reachable, reachableCount, spare } = phase;
  const r = snap.rootNode + 1;

  progress('retained sizes', 0, 1);
  // The retained sizes start as the shallow sizes; the kept copy of those is 32-bit.
  let retainedSize: SizeArray;
  let shallowSize: ShallowSizes;
  if (shallow !== undefined && shallow.length === nodeCount) {
    // No retained size exceeds the heap's total: 32 bits do when that fits.
    let total = 0;
    for (let i = 0; i < nodeCount; i++) total += shallow[i]!;
    retainedSize = total <= 0xffffffff ? new Uint32Array(nodeCount) : new Float64Array(nodeCount);
    retainedSize.set(shallow);
    shallowSize = shallow;
  } else {
    retainedSize = computeShallowSizes(snap, spare[0]);
    shallowSize = compactSizes(retainedSize, spare[1]);
  }
  // Reverse DFS order visits every node after all of its dominator-tree descendants.
  for (let i = n; i > 1; i--) {
    const ordinal = vertex[i]! - 1;
    const d = idom[ordinal]!;
    retainedSize[d] = retainedSize[d]! + retainedSize[ordinal]!;
  }

  // Dominator children in CSR form, written over arrays the tree no longer
  // needs (the shallow-size scratch and the DFS order): no new N-sized arrays
  // at the process's peak. Counts become end offsets, then each child is put
  // in front of its dominator's range, leaving the start offsets.
  const rootOrdinal = r - 1;
  const firstDominated = spare[0].fill(0);
  for (let i = 0; i < nodeCount; i++) if (i !== rootOrdinal) firstDominated[idom[i]!]!++;
  let running = 0;
  for (let i = 0; i <= nodeCount; i++) {
    running += firstDominated[i]!;
    firstDominated[i] = running;
  }
  const dominated = vertex.subarray(0, running);
  for (let i = nodeCount - 1; i >= 0; i--) {
    if (i === rootOrdinal) continue;
    dominated[--firstDominated[idom[i]!]!] = i;
  }
  firstDominated[nodeCount] = running;

  let unreachableSize = 0;
  for (let i = 0; i < nodeCount; i++) if (reachable[i] === 0) unreachableSize += shallowSize[i]!;
  progress('retained sizes', 1, 1);
  return {
    idom,
    retainedSize,
    reachable,
    firstDominated,
    dominated,
    shallowSize,
    unreachableCount: nodeCount - reachableCount,
    unreachableSize,
  };
}
