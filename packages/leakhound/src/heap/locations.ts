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
   * Location records chained by the high bits of their node ordinal: the
   * records of bucket b are headOf[b], then nextOf[record] until -1, last
   * record first; a few dozen per bucket. One pass over the records builds
   * it (a counting sort took two, the second scattering writes over 8 MB).
   */
  headOf: Int32Array;
  nextOf: Int32Array;
  shift: number;
  /**
   * Script names found so far. One closure per script id is enough to learn
   * the script's name; the records are read in order, only as far as a
   * question needs (the first closure of every script named on the way),
   * which gives the same names as reading them all up front.
   */
  scriptUrl: Map<number, string>;
  /** The next record to read for script names. */
  urlScan: number;
  /** The script of the last record read, when it is named (records come in runs of one script). */
  lastId: number;
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
  const { locationNode } = snap;
  const records = locationNode.length;
  const shift = Math.max(0, Math.ceil(Math.log2(snap.nodeCount + 1)) - 16);
  const headOf = new Int32Array(BUCKETS).fill(-1);
  const nextOf = new Int32Array(records);
  for (let i = 0; i < records; i++) {
    const bucket = locationNode[i]! >>> shift;
    // Only a node past the graph falls outside the buckets; no question reaches it.
    if (bucket >= BUCKETS) continue;
    nextOf[i] = headOf[bucket]!;
    headOf[bucket] = i;
  }
  const index = { headOf, nextOf, shift, scriptUrl: new Map<number, string>(), urlScan: 0, lastId: -1 };
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

/** The first location record of `node`, or -1 (a walk over its bucket's chain). */
function recordOf(snap: HeapSnapshot, index: LocationIndex, node: number): number {
  const bucket = node >>> index.shift;
  if (bucket >= BUCKETS) return -1;
  const { nextOf } = index;
  const nodes = snap.locationNode;
  // The chain runs from the last record back, so the match met last is the first record.
  let found = -1;
  for (let i = index.headOf[bucket]!; i >= 0; i = nextOf[i]!) if (nodes[i] === node) found = i;
  return found;
}

/** The script's name, reading the records for names as far as needed. */
function scriptUrlOf(snap: HeapSnapshot, index: LocationIndex, scriptId: number): string | undefined {
  const { scriptUrl } = index;
  if (scriptUrl.has(scriptId)) return scriptUrl.get(scriptId);
  const { locationNode, locationScriptId } = snap;
  const records = locationNode.length;
  let i = index.urlScan;
  let lastId = index.lastId;
  while (i < records) {
    const id = locationScriptId[i++]!;
    // Records come in runs of one script (2 M records, 15 K runs on a 600 MB
    // heap): the rest of a named script's run costs no Map lookup.
    if (id === lastId) continue;
    if (scriptUrl.has(id)) {
      lastId = id;
      continue;
    }
    const node = locationNode[i - 1]!;
    if (snap.nodeType[node] !== snap.nodeTypeClosure) continue;
    const script = scriptOfClosure(snap, node);
    if (script < 0) continue;
    const name = snap.nodeNameString(script);
    if (name !== '' && !name.startsWith('system /')) {
      scriptUrl.set(id, name);
      lastId = id;
      if (id === scriptId) break;
    }
  }
  index.urlScan = i;
  index.lastId = lastId;
  return scriptUrl.get(scriptId);
}

function fromRecord(snap: HeapSnapshot, index: LocationIndex, record: number): SourceLocation | null {
  const scriptId = snap.locationScriptId[record]!;
  const url = scriptUrlOf(snap, index, scriptId) ?? `script #${scriptId}`;
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
