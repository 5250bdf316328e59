// Source locations for closures and objects: the snapshot's `locations`
// section gives (script id, 0-based line, 0-based column) for functions, and V8
// records the constructor's location on object instances too. The script id
// becomes a URL through the graph: closure -shared-> SharedFunctionInfo
// -script_or_debug_info (or script)-> Script, whose node name is the script name.
import type { HeapSnapshot } from './snapshot.js';

export interface SourceLocation {
  url: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

interface LocationIndex {
  /**
   * Location record indexes grouped by the high bits of their node ordinal
   * (one counting-sort pass, no temporary array): records of bucket b are
   * byNode[bucketStart[b] .. bucketStart[b+1]), a few hundred at most.
   */
  byNode: Uint32Array;
  bucketStart: Uint32Array;
  shift: number;
  scriptUrl: Map<number, string>;
}

const BUCKETS = 1 << 16;

const cache = new WeakMap<HeapSnapshot, LocationIndex>();

function findEdge(snap: HeapSnapshot, node: number, names: readonly string[]): number {
  const end = snap.firstEdge[node + 1]!;
  for (let e = snap.firstEdge[node]!; e < end; e++) {
    const type = snap.edgeType[e]!;
    if (type === snap.edgeTypeElement || type === snap.edgeTypeHidden) continue;
    if (names.includes(snap.strings.get(snap.edgeNameOrIndex[e]!))) return snap.edgeToNode[e]!;
  }
  return -1;
}

/** The Script node a closure's code comes from, or -1. */
function scriptOfClosure(snap: HeapSnapshot, closure: number): number {
  const shared = findEdge(snap, closure, ['shared']);
  if (shared < 0) return -1;
  let script = findEdge(snap, shared, ['script_or_debug_info', 'script']);
  // When a function has debug info, the DebugInfo node sits between them.
  if (script >= 0 && snap.nodeNameString(script) === 'system / DebugInfo') script = findEdge(snap, script, ['script']);
  return script;
}

function locationIndex(snap: HeapSnapshot): LocationIndex {
  const cached = cache.get(snap);
  if (cached) return cached;
  // Buckets instead of one slot per node: only a part of the nodes have a location.
  const { locationNode, locationScriptId } = snap;
  const records = locationNode.length;
  const shift = Math.max(0, Math.ceil(Math.log2(snap.nodeCount + 1)) - 16);
  const bucketStart = new Uint32Array(BUCKETS + 1);
  for (let i = 0; i < records; i++) bucketStart[(locationNode[i]! >>> shift) + 1]!++;
  for (let b = 1; b <= BUCKETS; b++) bucketStart[b] = bucketStart[b]! + bucketStart[b - 1]!;
  const byNode = new Uint32Array(records);
  const fill = bucketStart.slice(0, BUCKETS);
  for (let i = 0; i < records; i++) byNode[fill[locationNode[i]! >>> shift]!++] = i;
  // One closure per script id is enough to learn the script's name.
  const scriptUrl = new Map<number, string>();
  for (let i = 0; i < records; i++) {
    const scriptId = locationScriptId[i]!;
    if (scriptUrl.has(scriptId)) continue;
    const node = locationNode[i]!;
    if (snap.nodeType[node] !== snap.nodeTypeClosure) continue;
    const script = scriptOfClosure(snap, node);
    if (script < 0) continue;
    const name = snap.nodeNameString(script);
    if (name !== '' && !name.startsWith('system /')) scriptUrl.set(scriptId, name);
  }
  const index = { byNode, bucketStart, shift, scriptUrl };
  cache.set(snap, index);
  return index;
}

/**
 * The constructor of an object: follow map -> (back_pointer)* -> constructor.
 * Returns -1 when the chain does not end at a closure.
 */
export function constructorOf(snap: HeapSnapshot, node: number): number {
  let map = findEdge(snap, node, ['map']);
  for (let step = 0; map >= 0 && step < 64; step++) {
    const ctor = findEdge(snap, map, ['constructor', 'constructor_or_back_pointer']);
    if (ctor >= 0 && snap.nodeType[ctor] === snap.nodeTypeClosure) return ctor;
    if (ctor >= 0 && snap.nodeTypeName(ctor) === 'object shape') {
      map = ctor;
      continue;
    }
    map = findEdge(snap, map, ['back_pointer']);
  }
  return -1;
}

/** The location record of `node`, or -1 (a scan of its bucket). */
function recordOf(snap: HeapSnapshot, index: LocationIndex, node: number): number {
  const bucket = node >>> index.shift;
  if (bucket >= BUCKETS) return -1;
  const { byNode } = index;
  const nodes = snap.locationNode;
  const end = index.bucketStart[bucket + 1]!;
  for (let i = index.bucketStart[bucket]!; i < end; i++) if (nodes[byNode[i]!] === node) return byNode[i]!;
  return -1;
}

function fromRecord(snap: HeapSnapshot, index: LocationIndex, record: number): SourceLocation | null {
  const scriptId = snap.locationScriptId[record]!;
  const url = index.scriptUrl.get(scriptId) ?? `script #${scriptId}`;
  return { url, line: snap.locationLine[record]! + 1, column: snap.locationColumn[record]! + 1 };
}

/** file:line:column (1-based) for closures and constructed objects, or null. */
export function sourceLocation(snap: HeapSnapshot, node: number): SourceLocation | null {
  const index = locationIndex(snap);
  const record = recordOf(snap, index, node);
  if (record >= 0) return fromRecord(snap, index, record);
  const type = snap.nodeType[node]!;
  if (type !== snap.nodeTypeObject) return null;
  const ctor = constructorOf(snap, node);
  if (ctor < 0) return null;
  const ctorRecord = recordOf(snap, index, ctor);
  return ctorRecord >= 0 ? fromRecord(snap, index, ctorRecord) : null;
}

export function formatLocation(location: SourceLocation): string {
  return `${location.url}:${location.line}:${location.column}`;
}
