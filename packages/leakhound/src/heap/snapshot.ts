// The in-memory heap graph: columnar typed arrays, one entry per node / edge,
// addressed by ordinal. No object per node. The parser (parser.ts) and the
// small-input constructor (fromRawSnapshot in raw.ts) both produce this.
import type { StringTable } from './strings.js';
import type { WasmMemory } from './wasm-records.js';

export interface SnapshotMeta {
  nodeFields: readonly string[];
  nodeTypes: readonly string[];
  edgeFields: readonly string[];
  edgeTypes: readonly string[];
  locationFields: readonly string[];
}

export interface HeapSnapshotInit {
  meta: SnapshotMeta;
  strings: StringTable;
  nodeCount: number;
  edgeCount: number;
  nodeType: Uint8Array;
  nodeName: Uint32Array;
  nodeId: Uint32Array;
  /** 32-bit unless some size needs more (a builder that sees one widens to doubles). */
  nodeSelfSize: Uint32Array | Float64Array;
  /** Either the per-node edge counts or, cheaper, their running sum (`firstEdge`, length nodeCount + 1). */
  nodeEdgeCount?: Uint32Array;
  firstEdge?: Uint32Array;
  nodeTraceId: Uint32Array | null;
  nodeDetachedness: Uint8Array | null;
  edgeType: Uint8Array;
  edgeNameOrIndex: Uint32Array;
  /** Target node ordinal (already divided by the node field count). */
  edgeToNode: Uint32Array;
  locationNode: Uint32Array;
  locationScriptId: Uint32Array;
  locationLine: Uint32Array;
  locationColumn: Uint32Array;
  /** File size in bytes (0 when built in memory). */
  sourceBytes: number;
  /** The WebAssembly memory the node and edge columns are in, when the parser put them there (wasm-records.ts). */
  kernelMemory?: WasmMemory | null;
}

export class HeapSnapshot {
  readonly meta: SnapshotMeta;
  readonly strings: StringTable;
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly nodeType: Uint8Array;
  readonly nodeName: Uint32Array;
  readonly nodeId: Uint32Array;
  readonly nodeSelfSize: Uint32Array | Float64Array;
  readonly nodeTraceId: Uint32Array | null;
  readonly nodeDetachedness: Uint8Array | null;
  readonly edgeType: Uint8Array;
  readonly edgeNameOrIndex: Uint32Array;
  readonly edgeToNode: Uint32Array;
  /** firstEdge[i]..firstEdge[i+1] are node i's outgoing edges; length nodeCount + 1. */
  readonly firstEdge: Uint32Array;
  readonly locationNode: Uint32Array;
  readonly locationScriptId: Uint32Array;
  readonly locationLine: Uint32Array;
  readonly locationColumn: Uint32Array;
  readonly sourceBytes: number;
  /** The WebAssembly memory holding the node and edge columns, or null (ordinary arrays). */
  readonly kernelMemory: WasmMemory | null;

  // Type codes resolved once from meta (-1 when the snapshot has no such type).
  readonly nodeTypeHidden: number;
  readonly nodeTypeArray: number;
  readonly nodeTypeString: number;
  readonly nodeTypeObject: number;
  readonly nodeTypeCode: number;
  readonly nodeTypeClosure: number;
  readonly nodeTypeRegexp: number;
  readonly nodeTypeNumber: number;
  readonly nodeTypeNative: number;
  readonly nodeTypeSynthetic: number;
  readonly nodeTypeConsString: number;
  readonly nodeTypeSlicedString: number;
  readonly nodeTypeSymbol: number;
  readonly nodeTypeBigint: number;
  readonly nodeTypeObjectShape: number;
  readonly edgeTypeContext: number;
  readonly edgeTypeElement: number;
  readonly edgeTypeProperty: number;
  readonly edgeTypeInternal: number;
  readonly edgeTypeHidden: number;
  readonly edgeTypeShortcut: number;
  readonly edgeTypeWeak: number;

  private _locationIndex: Map<number, number> | null = null;

  constructor(init: HeapSnapshotInit) {
    this.meta = init.meta;
    this.strings = init.strings;
    this.nodeCount = init.nodeCount;
    this.edgeCount = init.edgeCount;
    this.nodeType = init.nodeType;
    this.nodeName = init.nodeName;
    this.nodeId = init.nodeId;
    this.nodeSelfSize = init.nodeSelfSize;
    this.nodeTraceId = init.nodeTraceId;
    this.nodeDetachedness = init.nodeDetachedness;
    this.edgeType = init.edgeType;
    this.edgeNameOrIndex = init.edgeNameOrIndex;
    this.edgeToNode = init.edgeToNode;
    this.locationNode = init.locationNode;
    this.locationScriptId = init.locationScriptId;
    this.locationLine = init.locationLine;
    this.locationColumn = init.locationColumn;
    this.sourceBytes = init.sourceBytes;
    this.kernelMemory = init.kernelMemory ?? null;

    if (init.firstEdge !== undefined) {
      this.firstEdge = init.firstEdge;
    } else {
      const firstEdge = new Uint32Array(this.nodeCount + 1);
      const counts = init.nodeEdgeCount ?? new Uint32Array(this.nodeCount);
      let running = 0;
      for (let i = 0; i < this.nodeCount; i++) {
        firstEdge[i] = running;
        running += counts[i]!;
      }
      firstEdge[this.nodeCount] = running;
      this.firstEdge = firstEdge;
    }

    const nt = this.meta.nodeTypes;
    const et = this.meta.edgeTypes;
    this.nodeTypeHidden = nt.indexOf('hidden');
    this.nodeTypeArray = nt.indexOf('array');
    this.nodeTypeString = nt.indexOf('string');
    this.nodeTypeObject = nt.indexOf('object');
    this.nodeTypeCode = nt.indexOf('code');
    this.nodeTypeClosure = nt.indexOf('closure');
    this.nodeTypeRegexp = nt.indexOf('regexp');
    this.nodeTypeNumber = nt.indexOf('number');
    this.nodeTypeNative = nt.indexOf('native');
    this.nodeTypeSynthetic = nt.indexOf('synthetic');
    this.nodeTypeConsString = nt.indexOf('concatenated string');
    this.nodeTypeSlicedString = nt.indexOf('sliced string');
    this.nodeTypeSymbol = nt.indexOf('symbol');
    this.nodeTypeBigint = nt.indexOf('bigint');
    this.nodeTypeObjectShape = nt.indexOf('object shape');
    this.edgeTypeContext = et.indexOf('context');
    this.edgeTypeElement = et.indexOf('element');
    this.edgeTypeProperty = et.indexOf('property');
    this.edgeTypeInternal = et.indexOf('internal');
    this.edgeTypeHidden = et.indexOf('hidden');
    this.edgeTypeShortcut = et.indexOf('shortcut');
    this.edgeTypeWeak = et.indexOf('weak');
  }

  /**
   * Edge count per node, derived from `firstEdge` on every call (a new array:
   * the snapshot does not keep the column, 4 bytes per node saved).
   */
  get nodeEdgeCount(): Uint32Array {
    const counts = new Uint32Array(this.nodeCount);
    const first = this.firstEdge;
    for (let i = 0; i < counts.length; i++) counts[i] = first[i + 1]! - first[i]!;
    return counts;
  }

  /** The root node is always ordinal 0 in V8 snapshots. */
  get rootNode(): number {
    return 0;
  }

  nodeTypeName(node: number): string {
    return this.meta.nodeTypes[this.nodeType[node]!] ?? 'unknown';
  }

  nodeNameString(node: number): string {
    return this.strings.get(this.nodeName[node]!);
  }

  edgeTypeName(edge: number): string {
    return this.meta.edgeTypes[this.edgeType[edge]!] ?? 'unknown';
  }

  /** Element and hidden edges carry an index; the others a string-table index. */
  edgeNameString(edge: number): string {
    const type = this.edgeType[edge]!;
    const value = this.edgeNameOrIndex[edge]!;
    if (type === this.edgeTypeElement || type === this.edgeTypeHidden) return String(value);
    return this.strings.get(value);
  }

  /** Location record index for a node, or -1. */
  locationOf(node: number): number {
    if (this._locationIndex === null) {
      const index = new Map<number, number>();
      const nodes = this.locationNode;
      for (let i = 0; i < nodes.length; i++) index.set(nodes[i]!, i);
      this._locationIndex = index;
    }
    return this._locationIndex.get(node) ?? -1;
  }
}
