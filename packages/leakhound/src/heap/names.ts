// Class names the way Chrome DevTools groups objects in its Summary view
// (calculateObjectNames): objects and natives by their constructor name,
// closures as Function, code as (compiled code), hidden as (system), the rest
// as "(<node type>)". Computed once per snapshot into an Int32 class id per
// node and a small name table, so histograms never touch strings per node.
import type { HeapSnapshot } from './snapshot.js';

export interface ClassTable {
  /** Class id per node ordinal (16 bits while there are fewer than 65,536 classes, which is the usual case). */
  classOf: Uint16Array | Int32Array;
  /** Class name per class id. */
  names: string[];
  /** 1 for VM-internal classes ("system / ...", "(system)", ...), see isInternalNode. */
  internal: Uint8Array;
}

const cache = new WeakMap<HeapSnapshot, ClassTable>();

/** Slots of classTable's name cache (a power of two). */
const NAME_CACHE = 1024;

export function classTable(snap: HeapSnapshot): ClassTable {
  const cached = cache.get(snap);
  if (cached) return cached;
  const table = computeClassTable(snap, null)!;
  cache.set(snap, table);
  return table;
}

/**
 * classTable's pass with the class ids written into `into` (nodeCount
 * entries; the graph worker passes a shared array): the class names, or null
 * when there are 65,536 classes or more (the ids then need 32 bits; the
 * caller computes the table itself).
 */
export function classTableInto(snap: HeapSnapshot, into: Uint16Array): string[] | null {
  return computeClassTable(snap, into)?.names ?? null;
}

/** Makes classTable(snap) answer with a table computed elsewhere (classTableInto on the graph worker). */
export function adoptClassTable(snap: HeapSnapshot, classOf: Uint16Array, names: string[]): void {
  cache.set(snap, { classOf, names, internal: internalFlags(names) });
}

function internalFlags(names: readonly string[]): Uint8Array {
  const internal = new Uint8Array(names.length);
  names.forEach((name, id) => {
    internal[id] = name.startsWith('system /') ? 1 : 0;
  });
  return internal;
}

function computeClassTable(snap: HeapSnapshot, into: Uint16Array | null): ClassTable | null {
  const { nodeCount, nodeType, nodeName } = snap;
  const names: string[] = [];
  const idByName = new Map<string, number>();
  const intern = (name: string): number => {
    let id = idByName.get(name);
    if (id === undefined) {
      id = names.length;
      names.push(name);
      idByName.set(name, id);
    }
    return id;
  };
  // Objects name their class by a string index; map each distinct index once.
  const idByString = new Map<number, number>();
  // Indexed by the node's type byte: every code has a slot, so unknown types
  // (past meta's list) read -1 and are named like objects, as before.
  const typeClass = new Int32Array(256).fill(-1);
  snap.meta.nodeTypes.forEach((type, code) => {
    if (code === snap.nodeTypeObject || code === snap.nodeTypeNative || code > 0xff) return;
    if (code === snap.nodeTypeHidden) typeClass[code] = intern('(system)');
    else if (code === snap.nodeTypeCode) typeClass[code] = intern('(compiled code)');
    else if (code === snap.nodeTypeClosure) typeClass[code] = intern('Function');
    else if (code === snap.nodeTypeRegexp) typeClass[code] = intern('RegExp');
    else typeClass[code] = intern(`(${type})`);
  });
  // Millions of objects share a few hundred constructor names: a direct-mapped
  // cache of string index -> class id answers almost all of them without a
  // Map lookup (a third of this pass's time on a 600 MB heap).
  const cacheKey = new Int32Array(NAME_CACHE).fill(-1);
  const cacheId = new Int32Array(NAME_CACHE);
  let classOf: Uint16Array | Int32Array = into ?? new Uint16Array(nodeCount);
  for (let i = 0; i < nodeCount; i++) {
    const fixed = typeClass[nodeType[i]!]!;
    if (fixed >= 0) {
      classOf[i] = fixed;
      continue;
    }
    const nameIndex = nodeName[i]!;
    const slot = nameIndex & (NAME_CACHE - 1);
    if (cacheKey[slot] === nameIndex) {
      classOf[i] = cacheId[slot]!;
      continue;
    }
    let id = idByString.get(nameIndex);
    if (id === undefined) {
      id = intern(domClassName(snap.strings.get(nameIndex)));
      idByString.set(nameIndex, id);
      if (id > 0xffff && classOf instanceof Uint16Array) {
        if (into !== null) return null;
        classOf = Int32Array.from(classOf);
      }
    }
    cacheKey[slot] = nameIndex;
    cacheId[slot] = id;
    classOf[i] = id;
  }
  return { classOf, names, internal: internalFlags(names) };
}

/** '<div id="a">' groups as '<div>', like DevTools. */
function domClassName(name: string): string {
  if (name.startsWith('<')) {
    const space = name.indexOf(' ');
    return space === -1 ? name : name.slice(0, space) + '>';
  }
  if (name.startsWith('Detached <')) {
    const space = name.indexOf(' ', 10);
    return space === -1 ? name : name.slice(0, space) + '>';
  }
  return name;
}

export function className(snap: HeapSnapshot, node: number): string {
  const table = classTable(snap);
  return table.names[table.classOf[node]!] ?? '';
}

/**
 * VM-internal nodes a person never wrote: code, hidden, object shapes,
 * synthetic roots, and "system / ..." objects. Suspects and paths are named
 * after the nearest node that is not one of these.
 */
export function isInternalNode(snap: HeapSnapshot, node: number, table?: ClassTable): boolean {
  const type = snap.nodeType[node]!;
  if (type === snap.nodeTypeHidden || type === snap.nodeTypeCode || type === snap.nodeTypeObjectShape ||
    type === snap.nodeTypeSynthetic || type === snap.nodeTypeArray) return true;
  if (type === snap.nodeTypeObject || type === snap.nodeTypeNative) {
    // Callers in per-node loops pass the table: looking it up is a WeakMap probe.
    const { classOf, internal } = table ?? classTable(snap);
    return internal[classOf[node]!] === 1;
  }
  return false;
}

/** The string index of `value` (-1 if absent), found once so per-node loops compare integers. */
export function stringIndexOf(snap: HeapSnapshot, value: string): number {
  const bytes = Buffer.byteLength(value);
  const { strings } = snap;
  for (let i = 0; i < strings.count; i++) if (strings.byteLengthOf(i) === bytes && strings.get(i) === value) return i;
  return -1;
}
