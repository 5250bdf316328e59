// Heap statistics in DevTools' categories (JSHeapSnapshot.calculateStatistics):
// code, strings, JS arrays (an Array plus its elements store when only it holds
// them), typed arrays (ArrayBuffer backing stores), system (hidden nodes),
// native, and the rest as "other". Sizes are the DevTools shallow sizes.
import type { HeapSnapshot } from './snapshot.js';
import { stringIndexOf } from './names.js';
import { bitset, hasBit, setBit } from './bits.js';
import type { ShallowSizes } from './dominators.js';

export interface HeapStatistics {
  /** Sum of all shallow sizes. */
  total: number;
  /** V8 heap: total minus native. */
  v8heap: number;
  code: number;
  strings: number;
  jsArrays: number;
  typedArrays: number;
  system: number;
  native: number;
  /** v8heap minus code, strings, JS arrays and system. */
  other: number;
}

/** The `elements` store of an Array node, or -1. */
function elementsOf(snap: HeapSnapshot, node: number, elementsName: number): number {
  for (let e = snap.firstEdge[node]!; e < snap.firstEdge[node + 1]!; e++) {
    if (snap.edgeType[e] === snap.edgeTypeInternal && snap.edgeNameOrIndex[e] === elementsName) return snap.edgeToNode[e]!;
  }
  return -1;
}

export function heapStatistics(snap: HeapSnapshot, shallowSize: ShallowSizes): HeapStatistics {
  const { nodeCount, nodeType, nodeName, edgeCount, edgeToNode } = snap;
  const arrayName = stringIndexOf(snap, 'Array');
  const bufferDataName = stringIndexOf(snap, 'system / JSArrayBufferData');
  const elementsName = stringIndexOf(snap, 'elements');
  const isArray = (i: number): boolean => arrayName >= 0 && nodeName[i] === arrayName && nodeType[i] !== snap.nodeTypeHidden &&
    nodeType[i] !== snap.nodeTypeNative && nodeType[i] !== snap.nodeTypeCode && nodeType[i] !== snap.nodeTypeString &&
    nodeType[i] !== snap.nodeTypeConsString && nodeType[i] !== snap.nodeTypeSlicedString;
  // DevTools counts an Array's elements store only when the Array is its sole
  // retainer: count retainers (up to 2) of those stores only. Three bitsets
  // (bits.ts, cached): the pass over every edge costs a bit test per edge,
  // not a memory access.
  const isStore = bitset(nodeCount);
  const once = bitset(nodeCount);
  const twice = bitset(nodeCount);
  for (let i = 0; i < nodeCount; i++) {
    if (!isArray(i)) continue;
    const elements = elementsOf(snap, i, elementsName);
    if (elements >= 0) setBit(isStore, elements);
  }
  for (let e = 0; e < edgeCount; e++) {
    const target = edgeToNode[e]!;
    if (!hasBit(isStore, target)) continue;
    if (!hasBit(once, target)) setBit(once, target);
    else setBit(twice, target);
  }
  let total = 0;
  let code = 0;
  let strings = 0;
  let jsArrays = 0;
  let typedArrays = 0;
  let system = 0;
  let native = 0;
  for (let i = 0; i < nodeCount; i++) {
    const size = shallowSize[i]!;
    total += size;
    const type = nodeType[i]!;
    if (type === snap.nodeTypeHidden) {
      system += size;
    } else if (type === snap.nodeTypeNative) {
      native += size;
      if (nodeName[i] === bufferDataName) typedArrays += size;
    } else if (type === snap.nodeTypeCode) {
      code += size;
    } else if (type === snap.nodeTypeString || type === snap.nodeTypeConsString || type === snap.nodeTypeSlicedString) {
      strings += size;
    } else if (isArray(i)) {
      const elements = elementsOf(snap, i, elementsName);
      jsArrays += size + (elements >= 0 && !hasBit(twice, elements) ? shallowSize[elements]! : 0);
    }
  }
  const v8heap = total - native;
  return { total, v8heap, code, strings, jsArrays, typedArrays, system, native, other: v8heap - code - strings - jsArrays - system };
}
