// The raw V8 .heapsnapshot JSON shape, and a converter for small, already
// parsed inputs (tests, tiny files). Large files go through parser.ts.
import { HeapSnapshot, type SnapshotMeta } from './snapshot.js';
import { StringTable } from './strings.js';

export interface RawSnapshotMeta {
  node_fields: string[];
  node_types: (string[] | string)[];
  edge_fields: string[];
  edge_types: (string[] | string)[];
  location_fields?: string[];
  trace_function_info_fields?: string[];
  trace_node_fields?: string[];
  sample_fields?: string[];
}

export interface RawHeapSnapshot {
  snapshot: { meta: RawSnapshotMeta; node_count: number; edge_count: number; trace_function_count?: number };
  nodes: number[];
  edges: number[];
  locations?: number[];
  strings: string[];
  trace_function_infos?: number[];
  trace_tree?: unknown[];
  samples?: number[];
}

export function metaFromRaw(raw: RawSnapshotMeta): SnapshotMeta {
  // The type names sit at the position of the `type` field (0 in every V8 so far).
  const nodeTypes = raw.node_types[Math.max(0, raw.node_fields.indexOf('type'))];
  const edgeTypes = raw.edge_types[Math.max(0, raw.edge_fields.indexOf('type'))];
  return {
    nodeFields: raw.node_fields,
    nodeTypes: Array.isArray(nodeTypes) ? nodeTypes : [],
    edgeFields: raw.edge_fields,
    edgeTypes: Array.isArray(edgeTypes) ? edgeTypes : [],
    locationFields: raw.location_fields ?? [],
  };
}

export function fromRawSnapshot(raw: RawHeapSnapshot): HeapSnapshot {
  const meta = metaFromRaw(raw.snapshot.meta);
  const nf = meta.nodeFields.length;
  const ef = meta.edgeFields.length;
  const nodeCount = raw.nodes.length / nf;
  const edgeCount = raw.edges.length / ef;
  const fType = meta.nodeFields.indexOf('type');
  const fName = meta.nodeFields.indexOf('name');
  const fId = meta.nodeFields.indexOf('id');
  const fSize = meta.nodeFields.indexOf('self_size');
  const fEdges = meta.nodeFields.indexOf('edge_count');
  const fTrace = meta.nodeFields.indexOf('trace_node_id');
  const fDetached = meta.nodeFields.indexOf('detachedness');
  const eType = meta.edgeFields.indexOf('type');
  const eName = meta.edgeFields.indexOf('name_or_index');
  const eTo = meta.edgeFields.indexOf('to_node');

  const nodeType = new Uint8Array(nodeCount);
  const nodeName = new Uint32Array(nodeCount);
  const nodeId = new Uint32Array(nodeCount);
  const nodeSelfSize = new Float64Array(nodeCount);
  const nodeEdgeCount = new Uint32Array(nodeCount);
  const nodeTraceId = fTrace >= 0 ? new Uint32Array(nodeCount) : null;
  const nodeDetachedness = fDetached >= 0 ? new Uint8Array(nodeCount) : null;
  for (let i = 0; i < nodeCount; i++) {
    const base = i * nf;
    nodeType[i] = raw.nodes[base + fType]!;
    nodeName[i] = raw.nodes[base + fName]!;
    nodeId[i] = raw.nodes[base + fId]!;
    nodeSelfSize[i] = raw.nodes[base + fSize]!;
    nodeEdgeCount[i] = raw.nodes[base + fEdges]!;
    if (nodeTraceId) nodeTraceId[i] = raw.nodes[base + fTrace]!;
    if (nodeDetachedness) nodeDetachedness[i] = raw.nodes[base + fDetached]!;
  }
  const edgeType = new Uint8Array(edgeCount);
  const edgeNameOrIndex = new Uint32Array(edgeCount);
  const edgeToNode = new Uint32Array(edgeCount);
  for (let i = 0; i < edgeCount; i++) {
    const base = i * ef;
    edgeType[i] = raw.edges[base + eType]!;
    edgeNameOrIndex[i] = raw.edges[base + eName]!;
    edgeToNode[i] = raw.edges[base + eTo]! / nf;
  }
  const lf = meta.locationFields.length;
  const locations = raw.locations ?? [];
  const locationCount = lf > 0 ? locations.length / lf : 0;
  const lObj = meta.locationFields.indexOf('object_index');
  const lScript = meta.locationFields.indexOf('script_id');
  const lLine = meta.locationFields.indexOf('line');
  const lCol = meta.locationFields.indexOf('column');
  const locationNode = new Uint32Array(locationCount);
  const locationScriptId = new Uint32Array(locationCount);
  const locationLine = new Uint32Array(locationCount);
  const locationColumn = new Uint32Array(locationCount);
  for (let i = 0; i < locationCount; i++) {
    const base = i * lf;
    locationNode[i] = locations[base + lObj]! / nf;
    locationScriptId[i] = locations[base + lScript]!;
    locationLine[i] = locations[base + lLine]!;
    locationColumn[i] = locations[base + lCol]!;
  }
  const strings = new StringTable(raw.strings.length);
  for (const s of raw.strings) strings.add(s);
  return new HeapSnapshot({
    meta,
    strings,
    nodeCount,
    edgeCount,
    nodeType,
    nodeName,
    nodeId,
    nodeSelfSize,
    nodeEdgeCount,
    nodeTraceId,
    nodeDetachedness,
    edgeType,
    edgeNameOrIndex,
    edgeToNode,
    locationNode,
    locationScriptId,
    locationLine,
    locationColumn,
    sourceBytes: 0,
  });
}
