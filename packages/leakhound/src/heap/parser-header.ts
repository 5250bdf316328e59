// Validation of the small `snapshot` header object (the only part of a
// .heapsnapshot that goes through JSON.parse). Everything the streaming parser
// needs from it is resolved here once: field positions, type tables, counts.
import { LeakhoundError } from '../errors.js';
import { formatError } from './parser-bytes.js';
import type { SnapshotMeta } from './snapshot.js';

export interface SnapshotHeader {
  meta: SnapshotMeta;
  nodeCount: number;
  edgeCount: number;
  /** Position of each required / optional node field in a node record (-1 absent). */
  nodeType: number;
  nodeName: number;
  nodeId: number;
  nodeSelfSize: number;
  nodeEdgeCount: number;
  nodeTraceId: number;
  nodeDetachedness: number;
  edgeType: number;
  edgeNameOrIndex: number;
  edgeToNode: number;
}

/** Largest count we address with Uint32 ordinals (firstEdge, edgeToNode). */
export const MAX_COUNT = 0xfffffffe;

export function parseHeaderJson(bytes: Uint8Array, offset: number): SnapshotHeader {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new LeakhoundError(
      'LH_ERR_SNAPSHOT_SYNTAX',
      `the "snapshot" header starting at byte ${offset} is not valid JSON (${(error as Error).message})`,
      { offset, cause: error },
    );
  }
  return validateHeader(value, offset);
}

function stringList(value: unknown, what: string, offset: number): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw formatError(`snapshot.meta.${what} is missing or not a list of strings`, offset);
  }
  return value as string[];
}

/** `node_types` / `edge_types`: the entry for the `type` field is the list of type names. */
function typeNames(value: unknown, typeField: number, what: string, offset: number): string[] {
  if (!Array.isArray(value)) throw formatError(`snapshot.meta.${what} is missing or not a list`, offset);
  return stringList(value[typeField], `${what}[${typeField}]`, offset);
}

function count(value: unknown, what: string, offset: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw formatError(`snapshot.${what} is missing or not a non-negative integer`, offset);
  }
  return value;
}

function required(fields: readonly string[], name: string, what: string, offset: number): number {
  const index = fields.indexOf(name);
  if (index < 0) throw formatError(`snapshot.meta.${what} has no "${name}" field`, offset);
  return index;
}

export function validateHeader(value: unknown, offset: number): SnapshotHeader {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw formatError('"snapshot" is not an object', offset);
  }
  const header = value as Record<string, unknown>;
  const rawMeta = header['meta'];
  if (typeof rawMeta !== 'object' || rawMeta === null || Array.isArray(rawMeta)) {
    throw formatError('snapshot.meta is missing', offset);
  }
  const m = rawMeta as Record<string, unknown>;
  const nodeFields = stringList(m['node_fields'], 'node_fields', offset);
  const edgeFields = stringList(m['edge_fields'], 'edge_fields', offset);
  const locationFields = m['location_fields'] === undefined ? [] : stringList(m['location_fields'], 'location_fields', offset);
  const nodeType = required(nodeFields, 'type', 'node_fields', offset);
  const edgeType = required(edgeFields, 'type', 'edge_fields', offset);
  const meta: SnapshotMeta = {
    nodeFields,
    nodeTypes: typeNames(m['node_types'], nodeType, 'node_types', offset),
    edgeFields,
    edgeTypes: typeNames(m['edge_types'], edgeType, 'edge_types', offset),
    locationFields,
  };
  const result: SnapshotHeader = {
    meta,
    nodeCount: count(header['node_count'], 'node_count', offset),
    edgeCount: count(header['edge_count'], 'edge_count', offset),
    nodeType,
    nodeName: required(nodeFields, 'name', 'node_fields', offset),
    nodeId: required(nodeFields, 'id', 'node_fields', offset),
    nodeSelfSize: required(nodeFields, 'self_size', 'node_fields', offset),
    nodeEdgeCount: required(nodeFields, 'edge_count', 'node_fields', offset),
    nodeTraceId: nodeFields.indexOf('trace_node_id'),
    nodeDetachedness: nodeFields.indexOf('detachedness'),
    edgeType,
    edgeNameOrIndex: required(edgeFields, 'name_or_index', 'edge_fields', offset),
    edgeToNode: required(edgeFields, 'to_node', 'edge_fields', offset),
  };
  if (new Set(nodeFields).size !== nodeFields.length || new Set(edgeFields).size !== edgeFields.length) {
    throw formatError('snapshot.meta lists a field twice', offset);
  }
  if (meta.nodeTypes.length > 256 || meta.edgeTypes.length > 256) {
    throw formatError('snapshot.meta lists more than 256 node or edge types', offset);
  }
  return result;
}
