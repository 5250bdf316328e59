// Reverse edges in CSR form: for node n, retainerEdge/retainerNode
// [firstRetainer[n], firstRetainer[n+1]) are the edges pointing at n and the
// nodes they start from. Built with one counting pass and one fill pass.
import type { HeapSnapshot } from './snapshot.js';

export interface Retainers {
  /** Length nodeCount + 1. */
  firstRetainer: Uint32Array;
  /** Edge ordinal of each retaining edge. */
  retainerEdge: Uint32Array;
  /** Node ordinal the retaining edge starts from. */
  retainerNode: Uint32Array;
}

/**
 * Turns per-node counts in counts[0..n-1] into CSR start offsets in place
 * (exclusive prefix sums) and stores the total in counts[n]; returns the total.
 */
export function countsToOffsets(counts: Uint32Array): number {
  const n = counts.length - 1;
  let running = 0;
  for (let i = 0; i < n; i++) {
    const count = counts[i]!;
    counts[i] = running;
    running += count;
  }
  counts[n] = running;
  return running;
}

export function buildRetainers(snap: HeapSnapshot): Retainers {
  const { nodeCount, edgeCount, edgeToNode, firstEdge } = snap;
  const firstRetainer = new Uint32Array(nodeCount + 1);
  const retainerEdge = new Uint32Array(edgeCount);
  const retainerNode = new Uint32Array(edgeCount);

  for (let e = 0; e < edgeCount; e++) firstRetainer[edgeToNode[e]!]!++;
  // firstRetainer[n] then walks forward as slots fill, and is shifted back afterwards.
  countsToOffsets(firstRetainer);
  for (let n = 0; n < nodeCount; n++) {
    const end = firstEdge[n + 1]!;
    for (let e = firstEdge[n]!; e < end; e++) {
      const slot = firstRetainer[edgeToNode[e]!]!++;
      retainerEdge[slot] = e;
      retainerNode[slot] = n;
    }
  }
  for (let n = nodeCount; n > 0; n--) firstRetainer[n] = firstRetainer[n - 1]!;
  firstRetainer[0] = 0;
  return { firstRetainer, retainerEdge, retainerNode };
}
