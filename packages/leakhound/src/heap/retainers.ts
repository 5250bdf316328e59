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

export function buildRetainers(snap: HeapSnapshot): Retainers {
  const { nodeCount, edgeCount, edgeToNode, firstEdge } = snap;
  const firstRetainer = new Uint32Array(nodeCount + 1);
  const retainerEdge = new Uint32Array(edgeCount);
  const retainerNode = new Uint32Array(edgeCount);

  for (let e = 0; e < edgeCount; e++) firstRetainer[edgeToNode[e]!]!++;
  // Exclusive prefix sums; firstRetainer[n] then walks forward as slots fill,
  // and is shifted back afterwards.
  let running = 0;
  for (let n = 0; n < nodeCount; n++) {
    const count = firstRetainer[n]!;
    firstRetainer[n] = running;
    running += count;
  }
  firstRetainer[nodeCount] = running;
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
