// Heap statistics in DevTools' categories (JSHeapSnapshot.calculateStatistics):
// code, strings, JS arrays (an Array plus its elements store when only it holds
// them), typed arrays (ArrayBuffer backing stores), system (hidden nodes),
// native, and the rest as "other". Sizes are the DevTools shallow sizes.
import type { HeapSnapshot } from './snapshot.js';
import type { Retainers } from './retainers.js';

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

export function heapStatistics(snap: HeapSnapshot, shallowSize: Float64Array, retainers: Retainers): HeapStatistics {
  const { nodeCount, nodeType, nodeName, firstEdge, edgeType, edgeNameOrIndex, edgeToNode } = snap;
  const { firstRetainer } = retainers;
  const nameIs = (expected: string): number => {
    // Resolve a string to its index once instead of decoding names per node.
    for (let i = 0; i < snap.strings.count; i++) if (snap.strings.byteLengthOf(i) === expected.length && snap.strings.get(i) === expected) return i;
    return -1;
  };
  const arrayName = nameIs('Array');
  const bufferDataName = nameIs('system / JSArrayBufferData');
  const elementsName = nameIs('elements');
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
    } else if (nodeName[i] === arrayName && arrayName >= 0) {
      let arraySize = size;
      for (let e = firstEdge[i]!; e < firstEdge[i + 1]!; e++) {
        if (edgeType[e] !== snap.edgeTypeInternal || edgeNameOrIndex[e] !== elementsName) continue;
        const elements = edgeToNode[e]!;
        if (firstRetainer[elements + 1]! - firstRetainer[elements]! === 1) arraySize += shallowSize[elements]!;
        break;
      }
      jsArrays += arraySize;
    }
  }
  const v8heap = total - native;
  return { total, v8heap, code, strings, jsArrays, typedArrays, system, native, other: v8heap - code - strings - jsArrays - system };
}
