// Class histogram with DevTools' semantics: nodes of shallow size 0 are not
// listed; a class's retained size sums the retained sizes of its objects that
// are not inside the dominator subtree of another object of the same class, so
// nothing is counted twice (a linked list of Nodes retains its size once).
import type { HeapSnapshot } from './snapshot.js';
import type { Dominators } from './dominators.js';
import { classTable } from './names.js';

export interface HistogramRow {
  className: string;
  count: number;
  shallowSize: number;
  retainedSize: number;
}

export function classHistogram(snap: HeapSnapshot, dom: Dominators): HistogramRow[] {
  const { classOf, names } = classTable(snap);
  const classCount = names.length;
  const count = new Float64Array(classCount);
  const shallow = new Float64Array(classCount);
  const retained = new Float64Array(classCount);
  const { shallowSize, retainedSize, firstDominated, dominated } = dom;
  const nodeCount = snap.nodeCount;

  // Depth-first walk of the dominator tree with an explicit stack. `open[c]`
  // counts the ancestors of class c on the current path; a node adds its
  // retained size only when no ancestor has its class. Each stack entry is a
  // node, or ~class to close a class opened by a node after its subtree (the
  // class itself, not the node: no second read of the node's class id).
  // Every node is in the tree (unreachable ones hang under the root), so the
  // walk also makes the counts and shallow sums: a separate pass over all
  // nodes would read the class ids and sizes a second time.
  const open = new Uint32Array(classCount);
  // Grows on demand: the stack holds the unvisited siblings along one path, far fewer than the nodes.
  let stack = new Int32Array(Math.min(nodeCount * 2 + 2, 1 << 16));
  let top = 0;
  stack[top++] = snap.rootNode;
  while (top > 0) {
    const entry = stack[--top]!;
    if (entry < 0) {
      open[~entry]!--;
      continue;
    }
    const node = entry;
    const c = classOf[node]!;
    const size = shallowSize[node]!;
    let counted = false;
    if (size !== 0) {
      count[c]!++;
      shallow[c] = shallow[c]! + size;
      if (open[c] === 0) {
        counted = true;
        retained[c] = retained[c]! + retainedSize[node]!;
      }
    }
    const from = firstDominated[node]!;
    const to = firstDominated[node + 1]!;
    if (top + (to - from) + 1 > stack.length) {
      const grown = new Int32Array(Math.max(stack.length * 2, top + (to - from) + 1));
      grown.set(stack.subarray(0, top));
      stack = grown;
    }
    if (counted) {
      open[c]!++;
      stack[top++] = ~c;
    }
    for (let j = from; j < to; j++) {
      const child = dominated[j]!;
      if (firstDominated[child] !== firstDominated[child + 1]) {
        stack[top++] = child;
        continue;
      }
      // A leaf (about half the nodes) is settled here instead of going through
      // the stack: open[] is its parent's, and its retained size is its shallow size.
      const childSize = shallowSize[child]!;
      if (childSize === 0) continue;
      const cc = classOf[child]!;
      count[cc]!++;
      shallow[cc] = shallow[cc]! + childSize;
      if (open[cc] === 0) retained[cc] = retained[cc]! + childSize;
    }
  }

  const rows: HistogramRow[] = [];
  for (let c = 0; c < classCount; c++) {
    if (count[c] === 0) continue;
    rows.push({ className: names[c]!, count: count[c]!, shallowSize: shallow[c]!, retainedSize: retained[c]! });
  }
  rows.sort((a, b) => b.retainedSize - a.retainedSize || b.shallowSize - a.shallowSize || (a.className < b.className ? -1 : 1));
  return rows;
}
