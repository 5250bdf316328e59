// Builds tiny heap graphs in the raw V8 .heapsnapshot format, with the same
// meta Node 20 writes, so tests exercise the real parser and analyses.
import type { RawHeapSnapshot } from '../../src/heap/raw.js';

export const NODE_FIELDS = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];
export const NODE_TYPES = [
  'hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native',
  'synthetic', 'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape',
];
export const EDGE_FIELDS = ['type', 'name_or_index', 'to_node'];
export const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];
export const LOCATION_FIELDS = ['object_index', 'script_id', 'line', 'column'];

export type NodeType = (typeof NODE_TYPES)[number];
export type EdgeType = 'context' | 'element' | 'property' | 'internal' | 'hidden' | 'shortcut' | 'weak';

interface BuiltNode {
  type: number;
  name: number;
  id: number;
  size: number;
  edges: { type: number; name: number; to: number }[];
  detachedness: number;
}

/**
 * Node 0 is the synthetic root, as in V8. Usage:
 *   const g = new GraphBuilder();
 *   const gcRoots = g.node('synthetic', '(GC roots)');
 *   g.edge(g.root, gcRoots, 'element', 1);
 *   const obj = g.node('object', 'Foo', 100);
 *   g.edge(gcRoots, obj, 'property', 'foo');
 *   const text = g.toJSON();
 */
export class GraphBuilder {
  private readonly _nodes: BuiltNode[] = [];
  private readonly _strings: string[] = [''];
  private readonly _stringIndex = new Map<string, number>([['', 0]]);
  private readonly _locations: number[][] = [];
  private _nextId = 1;
  readonly root: number;

  constructor() {
    this.root = this.node('synthetic', '', 0);
  }

  string(value: string): number {
    let index = this._stringIndex.get(value);
    if (index === undefined) {
      index = this._strings.length;
      this._strings.push(value);
      this._stringIndex.set(value, index);
    }
    return index;
  }

  /** Adds a node; returns its ordinal. `id` defaults to odd increasing numbers, like V8's. */
  node(type: NodeType, name: string, size = 0, id?: number): number {
    const typeIndex = NODE_TYPES.indexOf(type);
    if (typeIndex < 0) throw new Error(`unknown node type ${type}`);
    const nodeId = id ?? this._nextId;
    this._nextId = Math.max(this._nextId, nodeId) + 2;
    this._nodes.push({ type: typeIndex, name: this.string(name), id: nodeId, size, edges: [], detachedness: 0 });
    return this._nodes.length - 1;
  }

  edge(from: number, to: number, type: EdgeType, nameOrIndex: string | number): this {
    const typeIndex = EDGE_TYPES.indexOf(type);
    const fromNode = this._nodes[from];
    if (!fromNode || !this._nodes[to]) throw new Error(`edge ${from}->${to}: no such node`);
    const name = typeof nameOrIndex === 'number' ? nameOrIndex : this.string(nameOrIndex);
    fromNode.edges.push({ type: typeIndex, name, to });
    return this;
  }

  location(node: number, scriptId: number, line: number, column: number): this {
    this._locations.push([node, scriptId, line, column]);
    return this;
  }

  get nodeCount(): number {
    return this._nodes.length;
  }

  toRaw(): RawHeapSnapshot {
    const nf = NODE_FIELDS.length;
    const nodes: number[] = [];
    const edges: number[] = [];
    let edgeCount = 0;
    for (const n of this._nodes) {
      nodes.push(n.type, n.name, n.id, n.size, n.edges.length, 0, n.detachedness);
      for (const e of n.edges) {
        edges.push(e.type, e.name, e.to * nf);
        edgeCount++;
      }
    }
    const locations: number[] = [];
    for (const [node, script, line, col] of this._locations) locations.push(node! * nf, script!, line!, col!);
    return {
      snapshot: {
        meta: {
          node_fields: NODE_FIELDS,
          node_types: [NODE_TYPES, 'string', 'number', 'number', 'number', 'number', 'number'],
          edge_fields: EDGE_FIELDS,
          edge_types: [EDGE_TYPES, 'string_or_number', 'node'],
          trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
          trace_node_fields: ['id', 'function_info_index', 'count', 'size', 'children'],
          sample_fields: ['timestamp_us', 'last_assigned_id'],
          location_fields: LOCATION_FIELDS,
        },
        node_count: this._nodes.length,
        edge_count: edgeCount,
        trace_function_count: 0,
      },
      nodes,
      edges,
      trace_function_infos: [],
      trace_tree: [],
      samples: [],
      locations,
      strings: this._strings,
    };
  }

  /** The raw V8 text layout (one node/edge per line, like V8 writes it). */
  toJSON(): string {
    const raw = this.toRaw();
    const nf = NODE_FIELDS.length;
    const lines: string[] = [];
    lines.push(`{"snapshot":${JSON.stringify(raw.snapshot)},`);
    lines.push('"nodes":[' + chunkRows(raw.nodes, nf) + '],');
    lines.push('"edges":[' + chunkRows(raw.edges, EDGE_FIELDS.length) + '],');
    lines.push('"trace_function_infos":[],');
    lines.push('"trace_tree":[],');
    lines.push('"samples":[],');
    lines.push('"locations":[' + chunkRows(raw.locations ?? [], LOCATION_FIELDS.length) + '],');
    lines.push('"strings":[' + raw.strings.map((s) => JSON.stringify(s)).join(',\n') + ']}');
    return lines.join('\n');
  }
}

function chunkRows(values: number[], width: number): string {
  const rows: string[] = [];
  for (let i = 0; i < values.length; i += width) rows.push(values.slice(i, i + width).join(','));
  return rows.join(',\n');
}
