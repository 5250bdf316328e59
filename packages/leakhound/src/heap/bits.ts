// One bit per node (or edge) in an Int32Array: the graph searches' "visited"
// flags and similar, 0.8 MB for 6.5 M nodes, small enough to stay in the
// cache where a byte or a 4-byte slot per node would cost a memory access.
// Tiny functions the compiler inlines into the hot loops.

/** A zeroed bitset for `count` positions. */
export function bitset(count: number): Int32Array {
  return new Int32Array((count >>> 5) + 1);
}

export function hasBit(bits: Int32Array, i: number): boolean {
  return ((bits[i >>> 5]! >>> (i & 31)) & 1) === 1;
}

export function setBit(bits: Int32Array, i: number): void {
  bits[i >>> 5] = bits[i >>> 5]! | (1 << (i & 31));
}
