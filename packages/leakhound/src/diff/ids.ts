// What the diff keeps of an earlier snapshot once its graph is released:
// V8 object ids (stable for one object within one process) as a set, plus the entry counts of its collections, keyed by collection id.
import type { HeapSnapshot } from '../heap/snapshot.js';
import type { SizeArray } from '../heap/dominators.js';
import { CollectionProbe, KIND_NONE } from './collections.js';

/** A bitset over the id range is used while it costs at most this many bytes per node. */
const MAX_BITSET_BYTES_PER_NODE = 4;

/**
 * The ids of one snapshot. V8 ids are dense (odd numbers counting up), so a
 * bitset over 0..maxId answers membership in O(1) and is smaller than the
 * ids themselves; a crafted file with huge sparse ids falls back to a sorted array.
 */
export class IdSet {
  readonly size: number;
  readonly maxId: number;
  private readonly _bits: Uint8Array | null;
  private readonly _sorted: Uint32Array | null;

  private constructor(size: number, maxId: number, bits: Uint8Array | null, sorted: Uint32Array | null) {
    this.size = size;
    this.maxId = maxId;
    this._bits = bits;
    this._sorted = sorted;
  }

  static fromSnapshot(snap: HeapSnapshot): IdSet {
    const ids = snap.nodeId;
    let maxId = 0;
    for (let i = 0; i < ids.length; i++) if (ids[i]! > maxId) maxId = ids[i]!;
    const bytes = Math.floor(maxId / 8) + 1;
    if (bytes <= Math.max(1024, ids.length * MAX_BITSET_BYTES_PER_NODE)) {
      const bits = new Uint8Array(bytes);
      let size = 0;
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        const mask = 1 << (id & 7);
        if ((bits[id >>> 3]! & mask) === 0) size++;
        bits[id >>> 3]! |= mask;
      }
      return new IdSet(size, maxId, bits, null);
    }
    const sorted = dedupeSorted(Uint32Array.from(ids).sort());
    return new IdSet(sorted.length, maxId, null, sorted);
  }

  has(id: number): boolean {
    if (id > this.maxId) return false;
    if (this._bits) return (this._bits[id >>> 3]! & (1 << (id & 7))) !== 0;
    return indexOfSorted(this._sorted!, id) >= 0;
  }
}

function dedupeSorted(ids: Uint32Array): Uint32Array {
  if (ids.length < 2) return ids;
  let w = 1;
  for (let r = 1; r < ids.length; r++) if (ids[r] !== ids[w - 1]) ids[w++] = ids[r]!;
  return w === ids.length ? ids : ids.slice(0, w);
}

export function indexOfSorted(sorted: Uint32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v < value) lo = mid + 1;
    else if (v > value) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/** Entry counts of every collection of one snapshot, by collection id. */
export class CollectionCounts {
  readonly ids: Uint32Array;
  readonly counts: Uint32Array;
  /** Retained size of each collection (0 when no dominator tree was given). */
  readonly retained: Float64Array;

  constructor(ids: Uint32Array, counts: Uint32Array, retained: Float64Array) {
    this.ids = ids;
    this.counts = counts;
    this.retained = retained;
  }

  static fromSnapshot(snap: HeapSnapshot, retainedSize: SizeArray | null = null, minEntries = 1): CollectionCounts {
    const probe = new CollectionProbe(snap);
    const pairs: number[] = [];
    for (let node = 0; node < snap.nodeCount; node++) {
      const kind = probe.kind(node);
      if (kind === KIND_NONE) continue;
      const count = probe.entryCount(node, kind);
      if (count >= minEntries) pairs.push(snap.nodeId[node]!, count, node);
    }
    const order = new Uint32Array(pairs.length / 3);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort((a, b) => pairs[a * 3]! - pairs[b * 3]!);
    const ids = new Uint32Array(order.length);
    const counts = new Uint32Array(order.length);
    const retained = new Float64Array(order.length);
    for (let i = 0; i < order.length; i++) {
      ids[i] = pairs[order[i]! * 3]!;
      counts[i] = pairs[order[i]! * 3 + 1]!;
      if (retainedSize) retained[i] = retainedSize[pairs[order[i]! * 3 + 2]!]!;
    }
    return new CollectionCounts(ids, counts, retained);
  }

  /** Entry count of the collection with this id, or -1 when it did not exist (or was empty). */
  countOf(id: number): number {
    const i = indexOfSorted(this.ids, id);
    return i < 0 ? -1 : this.counts[i]!;
  }

  retainedOf(id: number): number {
    const i = indexOfSorted(this.ids, id);
    return i < 0 ? 0 : this.retained[i]!;
  }
}
