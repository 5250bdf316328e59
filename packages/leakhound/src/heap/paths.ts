// Shortest retainer paths from the GC roots, skipping weak edges. Like
// DevTools' calculateDistances, a first breadth-first search starts at the
// user roots (the global object: non-synthetic children of the root) and a
// second one from the root reaches what is left, so a path through the
// program's own globals wins over one through VM internals of the same length.
import type { HeapSnapshot } from './snapshot.js';
import { className, stringIndexOf } from './names.js';
import { isUserRoot, WeakMapEdges } from './dominators.js';
import { sourceLocation, type SourceLocation } from './locations.js';
import { bitset, hasBit, setBit } from './bits.js';

export const NO_DISTANCE = 0xffffffff;

export interface RootPaths {
  /**
   * Edges from the root along the chosen path; NO_DISTANCE when unreachable.
   * Computed on first access from the parent links (a 4-byte-per-node array
   * the analysis itself never needs).
   */
  readonly distance: Uint32Array;
  /** Edge ordinal that reaches the node on its path, -1 for the root and unreachable nodes. */
  parentEdge: Int32Array;
  /**
   * The node the parent edge leaves, -1 for the root and unreachable nodes.
   * Built on first access from `parentEdge` (one pass over the edges, 4 bytes
   * per node): the analysis itself asks `pathParent()` for the few nodes it needs.
   */
  readonly parentNode: Int32Array;
}

export interface PathStep {
  node: number;
  nodeId: number;
  className: string;
  /** The function's name for closures, the root's name for synthetic roots ("(Stack roots)"); "" otherwise (never string contents). */
  name: string;
  nodeType: string;
  /** How the previous step refers to this node: property name, `[index]`, closure variable, ... */
  edgeName: string;
  edgeType: string;
  selfSize: number;
  location: SourceLocation | null;
}

export function computeRootPaths(snap: HeapSnapshot): RootPaths {
  const parentEdge = new Int32Array(snap.nodeCount);
  rootPathEdges(snap, parentEdge);
  return rootPathsFrom(snap, parentEdge);
}

/**
 * The searches themselves: fills `parentEdge` (nodeCount entries; a worker
 * thread passes a shared array, analysis-workers.ts) with each node's path edge.
 * `queue`, when given, is nodeCount entries of scratch for the search's queue.
 */
export function rootPathEdges(snap: HeapSnapshot, parentEdge: Int32Array, queue: Uint32Array = new Uint32Array(snap.nodeCount)): void {
  const { firstEdge, edgeToNode, edgeType, edgeNameOrIndex, nodeName, nodeType } = snap;
  parentEdge.fill(-1);
  const weak = snap.edgeTypeWeak;
  const internal = snap.edgeTypeInternal;
  const root = snap.rootNode;
  // DevTools' distance filter: links that exist in the graph but do not explain
  // why an object is alive. A DescriptorArray's descriptor slots can be stale
  // for the maps sharing it; the native context's sloppy_function_map is a
  // shortcut to every sloppy function's map; a WeakMap value is kept by its key,
  // so the table's edge to it is not a path.
  const mapDescriptors = stringIndexOf(snap, '(map descriptors)');
  const nativeContext = stringIndexOf(snap, 'system / NativeContext');
  const sloppyFunctionMap = stringIndexOf(snap, 'sloppy_function_map');
  const weakMaps = new WeakMapEdges(snap);
  const weakMapName = weakMaps.nameState;
  // Visited flags: the search asks for every edge, and a bitset (bits.ts)
  // stays in the cache where `parentEdge` (4 bytes per node) would cost a
  // memory access each time, next to the main thread's own graph passes.
  const seen = bitset(snap.nodeCount);
  setBit(seen, root);
  let tail = 0;

  const bfs = (head: number): void => {
    while (head < tail) {
      const node = queue[head++]!;
      const end = firstEdge[node + 1]!;
      const descriptors = nodeName[node] === mapDescriptors && nodeType[node] === snap.nodeTypeArray;
      const context = nodeName[node] === nativeContext && nodeType[node] === snap.nodeTypeHidden;
      for (let e = firstEdge[node]!; e < end; e++) {
        const type = edgeType[e]!;
        if (type === weak) continue;
        const target = edgeToNode[e]!;
        if (hasBit(seen, target)) continue;
        if (descriptors) {
          const value = edgeNameOrIndex[e]!;
          const index = type === snap.edgeTypeElement || type === snap.edgeTypeHidden ? value : Number.parseInt(snap.strings.get(value), 10);
          if (index >= 2 && index % 3 === 1) continue;
        }
        if (context && edgeNameOrIndex[e] === sloppyFunctionMap && type !== snap.edgeTypeElement && type !== snap.edgeTypeHidden) continue;
        if (type === internal && weakMapName[edgeNameOrIndex[e]!] !== 1 && weakMaps.isTableEdge(node, e)) continue;
        setBit(seen, target);
        parentEdge[target] = e;
        queue[tail++] = target;
      }
    }
  };

  for (let e = firstEdge[root]!; e < firstEdge[root + 1]!; e++) {
    const target = edgeToNode[e]!;
    if (!isUserRoot(snap, target) || hasBit(seen, target)) continue;
    setBit(seen, target);
    parentEdge[target] = e;
    queue[tail++] = target;
  }
  bfs(0);
  const head = tail;
  queue[tail++] = root;
  bfs(head);
}

/** RootPaths over parent edges from rootPathEdges. */
export function rootPathsFrom(snap: HeapSnapshot, parentEdge: Int32Array): RootPaths {
  const root = snap.rootNode;
  let distance: Uint32Array | null = null;
  let parentNode: Int32Array | null = null;
  return {
    get distance(): Uint32Array {
      distance ??= distancesFromParents(this.parentNode, root);
      return distance;
    },
    get parentNode(): Int32Array {
      parentNode ??= parentNodes(snap, parentEdge);
      return parentNode;
    },
    parentEdge,
  };
}

/** The node edge `edge` leaves: binary search over firstEdge (nodes without edges have empty ranges). */
export function edgeSource(snap: HeapSnapshot, edge: number): number {
  const firstEdge = snap.firstEdge;
  let lo = 0;
  let hi = snap.nodeCount - 1;
  // The last node whose range starts at or before `edge`; an empty range ahead of it starts there too.
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (firstEdge[mid]! <= edge) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The previous node on `node`'s path, -1 for the root and unreachable nodes. */
export function pathParent(snap: HeapSnapshot, rootPaths: RootPaths, node: number): number {
  const edge = rootPaths.parentEdge[node]!;
  return edge < 0 ? -1 : edgeSource(snap, edge);
}

function parentNodes(snap: HeapSnapshot, parentEdge: Int32Array): Int32Array {
  const { nodeCount, firstEdge } = snap;
  const parentNode = new Int32Array(nodeCount).fill(-1);
  const edgeToNode = snap.edgeToNode;
  for (let node = 0; node < nodeCount; node++) {
    const end = firstEdge[node + 1]!;
    for (let e = firstEdge[node]!; e < end; e++) {
      const target = edgeToNode[e]!;
      if (parentEdge[target] === e) parentNode[target] = node;
    }
  }
  return parentNode;
}

/** Depth along the parent links, each node resolved once (iteratively, with a stack of unresolved ancestors). */
function distancesFromParents(parentNode: Int32Array, root: number): Uint32Array {
  const count = parentNode.length;
  const distance = new Uint32Array(count).fill(NO_DISTANCE);
  if (root < count) distance[root] = 0;
  const pending: number[] = [];
  for (let node = 0; node < count; node++) {
    let current = node;
    while (distance[current] === NO_DISTANCE && parentNode[current]! >= 0) {
      pending.push(current);
      current = parentNode[current]!;
    }
    // Unreachable chains end at a node without a parent: they stay NO_DISTANCE.
    let depth = distance[current]!;
    while (pending.length > 0) {
      const next = pending.pop()!;
      depth = depth === NO_DISTANCE ? NO_DISTANCE : depth + 1;
      distance[next] = depth;
    }
  }
  return distance;
}

/** `name`, `[3]`, or the edge type when nameless; never the raw string index. */
export function formatEdgeName(snap: HeapSnapshot, edge: number): string {
  const type = snap.edgeType[edge]!;
  if (type === snap.edgeTypeElement || type === snap.edgeTypeHidden) return `[${snap.edgeNameOrIndex[edge]!}]`;
  return snap.edgeNameString(edge);
}

/**
 * The path from a GC root to `node`, root first. Only the last `maxSteps`
 * steps are kept for very deep paths. Empty when the node is unreachable.
 */
export function retainerPath(snap: HeapSnapshot, rootPaths: RootPaths, node: number, maxSteps = 32): PathStep[] {
  const steps: PathStep[] = [];
  const root = snap.rootNode;
  if (node !== root && rootPaths.parentEdge[node] === -1) return steps;
  let current = node;
  while (current !== root && current >= 0 && steps.length < maxSteps) {
    const parent = pathParent(snap, rootPaths, current);
    // Edges from the root are numbered, not named (V8 writes "[2]" for the global's shortcut).
    const edge = parent === root ? -1 : rootPaths.parentEdge[current]!;
    steps.push(pathStep(snap, current, edge));
    current = parent;
  }
  return steps.reverse();
}

export function pathStep(snap: HeapSnapshot, node: number, edge: number): PathStep {
  return {
    node,
    nodeId: snap.nodeId[node]!,
    className: className(snap, node),
    name: snap.nodeType[node] === snap.nodeTypeClosure || snap.nodeType[node] === snap.nodeTypeSynthetic ? snap.nodeNameString(node) : '',
    nodeType: snap.nodeTypeName(node),
    edgeName: edge >= 0 ? formatEdgeName(snap, edge) : '',
    edgeType: edge >= 0 ? snap.edgeTypeName(edge) : '',
    selfSize: snap.nodeSelfSize[node]!,
    location: sourceLocation(snap, node),
  };
}

