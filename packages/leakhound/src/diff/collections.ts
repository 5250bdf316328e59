// Recognises the collections a leak usually grows in (Map, Set, Array, plain
// object used as a dictionary) and counts their entries as V8 writes them:
// - JSMap/JSSet: `internal:table` -> an OrderedHashMap/Set FixedArray whose
//   internal edges are named by slot index. A Map entry is (key, value, chain)
//   and a Set entry (key, chain); Smi keys/values and the chain have no edge, so
//   an entry is one edge, or two edges on adjacent slots (a Map key and value).
// - JSArray: `element` edges straight on the array object.
// - Plain object: `property` edges (V8 lists dictionary-mode properties too).
import type { HeapSnapshot } from '../heap/snapshot.js';

export type CollectionKind = 'Map' | 'Set' | 'Array' | 'Object';

/** Kind codes stored in typed arrays; 0 = not a collection. */
export const KIND_NONE = 0;
const KIND_CODES: readonly (CollectionKind | null)[] = [null, 'Map', 'Set', 'Array', 'Object'];

export function kindName(code: number): CollectionKind | null {
  return KIND_CODES[code] ?? null;
}

/** Plain objects with fewer own entries than this are records, not dictionaries. */
export const MIN_DICTIONARY_ENTRIES = 8;

/** Per-snapshot constants looked up once (string-table indexes of edge names). */
export class CollectionProbe {
  private readonly _snap: HeapSnapshot;
  private readonly _names = new Map<number, string>();
  // V8 interns edge names, so one string index stands for 'table'; memoised
  // so the scan over every object never decodes a string.
  private _tableName = -1;
  // Slot number by edge-name string index: -2 unknown, -1 not a slot.
  private _slotOfName: Int32Array | null = null;

  constructor(snap: HeapSnapshot) {
    this._snap = snap;
  }

  private _name(node: number): string {
    const index = this._snap.nodeName[node]!;
    let name = this._names.get(index);
    if (name === undefined) {
      name = this._snap.strings.get(index);
      this._names.set(index, name);
    }
    return name;
  }

  /** The OrderedHash table array of a Map/Set (or subclass), or -1. */
  hashTable(node: number): number {
    const s = this._snap;
    if (s.nodeType[node] !== s.nodeTypeObject) return -1;
    const end = s.firstEdge[node + 1]!;
    for (let e = s.firstEdge[node]!; e < end; e++) {
      if (s.edgeType[e] !== s.edgeTypeInternal) continue;
      const nameIndex = s.edgeNameOrIndex[e]!;
      if (nameIndex !== this._tableName) {
        if (this._tableName >= 0 || s.strings.get(nameIndex) !== 'table') continue;
        this._tableName = nameIndex;
      }
      const to = s.edgeToNode[e]!;
      if (s.nodeType[to] === s.nodeTypeArray) return to;
    }
    return -1;
  }

  /** Collection kind code of a node (see kindName), KIND_NONE otherwise. */
  kind(node: number): number {
    const s = this._snap;
    if (s.nodeType[node] !== s.nodeTypeObject) return KIND_NONE;
    const name = this._name(node);
    if (name === 'Array') return 3;
    if (name === 'Object') return 4;
    // WeakMap/WeakSet tables hold ephemerons: entries die with their keys.
    if (name === 'WeakMap' || name === 'WeakSet') return KIND_NONE;
    if (name === 'Set') return this.hashTable(node) >= 0 ? 2 : KIND_NONE;
    // Map, and user subclasses of Map or Set (named after the class).
    const table = this.hashTable(node);
    if (table < 0) return KIND_NONE;
    return this._tableHasPairs(table) ? 1 : name === 'Map' ? 1 : 2;
  }

  private _tableHasPairs(table: number): boolean {
    const s = this._snap;
    let previous = -2;
    const end = s.firstEdge[table + 1]!;
    for (let e = s.firstEdge[table]!; e < end; e++) {
      const slot = this._tableSlot(e);
      if (slot < 0) continue;
      if (slot === previous + 1) return true;
      previous = slot;
    }
    return false;
  }

  /** Slot index of a table edge, or -1 for the array's own internals (`map`). */
  private _tableSlot(edge: number): number {
    const s = this._snap;
    const type = s.edgeType[edge]!;
    if (type === s.edgeTypeWeak) return -1;
    if (type === s.edgeTypeElement || type === s.edgeTypeHidden) return s.edgeNameOrIndex[edge]!;
    if (type !== s.edgeTypeInternal) return -1;
    const nameIndex = s.edgeNameOrIndex[edge]!;
    const slots = (this._slotOfName ??= new Int32Array(s.strings.count).fill(-2));
    let slot = slots[nameIndex] ?? -1;
    if (slot === -2) {
      slot = s.strings.decimalOf(nameIndex);
      slots[nameIndex] = slot;
    }
    return slot;
  }

  /** Number of entries of a collection node of the given kind code. */
  entryCount(node: number, kind: number): number {
    const s = this._snap;
    if (kind === 1 || kind === 2) {
      const table = this.hashTable(node);
      if (table < 0) return 0;
      let entries = 0;
      let previous = -2;
      const end = s.firstEdge[table + 1]!;
      for (let e = s.firstEdge[table]!; e < end; e++) {
        const slot = this._tableSlot(e);
        if (slot < 0) continue;
        // A Map value next to its key is the same entry.
        if (!(kind === 1 && slot === previous + 1)) entries++;
        previous = slot;
      }
      return entries;
    }
    let entries = 0;
    const end = s.firstEdge[node + 1]!;
    const wanted = kind === 3 ? s.edgeTypeElement : s.edgeTypeProperty;
    for (let e = s.firstEdge[node]!; e < end; e++) {
      if (s.edgeType[e] !== wanted) continue;
      if (kind === 4 && s.strings.get(s.edgeNameOrIndex[e]!) === '__proto__') continue;
      entries++;
    }
    return entries;
  }

  /**
   * Calls fn(entryNode, edge) for each value held by the collection: the Map
   * value (or the key when the value is a Smi), the Set key, the array element
   * or the property value.
   */
  forEachEntry(node: number, kind: number, fn: (entry: number, edge: number) => void): void {
    const s = this._snap;
    if (kind === 1 || kind === 2) {
      const table = this.hashTable(node);
      if (table < 0) return;
      const end = s.firstEdge[table + 1]!;
      let pendingEdge = -1;
      let pendingSlot = -2;
      for (let e = s.firstEdge[table]!; e < end; e++) {
        const slot = this._tableSlot(e);
        if (slot < 0) continue;
        if (kind === 1 && slot === pendingSlot + 1) {
          // The value supersedes its key as "the entry".
          pendingEdge = e;
          pendingSlot = -2;
          continue;
        }
        if (pendingEdge >= 0) fn(s.edgeToNode[pendingEdge]!, pendingEdge);
        pendingEdge = e;
        pendingSlot = slot;
      }
      if (pendingEdge >= 0) fn(s.edgeToNode[pendingEdge]!, pendingEdge);
      return;
    }
    const end = s.firstEdge[node + 1]!;
    const wanted = kind === 3 ? s.edgeTypeElement : s.edgeTypeProperty;
    for (let e = s.firstEdge[node]!; e < end; e++) {
      if (s.edgeType[e] !== wanted) continue;
      if (kind === 4 && s.strings.get(s.edgeNameOrIndex[e]!) === '__proto__') continue;
      fn(s.edgeToNode[e]!, e);
    }
  }
}
