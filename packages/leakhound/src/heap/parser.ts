// Streaming .heapsnapshot parser. The file is read in fixed-size chunks into a
// reused buffer and scanned byte by byte by a resumable state machine: numbers
// go straight into the columnar typed arrays of HeapSnapshot, strings into the
// chunked UTF-8 StringTable. Only the small `snapshot` header is JSON.parse'd.
// No JS string or array ever holds a whole section, so files of many GB and
// string sections beyond V8's max string length work; byte offsets are plain
// numbers (exact up to 2^53).
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { LeakhoundError, isLeakhoundError } from '../errors.js';
import {
  CH_COMMA, CH_COLON, CH_LBRACE, CH_LBRACKET, CH_QUOTE, CH_RBRACE, CH_RBRACKET, CH_BACKSLASH,
  GrowableBytes, formatError, isScalarByte, isSpace, syntaxError,
} from './parser-bytes.js';
import { MAX_COUNT, parseHeaderJson, type SnapshotHeader } from './parser-header.js';
import { ValueSkipper } from './parser-skip.js';
import type { EdgeTailTask } from './parser-edge-tail.js';
import {
  DEFAULT_SPLIT_MIN_BYTES, EdgeTailWorker, JS_SPLIT_COSTS, KERNEL_SPLIT_COSTS, cutOffset, locateEdges, probesCanTell, type EdgeSplitOptions,
  type SectionLayout,
} from './parser-split.js';
import { StringArrayScanner } from './parser-strings.js';
import { noProgress, type ProgressFn } from './progress.js';
import { collectNow } from './memory.js';
import { HeapSnapshot, type HeapSnapshotInit } from './snapshot.js';
import { StringTable } from './strings.js';
import { RecordKernels, allocateColumns, type ColumnsInMemory } from './wasm-records.js';
import { arenaOf } from './wasm-graph.js';

export interface ParseOptions {
  onProgress?: ProgressFn;
  /** Read size in bytes (default 8 MB). Tests pass tiny values so every token straddles reads. */
  chunkSize?: number;
  /** Parsing the `edges` section's tail on a second thread (parseSnapshotFile only). */
  edgeSplit?: EdgeSplitOptions;
  /**
   * The WebAssembly kernels for nodes and edges (wasm-records.ts): by default
   * for graphs parsed onto shared arrays (big files); true on any graph,
   * false never (the JavaScript loops only). The same results either way.
   */
  kernels?: boolean;
}

const DEFAULT_CHUNK = 8 * 1024 * 1024;
/** Pieces smaller than this are parsed in JS only: copying them for the WebAssembly loops would not pay. */
const MIN_KERNEL_BYTES = 4096;
/** Graphs with fewer nodes and edges than this keep ordinary arrays (and the JavaScript loops). */
const MIN_KERNEL_RECORDS = 1 << 16;
/** A real header is a few KB; anything this big is not a heap snapshot. */
const MAX_HEADER_BYTES = 4 * 1024 * 1024;
const MAX_U32 = 0xffffffff;
/** Self sizes are exact integers up to 2^53. */
const MAX_SIZE = Number.MAX_SAFE_INTEGER;
/** ',' and '\n' minus '0', as the fast paths' digit loops see them. */
const COMMA_D = CH_COMMA - 48;
const NL_D = 10 - 48;
const STANDARD_NODE_FIELDS = 'type,name,id,self_size,edge_count,trace_node_id,detachedness';

// Top-level modes of the state machine.
const M_START = 0;
const M_KEY_FIRST = 1;
const M_KEY = 2;
const M_KEY_STR = 3;
const M_COLON = 4;
const M_VALUE = 5;
const M_HEADER = 6;
const M_NUMBERS = 7;
const M_STRINGS = 8;
const M_SKIP = 9;
const M_AFTER = 10;
const M_DONE = 11;

// Top-level keys the parser understands; everything else is skipped.
const S_OTHER = 0;
const S_SNAPSHOT = 1;
const S_NODES = 2;
const S_EDGES = 3;
const S_LOCATIONS = 4;
const S_STRINGS = 5;
const SECTION_NAMES = ['', 'snapshot', 'nodes', 'edges', 'locations', 'strings'];

// Where scanned numbers go.
const SINK_NODES = 0;
const SINK_EDGES = 1;
const SINK_RAW = 2;

// Number-array states.
const N_FIRST = 0; // after '[': a value or ']'
const N_IN = 1; // inside a number
const N_AFTER = 2; // after a value: ',' or ']'
const N_NEXT = 3; // after ',': a value
const N_END = 4; // after ']'

/** Numbers of a section kept as they come: 4 bytes each, or 8 when `wide`. */
class GrowableNumbers {
  values: Float64Array | Uint32Array;
  length = 0;
  readonly wide: boolean;

  /** `capacity`: the expected count; pages beyond what is written are never touched (not in RSS). */
  constructor(wide: boolean, capacity = 1024) {
    this.wide = wide;
    const size = Math.max(1024, capacity);
    this.values = wide ? new Float64Array(size) : new Uint32Array(size);
  }

  push(value: number): void {
    if (this.length === this.values.length) this.grow();
    this.values[this.length++] = value;
  }

  grow(): void {
    const next = this.wide ? new Float64Array(this.values.length * 2) : new Uint32Array(this.values.length * 2);
    next.set(this.values);
    this.values = next;
  }
}

type Columns = Pick<
  HeapSnapshotInit,
  | 'nodeType' | 'nodeName' | 'nodeId' | 'nodeTraceId' | 'nodeDetachedness'
  | 'edgeType' | 'edgeNameOrIndex' | 'edgeToNode'
> & {
  /** 32-bit until a size does not fit (never seen in practice), then widened once to doubles. */
  nodeSelfSize: Uint32Array | Float64Array;
  /** Built while the nodes stream in (running sum of edge_count); length nodeCount + 1. */
  firstEdge: Uint32Array;
};

/**
 * The resumable scanner. Feed it consecutive pieces of the file with feed(),
 * then call finish(). Pieces may split the input anywhere, even inside a
 * number, a string escape or a multi-byte character.
 */
export class SnapshotStreamParser {
  private _mode = M_START;
  /** File offset of byte 0 of the piece being fed. */
  private _base = 0;
  private _sawContent = false;
  private readonly _inputBytes: number;

  private _section = S_OTHER;
  private readonly _seen = new Uint8Array(SECTION_NAMES.length);
  private readonly _sectionOffset = new Float64Array(SECTION_NAMES.length);
  private readonly _key = new Uint8Array(64);
  private _keyLength = 0;
  private _keyEscape = false;

  private readonly _header = new GrowableBytes();
  private _headerDepth = 0;
  private _headerInString = false;
  private _headerEscape = false;
  private _meta: SnapshotHeader | null = null;

  private _skipper = new ValueSkipper();

  // Number scanning.
  private _sink = SINK_RAW;
  private _numState = N_FIRST;
  private _num = 0;
  private _field = 0;
  private _record = 0;
  private _nf = 1;
  private _ef = 1;
  private _nodeCount = 0;
  private _edgeCount = 0;
  // Running checks, so finish() needs no extra pass when all is well.
  private _maxNodeName = -1;
  private _maxEdgeName = -1;
  private _edgeSum = 0;
  private _edgeTypeElement = -1;
  private _edgeTypeHidden = -1;
  /** Node fields exactly as V8 writes them since Node 18: _fastNodes7 applies. */
  private _standardNodes = false;
  /** The numbers of the record being read. */
  private _values = new Float64Array(1);
  private _nodeTypeCount = 0;
  private _edgeTypeCount = 0;
  private _cols: Columns | null = null;
  private _raw: GrowableNumbers = new GrowableNumbers(false);
  /** 4 while the raw numbers are locations in V8's four-field layout (_fastRaw4), else 1. */
  private _rawWidth = 1;
  private _rawNodes: GrowableNumbers | null = null;
  private _rawEdges: GrowableNumbers | null = null;
  private _rawLocations: GrowableNumbers | null = null;
  private _nodesDone = false;
  private _edgesDone = false;
  private _nodeRecords = 0;
  private _nodeFieldsLeft = 0;
  private _edgeRecords = 0;
  private _edgeFieldsLeft = 0;

  // String scanning.
  private readonly _strings = new StringTable(1 << 16);
  private _stringScanner = new StringArrayScanner(this._strings);

  private readonly _shared: boolean;
  /** Bytes of each of the reader's buffers (readBuffers). */
  private readonly _readBytes: number;
  /** ParseOptions.kernels. */
  private readonly _kernelsOption: boolean | undefined;
  /** The columns when they are in the WebAssembly kernels' memory (wasm-records.ts), and the kernels. */
  private _inMemory: ColumnsInMemory | null = null;
  private _kernels: RecordKernels | null = null;

  /**
   * @param inputBytes total input size, used to refuse absurd counts before allocating.
   * @param shared put the graph (node and edge columns, strings) on SharedArrayBuffers, so
   *   worker threads can fill the edges' tail and later read the graph (analysis-workers.ts).
   */
  constructor(inputBytes: number, shared = false, readBytes = DEFAULT_CHUNK + 1, kernels?: boolean) {
    this._inputBytes = inputBytes;
    this._shared = shared;
    this._readBytes = readBytes;
    this._kernelsOption = kernels;
  }

  /**
   * Once the header is known and the columns are in the kernels' memory: two
   * buffers of the reader's size in it, for the reader to fill instead of its
   * own, so that the kernels parse the bytes where they are.
   */
  readBuffers(): [Buffer, Buffer] | null {
    const memory = this._inMemory;
    if (memory === null) return null;
    return [Buffer.from(memory.buffer, memory.reads[0], memory.readBytes), Buffer.from(memory.buffer, memory.reads[1], memory.readBytes)];
  }

  /**
   * Once the header is known and while the edges section is still ahead or
   * under way: the records' line widths, for the split parse to find the
   * section with probes. Null otherwise (no split then).
   */
  splitLayout(): SectionLayout | null {
    const meta = this._meta;
    if (meta === null || !this._shared || this._edgesDone || this._cols === null) return null;
    // Numbers-only sections after the edges: locations, samples, trace_function_infos.
    const otherFields = [meta.meta.locationFields.length, 2, 6];
    const layout = { nodeFields: this._nf, edgeFields: this._ef, otherFields };
    return probesCanTell(layout) ? layout : null;
  }

  /** True when the WebAssembly kernels parse the numbers (the split's costs differ). */
  get usesKernels(): boolean {
    return this._kernels !== null;
  }

  /** True once the "snapshot" header has been parsed. */
  get headerKnown(): boolean {
    return this._meta !== null;
  }

  /** What a worker needs to parse the section's tail after `cut`. */
  edgeTailTask(fd: number, cut: number, endHint: number): EdgeTailTask {
    const meta = this._meta!;
    const cols = this._cols!;
    return {
      fd,
      cut,
      endHint,
      edgeCount: this._edgeCount,
      nodeCount: this._nodeCount,
      nodeFields: this._nf,
      edgeTypeCount: this._edgeTypeCount,
      typeField: meta.edgeType,
      nameField: meta.edgeNameOrIndex,
      elementType: this._edgeTypeElement,
      hiddenType: this._edgeTypeHidden,
      edgeType: cols.edgeType,
      edgeNameOrIndex: cols.edgeNameOrIndex,
      edgeToNode: cols.edgeToNode,
      kernelMemory: this._inMemory === null ? null : { memory: this._inMemory.memory, input: this._inMemory.tailInput },
    };
  }

  /**
   * Ends the edges section here, as if the next byte were its ']', because a
   * worker parses the rest; the file continues at `resume` (after the real
   * ']'). False, changing nothing, when the parser is not inside the section.
   */
  cutEdges(resume: number): boolean {
    if (this._mode !== M_NUMBERS || this._sink !== SINK_EDGES) return false;
    this.feed(Buffer.from([CH_RBRACKET]));
    this._base = resume;
    return true;
  }

  /**
   * Counts the worker's `records` (stored at the columns' end) and its largest
   * string index. False when the two parts do not add up to edge_count.
   */
  adoptEdgeTail(records: number, maxName: number): boolean {
    if (!this._edgesDone || this._edgeFieldsLeft !== 0 || this._edgeRecords + records !== this._edgeCount) return false;
    this._edgeRecords += records;
    if (maxName > this._maxEdgeName) this._maxEdgeName = maxName;
    return true;
  }

  /**
   * Scans buf[0, end). The buffer may be reused by the caller afterwards.
   * buf[end] is overwritten with a sentinel so the digit loops stop there
   * without a bounds check: pass a buffer with at least one spare byte, or it
   * is copied into one.
   */
  feed(buf: Buffer, end: number = buf.length): void {
    if (buf.length <= end) {
      const padded = Buffer.allocUnsafe(end + 1);
      buf.copy(padded, 0, 0, end);
      buf = padded;
    }
    buf[end] = 0;
    let i = 0;
    while (i < end) {
      switch (this._mode) {
        case M_NUMBERS:
          i = this._scanNumbers(buf, i, end);
          break;
        case M_STRINGS:
          i = this._stringScanner.scan(buf, i, end, this._base);
          if (this._stringScanner.done) this._mode = M_AFTER;
          break;
        case M_HEADER:
          i = this._scanHeader(buf, i, end);
          break;
        case M_SKIP:
          i = this._skipper.scan(buf, i, end, this._base);
          if (this._skipper.done) this._mode = M_AFTER;
          break;
        case M_KEY_STR:
          i = this._scanKey(buf, i, end);
          break;
        default:
          i = this._scanStructure(buf, i, end);
          break;
      }
    }
    this._base += end;
  }

  /** Validates what was read and builds the snapshot. */
  finish(onProgress: ProgressFn = noProgress): HeapSnapshot {
    const end = this._base;
    if (this._mode !== M_DONE) {
      if (!this._sawContent) throw new LeakhoundError('LH_ERR_SNAPSHOT_EMPTY', 'the file is empty (no snapshot data)', { offset: 0 });
      const where = this._mode === M_START || this._mode === M_KEY_FIRST || this._mode === M_KEY || this._mode === M_AFTER
        ? 'between sections'
        : `inside "${this._sectionName()}"`;
      throw new LeakhoundError(
        'LH_ERR_SNAPSHOT_TRUNCATED',
        `the file is truncated: it ends ${where} at byte ${end}`,
        { offset: end },
      );
    }
    const meta = this._meta;
    if (meta === null) throw this._formatError('it has no "snapshot" header with meta', 0);
    for (const section of [S_NODES, S_EDGES, S_STRINGS]) {
      if (this._seen[section] === 0) throw this._formatError(`it has no "${SECTION_NAMES[section]}" section`, end);
    }
    // Every V8 snapshot has the synthetic root as node 0; the analyses rely on it.
    if (meta.nodeCount === 0) throw this._formatError('it has no nodes (V8 always writes the root node)', this._sectionOffset[S_NODES]!);
    onProgress('validate', 0, 1);
    const cols = this._cols!;
    this._replay(S_NODES, this._rawNodes, SINK_NODES);
    this._replay(S_EDGES, this._rawEdges, SINK_EDGES);
    this._checkCounts();
    // Shared for worker threads; the copy also drops the table's spare capacity.
    const strings = this._shared ? StringTable.fromShared(this._strings.toShared()) : this._strings;
    this._checkNames(cols, strings.count);
    cols.firstEdge[this._nodeCount] = this._edgeSum;
    const locations = this._buildLocations(meta);
    onProgress('validate', 1, 1);
    return new HeapSnapshot({
      meta: meta.meta,
      strings,
      nodeCount: this._nodeCount,
      edgeCount: this._edgeCount,
      nodeType: cols.nodeType,
      nodeName: cols.nodeName,
      nodeId: cols.nodeId,
      nodeSelfSize: cols.nodeSelfSize,
      firstEdge: cols.firstEdge,
      nodeTraceId: cols.nodeTraceId,
      nodeDetachedness: cols.nodeDetachedness,
      edgeType: cols.edgeType,
      edgeNameOrIndex: cols.edgeNameOrIndex,
      edgeToNode: cols.edgeToNode,
      locationNode: locations.node,
      locationScriptId: locations.scriptId,
      locationLine: locations.line,
      locationColumn: locations.column,
      sourceBytes: end,
      // The analyses' WebAssembly search needs the graph's columns in it (firstEdge, edgeToNode never move).
      kernelMemory: this._inMemoryForAnalyses(),
    });
  }

  /** The kernels' memory, its input areas (last in it, in RSS already) handed to the analyses' arena. */
  private _inMemoryForAnalyses(): ColumnsInMemory['memory'] | null {
    const inMemory = this._inMemory;
    if (inMemory === null) return null;
    arenaOf(inMemory.memory)!.reuseFrom(inMemory.mainInput);
    return inMemory.memory;
  }

  private _sectionName(): string {
    return this._section === S_OTHER ? 'an unknown section' : SECTION_NAMES[this._section]!;
  }

  private _syntax(buf: Uint8Array, i: number, expected: string): LeakhoundError {
    return syntaxError(this._base + i, buf[i]!, expected);
  }

  private _formatError(message: string, offset: number): LeakhoundError {
    return formatError(message, offset);
  }

  private _inconsistent(message: string, offset?: number): LeakhoundError {
    return new LeakhoundError(
      'LH_ERR_SNAPSHOT_INCONSISTENT',
      `the snapshot is inconsistent: ${message}`,
      offset === undefined ? {} : { offset },
    );
  }

  // ---- structure: '{', keys, ':', ',', '}' ----

  private _scanStructure(buf: Uint8Array, i: number, end: number): number {
    for (; i < end; i++) {
      const c = buf[i]!;
      if (isSpace(c)) continue;
      this._sawContent = true;
      switch (this._mode) {
        case M_START:
          if (c === CH_LBRACE) {
            this._mode = M_KEY_FIRST;
            return i + 1;
          }
          if (c === CH_LBRACKET || c === CH_QUOTE || isScalarByte(c)) {
            throw this._formatError('the top-level JSON value is not an object', this._base + i);
          }
          throw this._syntax(buf, i, "'{' (a heap snapshot is a JSON object)");
        case M_KEY_FIRST:
        case M_KEY:
          if (c === CH_QUOTE) {
            this._mode = M_KEY_STR;
            this._keyLength = 0;
            this._keyEscape = false;
            return i + 1;
          }
          if (c === CH_RBRACE && this._mode === M_KEY_FIRST) {
            this._mode = M_DONE;
            return i + 1;
          }
          throw this._syntax(buf, i, 'a quoted key');
        case M_COLON:
          if (c === CH_COLON) {
            this._mode = M_VALUE;
            return i + 1;
          }
          throw this._syntax(buf, i, "':'");
        case M_VALUE:
          return this._startValue(buf, i);
        case M_AFTER:
          if (c === CH_COMMA) {
            this._mode = M_KEY;
            return i + 1;
          }
          if (c === CH_RBRACE) {
            this._mode = M_DONE;
            return i + 1;
          }
          throw this._syntax(buf, i, "',' or '}' after a top-level value");
        default:
          throw this._syntax(buf, i, 'the end of the file after the snapshot');
      }
    }
    return i;
  }

  private _scanKey(buf: Uint8Array, i: number, end: number): number {
    for (; i < end; i++) {
      const c = buf[i]!;
      if (this._keyEscape) {
        this._keyEscape = false;
      } else if (c === CH_BACKSLASH) {
        this._keyEscape = true;
      } else if (c === CH_QUOTE) {
        this._mode = M_COLON;
        this._section = this._sectionForKey();
        return i + 1;
      } else if (c < 32) {
        throw this._syntax(buf, i, 'a printable character in a key');
      }
      // Keys we know are short; longer ones can only be unknown keys.
      if (this._keyLength < this._key.length) this._key[this._keyLength] = c;
      this._keyLength++;
    }
    return i;
  }

  private _sectionForKey(): number {
    if (this._keyLength > this._key.length) return S_OTHER;
    const key = Buffer.from(this._key.buffer, 0, this._keyLength).toString('latin1');
    const section = SECTION_NAMES.indexOf(key);
    return section > 0 ? section : S_OTHER;
  }

  private _startValue(buf: Uint8Array, i: number): number {
    const section = this._section;
    const offset = this._base + i;
    if (section === S_OTHER) {
      this._mode = M_SKIP;
      this._skipper = new ValueSkipper();
      return i;
    }
    if (this._seen[section] !== 0) throw this._formatError(`"${SECTION_NAMES[section]}" appears twice`, offset);
    this._seen[section] = 1;
    this._sectionOffset[section] = offset;
    const c = buf[i]!;
    if (section === S_SNAPSHOT) {
      if (c !== CH_LBRACE) throw this._formatError('"snapshot" is not an object', offset);
      this._mode = M_HEADER;
      this._headerDepth = 0;
      return i;
    }
    if (c !== CH_LBRACKET) throw this._formatError(`"${SECTION_NAMES[section]}" is not an array`, offset);
    if (section === S_STRINGS) {
      this._mode = M_STRINGS;
      this._stringScanner = new StringArrayScanner(this._strings);
      return i + 1;
    }
    this._mode = M_NUMBERS;
    this._numState = N_FIRST;
    this._num = 0;
    this._field = 0;
    this._record = 0;
    if (section === S_NODES && this._cols !== null) {
      this._sink = SINK_NODES;
    } else if (section === S_EDGES && this._cols !== null) {
      this._sink = SINK_EDGES;
    } else {
      // Locations are small; nodes / edges before the header are replayed later.
      this._sink = SINK_RAW;
      // Self sizes may exceed 32 bits; location values may not. Locations
      // (one record per closure or object with a location, 40 MB of the
      // 600 MB benchmark file) get room for one per node up front, bounded
      // by what the rest of the file can hold, instead of doubling copies.
      const lf = this._meta === null ? 0 : this._meta.meta.locationFields.length;
      const capacity = section === S_LOCATIONS && lf > 0
        ? lf * Math.min(this._nodeCount, Math.ceil((this._inputBytes - offset) / (2 * lf)))
        : 0;
      this._raw = new GrowableNumbers(section !== S_LOCATIONS, capacity);
      this._rawWidth = section === S_LOCATIONS && lf === 4 ? 4 : 1;
      if (section === S_NODES) this._rawNodes = this._raw;
      else if (section === S_EDGES) this._rawEdges = this._raw;
      else this._rawLocations = this._raw;
    }
    return i + 1;
  }

  // ---- the "snapshot" header: collected (bounded) and JSON.parse'd ----

  private _scanHeader(buf: Uint8Array, i: number, end: number): number {
    const start = i;
    let depth = this._headerDepth;
    let inString = this._headerInString;
    let escape = this._headerEscape;
    let done = false;
    for (; i < end; i++) {
      const c = buf[i]!;
      if (inString) {
        if (escape) escape = false;
        else if (c === CH_BACKSLASH) escape = true;
        else if (c === CH_QUOTE) inString = false;
        continue;
      }
      if (c === CH_QUOTE) {
        inString = true;
      } else if (c === CH_LBRACE || c === CH_LBRACKET) {
        depth++;
      } else if (c === CH_RBRACE || c === CH_RBRACKET) {
        depth--;
        if (depth === 0) {
          i++;
          done = true;
          break;
        }
      }
    }
    this._headerDepth = depth;
    this._headerInString = inString;
    this._headerEscape = escape;
    if (this._header.length + (i - start) > MAX_HEADER_BYTES) {
      throw new LeakhoundError(
        'LH_ERR_SNAPSHOT_TOO_LARGE',
        `the "snapshot" header starting at byte ${this._sectionOffset[S_SNAPSHOT]} is larger than ${MAX_HEADER_BYTES} bytes; a V8 header is a few KB, so this is not a heap snapshot`,
        { offset: this._sectionOffset[S_SNAPSHOT]! },
      );
    }
    this._header.push(buf, start, i);
    if (done) {
      const offset = this._sectionOffset[S_SNAPSHOT]!;
      this._onHeader(parseHeaderJson(this._header.bytes.subarray(0, this._header.length), offset), offset);
      this._mode = M_AFTER;
    }
    return i;
  }

  private _onHeader(header: SnapshotHeader, offset: number): void {
    const nf = header.meta.nodeFields.length;
    const ef = header.meta.edgeFields.length;
    const nodeValues = header.nodeCount * nf;
    const edgeValues = header.edgeCount * ef;
    // Each value takes at least one digit and one separator: refuse counts the
    // file cannot hold before allocating anything for them.
    const minBytes = Math.max(0, 2 * nodeValues - 1) + Math.max(0, 2 * edgeValues - 1);
    if (minBytes > this._inputBytes) {
      // Usually a file cut short; otherwise a header that lies (reported the same way).
      throw new LeakhoundError(
        'LH_ERR_SNAPSHOT_TRUNCATED',
        `the file is truncated or its header is wrong: the header claims ${header.nodeCount} nodes and ${header.edgeCount} edges, which need at least ${minBytes} bytes, but the file has ${this._inputBytes}`,
        { offset: this._inputBytes },
      );
    }
    for (const [what, value] of [['node_count', header.nodeCount], ['edge_count', header.edgeCount]] as const) {
      if (value > MAX_COUNT) {
        throw new LeakhoundError(
          'LH_ERR_SNAPSHOT_TOO_LARGE',
          `snapshot.${what} is ${value}; this engine handles at most ${MAX_COUNT}`,
          { offset },
        );
      }
    }
    this._meta = header;
    this._nf = nf;
    this._ef = ef;
    this._nodeCount = header.nodeCount;
    this._edgeCount = header.edgeCount;
    this._nodeTypeCount = header.meta.nodeTypes.length;
    this._edgeTypeCount = header.meta.edgeTypes.length;
    this._values = new Float64Array(Math.max(nf, ef));
    this._standardNodes = header.meta.nodeFields.join(',') === STANDARD_NODE_FIELDS;
    this._edgeTypeElement = header.meta.edgeTypes.indexOf('element');
    this._edgeTypeHidden = header.meta.edgeTypes.indexOf('hidden');
    const n = header.nodeCount;
    const e = header.edgeCount;
    const shared = this._shared;
    const u32 = (length: number): Uint32Array => shared ? new Uint32Array(new SharedArrayBuffer(length * 4)) : new Uint32Array(length);
    try {
      // Big (shared) graphs in the kernels' memory, where they write records in place.
      const inMemory = (this._kernelsOption ?? (shared && n + e >= MIN_KERNEL_RECORDS))
        ? allocateColumns(n, e, header.nodeTraceId >= 0, header.nodeDetachedness >= 0, this._readBytes) : null;
      this._inMemory = inMemory;
      this._kernels = inMemory === null ? null : RecordKernels.create(inMemory.memory, inMemory.buffer);
      // ColumnsInMemory has every column (and the memory's areas besides).
      this._cols = inMemory !== null ? { ...inMemory } : {
        nodeType: shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n),
        nodeName: u32(n),
        nodeId: u32(n),
        nodeSelfSize: u32(n),
        firstEdge: u32(n + 1),
        nodeTraceId: header.nodeTraceId >= 0 ? new Uint32Array(n) : null,
        nodeDetachedness: header.nodeDetachedness >= 0 ? new Uint8Array(n) : null,
        edgeType: shared ? new Uint8Array(new SharedArrayBuffer(e)) : new Uint8Array(e),
        edgeNameOrIndex: u32(e),
        edgeToNode: u32(e),
      };
    } catch (error) {
      throw new LeakhoundError(
        'LH_ERR_SNAPSHOT_TOO_LARGE',
        `cannot allocate arrays for ${n} nodes and ${e} edges (${(error as Error).message})`,
        { cause: error, offset },
      );
    }
  }

  // ---- number arrays: nodes, edges, locations ----

  private _scanNumbers(buf: Uint8Array, i: number, end: number): number {
    switch (this._sink) {
      case SINK_NODES:
      case SINK_EDGES:
        return this._scanRecords(buf, i, end);
      default:
        return this._scanRaw(buf, i, end);
    }
  }

  /** A non-digit byte in a number array: the new state, or N_END at ']'. */
  private _numberSeparator(buf: Uint8Array, i: number, state: number): number {
    const c = buf[i]!;
    if (c === CH_COMMA) {
      if (state !== N_AFTER) throw this._syntax(buf, i, `a number in "${this._sectionName()}"`);
      return N_NEXT;
    }
    if (c === CH_RBRACKET) {
      if (state === N_NEXT) throw this._syntax(buf, i, `a number after ',' in "${this._sectionName()}"`);
      return N_END;
    }
    if (isSpace(c)) return state;
    if (c === 45 || c === 46 || c === 101 || c === 69 || c === 43) {
      const offset = this._base + i;
      throw this._formatError(`"${this._sectionName()}" holds a number that is not a non-negative integer at byte ${offset}`, offset);
    }
    throw this._syntax(buf, i, state === N_AFTER ? `',' or ']' in "${this._sectionName()}"` : `a number in "${this._sectionName()}"`);
  }

  private _endNumbers(state: number, field: number, record: number): void {
    this._mode = M_AFTER;
    this._numState = state;
    if (this._sink === SINK_NODES) {
      this._nodesDone = true;
      this._nodeRecords = record;
      this._nodeFieldsLeft = field;
    } else if (this._sink === SINK_EDGES) {
      this._edgesDone = true;
      this._edgeRecords = record;
      this._edgeFieldsLeft = field;
    }
  }

  // _scanRecords is the hot loop (over 90% of a file's bytes are nodes and
  // edges). Fast paths parse whole records; anything else (a record split by
  // the end of the piece, spaces, bad bytes) falls back to the byte-at-a-time
  // state machine below, which also produces the errors. Both fill `_values`
  // and store a finished record with _storeNode / _storeEdge.

  private _scanRecords(buf: Uint8Array, i: number, end: number): number {
    const nodes = this._sink === SINK_NODES;
    const values = this._values;
    const width = nodes ? this._nf : this._ef;
    const count = nodes ? this._nodeCount : this._edgeCount;
    let state = this._numState;
    let num = this._num;
    let field = this._field;
    let record = this._record;
    while (i < end) {
      if (field === 0 && (state === N_NEXT || state === N_FIRST)) {
        this._record = record;
        this._numState = state;
        if (nodes) i = this._standardNodes ? this._fastNodes7(buf, i, end) : this._fastRecords(buf, i, end);
        else i = width === 3 ? this._fastRecords3(buf, i, end) : this._fastRecords(buf, i, end);
        record = this._record;
        state = this._numState;
        if (i >= end) break;
      }
      // Byte at a time.
      const c = buf[i]!;
      if (c >= 48 && c <= 57) {
        if (state === N_AFTER) throw this._syntax(buf, i, `',' or ']' in "${this._sectionName()}"`);
        num = state === N_IN ? num * 10 + (c - 48) : c - 48;
        state = N_IN;
        i++;
        continue;
      }
      if (state === N_IN) {
        values[field] = num;
        if (++field === width) {
          if (record >= count) throw this._tooMany(i);
          if (nodes) this._storeNode(record, i);
          else this._storeEdge(record, i);
          record++;
          field = 0;
        }
        state = N_AFTER;
      }
      state = this._numberSeparator(buf, i, state);
      i++;
      if (state === N_END) {
        this._endNumbers(state, field, record);
        return i;
      }
    }
    this._numState = state;
    this._num = num;
    this._field = field;
    this._record = record;
    return i;
  }

  // The fast paths parse whole records in the shape V8 writes them
  // ("a,b,c\n,d,e,f") and stop at anything else, leaving it to the byte-at-a-
  // time loop. Digit loops stop at the sentinel feed() puts at buf[end]; a
  // record reaching `end` may continue in the next piece, so it is dropped and
  // re-read byte by byte.
  // On return `_numState` is N_AFTER when the separator after the last stored
  // record is still unread.

  /** Any record width. */
  private _fastRecords(buf: Uint8Array, i: number, end: number): number {
    const nodes = this._sink === SINK_NODES;
    const values = this._values;
    const width = nodes ? this._nf : this._ef;
    const count = nodes ? this._nodeCount : this._edgeCount;
    let record = this._record;
    while (i < end) {
      const recordStart = i;
      let c = 0;
      let k = 0;
      for (; k < width; k++) {
        c = buf[i]!;
        if (c < 48 || c > 57) break;
        let value = c - 48;
        while ((c = buf[++i]!) >= 48 && c <= 57) value = value * 10 + (c - 48);
        values[k] = value;
        if (k + 1 < width) {
          if (c !== CH_COMMA) break;
          i++;
        }
      }
      if (k < width || i >= end) {
        i = recordStart;
        break;
      }
      if (record >= count) throw this._tooMany(i);
      if (nodes) this._storeNode(record, i);
      else this._storeEdge(record, i);
      record++;
      this._numState = N_AFTER;
      if (c === 10) c = buf[++i]!;
      if (c !== CH_COMMA || i + 1 >= end) break;
      i++;
      this._numState = N_NEXT;
    }
    this._record = record;
    return i;
  }

  /** The kernels when they may pay for a piece of `bytes` bytes, else null. */
  private _kernelsFor(bytes: number): RecordKernels | null {
    if (bytes < MIN_KERNEL_BYTES || this._kernels === null) return null;
    return this._kernels.useful ? this._kernels : null;
  }

  /**
   * Width 3 (every V8's edges), unrolled, stores inline: about twice as fast
   * as the loop. Validation matches _storeEdge / _storeNode.
   */
  private _fastRecords3(buf: Uint8Array, i: number, end: number): number {
    const meta = this._meta!;
    const cols = this._cols!;
    const kernels = meta.edgeType === 0 && meta.edgeNameOrIndex === 1 ? this._kernelsFor(end - i) : null;
    if (kernels !== null) {
      // The WebAssembly loop first; this one goes on where it stops (a record it leaves to JS, the piece's end).
      const done = kernels.edgesForward(buf, i, end, this._edgeCount - this._record, cols, this._record, {
        typeCount: this._edgeTypeCount,
        nodeFields: this._nf,
        nodeCount: this._nodeCount,
        elementType: this._edgeTypeElement,
        hiddenType: this._edgeTypeHidden,
      }, this._maxEdgeName, this._inMemory!.mainInput);
      i = done.pos;
      if (done.records > 0) {
        this._record += done.records;
        this._maxEdgeName = kernels.maxName;
        this._numState = done.after ? N_AFTER : N_NEXT;
      }
      if (done.after || i >= end) return i;
    }
    const edgeType = cols.edgeType;
    const edgeName = cols.edgeNameOrIndex;
    const edgeTo = cols.edgeToNode;
    const pType = meta.edgeType;
    const pName = meta.edgeNameOrIndex;
    const nf = this._nf;
    // A multiplication instead of a division per edge; the product check below is exact.
    const perNode = 1 / nf;
    const nodeCount = this._nodeCount;
    const typeCount = this._edgeTypeCount;
    const count = this._edgeCount;
    const element = this._edgeTypeElement;
    const hidden = this._edgeTypeHidden;
    let maxName = this._maxEdgeName;
    let record = this._record;
    let state = this._numState;
    // Digit loops as in _fastNodes7.
    while (i < end) {
      const recordStart = i;
      let d = buf[i]! - 48;
      if (d >>> 0 >= 10) break;
      let v0 = d;
      while ((d = buf[++i]! - 48) >>> 0 < 10) v0 = v0 * 10 + d;
      if (d !== COMMA_D || (d = buf[++i]! - 48) >>> 0 >= 10) {
        i = recordStart;
        break;
      }
      let v1 = d;
      while ((d = buf[++i]! - 48) >>> 0 < 10) v1 = v1 * 10 + d;
      if (d !== COMMA_D || (d = buf[++i]! - 48) >>> 0 >= 10) {
        i = recordStart;
        break;
      }
      let v2 = d;
      while ((d = buf[++i]! - 48) >>> 0 < 10) v2 = v2 * 10 + d;
      if (i >= end) {
        i = recordStart;
        break;
      }
      if (record >= count) throw this._tooMany(i);
      const type = pType === 0 ? v0 : pType === 1 ? v1 : v2;
      const name = pName === 0 ? v0 : pName === 1 ? v1 : v2;
      const to = pType !== 2 && pName !== 2 ? v2 : pType !== 1 && pName !== 1 ? v1 : v0;
      if (type >= typeCount) throw this._badValue('edge type', type, typeCount, i);
      if (name > MAX_U32) throw this._badValue('edge name_or_index', name, MAX_U32, i);
      const target = (to * perNode + 0.5) >>> 0;
      if (target * nf !== to || target >= nodeCount) throw this._badTarget(record, to, i);
      edgeType[record] = type;
      edgeName[record] = name;
      edgeTo[record] = target;
      if (name > maxName && type !== element && type !== hidden) maxName = name;
      record++;
      state = N_AFTER;
      if (d === NL_D) d = buf[++i]! - 48;
      if (d !== COMMA_D || i + 1 >= end) break;
      i++;
      state = N_NEXT;
    }
    this._numState = state;
    this._record = record;
    this._maxEdgeName = maxName;
    return i;
  }

  /**
   * Nodes in the layout V8 has written since Node 18 (type, name, id,
   * self_size, edge_count, trace_node_id, detachedness), unrolled like
   * _fastRecords3. Validation matches _storeNode.
   */
  private _fastNodes7(buf: Uint8Array, i: number, end: number): number {
    const cols = this._cols!;
    // Not once the sizes were widened to doubles (a new array, outside the kernels' memory).
    const kernels = this._inMemory !== null && cols.nodeSelfSize === this._inMemory.nodeSelfSize && cols.nodeTraceId !== null &&
      cols.nodeDetachedness !== null ? this._kernelsFor(end - i) : null;
    if (kernels !== null) {
      // As in _fastRecords3: the WebAssembly loop first, this one from where it stops.
      const done = kernels.nodes7(buf, i, end, this._nodeCount - this._record, {
        nodeType: cols.nodeType,
        nodeName: cols.nodeName,
        nodeId: cols.nodeId,
        nodeSelfSize: cols.nodeSelfSize as Uint32Array,
        firstEdge: cols.firstEdge,
        nodeTraceId: cols.nodeTraceId!,
        nodeDetachedness: cols.nodeDetachedness!,
      }, this._record, this._nodeTypeCount, this._maxNodeName, this._edgeSum, this._inMemory!.mainInput);
      i = done.pos;
      if (done.records > 0) {
        this._record += done.records;
        this._maxNodeName = kernels.maxName;
        this._edgeSum = kernels.edgeSum;
        this._numState = done.after ? N_AFTER : N_NEXT;
      }
      if (done.after || i >= end) return i;
    }
    const nodeType = cols.nodeType;
    const nodeName = cols.nodeName;
    const nodeId = cols.nodeId;
    const nodeSelfSize = cols.nodeSelfSize;
    const firstEdge = cols.firstEdge;
    const nodeTraceId = cols.nodeTraceId!;
    const nodeDetachedness = cols.nodeDetachedness!;
    const typeCount = this._nodeTypeCount;
    const count = this._nodeCount;
    let record = this._record;
    let maxName = this._maxNodeName;
    let edgeSum = this._edgeSum;
    let state = this._numState;
    // Digit loops test (byte - 48) >>> 0 < 10: one unsigned compare per byte.
    // After a number, `d` is its terminator minus 48: COMMA_D for ',', NL_D for '\n'.
    while (i < end) {
      const recordStart = i;
      let d = buf[i]! - 48;
      if (d >>> 0 >= 10) break;
      let type = d;
      while ((d = buf[++i]! - 48) >>> 0 < 10) type = type * 10 + d;
      if (d !== COMMA_D || (d = buf[++i]! - 48) >>> 0 >= 10) {
        i = recordStart;
        break;
      }
      let name = d;
      while ((d = buf[++i]! - 48) >>> 0 < 10) name = name * 10 + d;
      if (d !== COMMA_D || (d = buf[++i]! - 48) >>> 0 >= 10) {
        i = recordStart;
        break;
      }
      let id = d;
      while ((d = buf[++i]! - 48) >>> 0 < 10) id = id * 10 + d;
      if (d !== COMMA_D || (d = buf[++i]! - 48) >>> 0 >= 10) {
        i = recordStart;
        break;
      }
      let size = d;
      while ((d = buf[++i]! - 48) >>> 0 < 10) size = size * 10 + d;
      if (d !== COMMA_D || (d = buf[++i]! - 48) >>> 0 >= 10) {
        i = recordStart;
        break;
      }
      let edges = d;
      while ((d = buf[++i]! - 48) >>> 0 < 10) edges = edges * 10 + d;
      if (d !== COMMA_D || (d = buf[++i]! - 48) >>> 0 >= 10) {
        i = recordStart;
        break;
      }
      let trace = d;
      while ((d = buf[++i]! - 48) >>> 0 < 10) trace = trace * 10 + d;
      if (d !== COMMA_D || (d = buf[++i]! - 48) >>> 0 >= 10) {
        i = recordStart;
        break;
      }
      let detached = d;
      while ((d = buf[++i]! - 48) >>> 0 < 10) detached = detached * 10 + d;
      if (i >= end) {
        i = recordStart;
        break;
      }
      if (record >= count) throw this._tooMany(i);
      if (type >= typeCount) throw this._badValue('node type', type, typeCount, i);
      if (name > MAX_U32 || id > MAX_U32 || edges > MAX_U32 || trace > MAX_U32 || detached > 255 || size > MAX_U32) {
        // Rare: let _storeNode name the bad field (or widen the sizes).
        i = recordStart;
        break;
      }
      nodeType[record] = type;
      nodeName[record] = name;
      nodeId[record] = id;
      nodeSelfSize[record] = size;
      firstEdge[record] = edgeSum;
      if (name > maxName) maxName = name;
      edgeSum += edges;
      // Almost always 0: skipping the write leaves those pages untouched (not in RSS).
      if (trace !== 0) nodeTraceId[record] = trace;
      if (detached !== 0) nodeDetachedness[record] = detached;
      record++;
      state = N_AFTER;
      if (d === NL_D) d = buf[++i]! - 48;
      if (d !== COMMA_D || i + 1 >= end) break;
      i++;
      state = N_NEXT;
    }
    this._numState = state;
    this._record = record;
    this._maxNodeName = maxName;
    this._edgeSum = edgeSum;
    return i;
  }

  private _storeNode(record: number, i: number): void {
    const values = this._values;
    const cols = this._cols!;
    const meta = this._meta!;
    const type = values[meta.nodeType]!;
    if (type >= this._nodeTypeCount) throw this._badValue('node type', type, this._nodeTypeCount, i);
    cols.nodeType[record] = type;
    const name = this._u32(values[meta.nodeName]!, 'node name', i);
    cols.nodeName[record] = name;
    if (name > this._maxNodeName) this._maxNodeName = name;
    cols.nodeId[record] = this._u32(values[meta.nodeId]!, 'node id', i);
    const size = values[meta.nodeSelfSize]!;
    if (size > MAX_SIZE) throw this._badValue('node self_size', size, MAX_SIZE, i);
    if (size > MAX_U32 && cols.nodeSelfSize instanceof Uint32Array) cols.nodeSelfSize = Float64Array.from(cols.nodeSelfSize);
    cols.nodeSelfSize[record] = size;
    const edges = this._u32(values[meta.nodeEdgeCount]!, 'node edge_count', i);
    cols.firstEdge[record] = this._edgeSum;
    this._edgeSum += edges;
    const trace = cols.nodeTraceId === null ? 0 : this._u32(values[meta.nodeTraceId]!, 'node trace_node_id', i);
    if (trace !== 0) cols.nodeTraceId![record] = trace;
    if (cols.nodeDetachedness !== null) {
      const detachedness = values[meta.nodeDetachedness]!;
      if (detachedness > 255) throw this._badValue('node detachedness', detachedness, 255, i);
      if (detachedness !== 0) cols.nodeDetachedness[record] = detachedness;
    }
  }

  private _storeEdge(record: number, i: number): void {
    const values = this._values;
    const cols = this._cols!;
    const meta = this._meta!;
    const type = values[meta.edgeType]!;
    if (type >= this._edgeTypeCount) throw this._badValue('edge type', type, this._edgeTypeCount, i);
    cols.edgeType[record] = type;
    const name = this._u32(values[meta.edgeNameOrIndex]!, 'edge name_or_index', i);
    cols.edgeNameOrIndex[record] = name;
    if (name > this._maxEdgeName && type !== this._edgeTypeElement && type !== this._edgeTypeHidden) this._maxEdgeName = name;
    const offset = values[meta.edgeToNode]!;
    const target = offset / this._nf;
    if (target >= this._nodeCount || target !== Math.floor(target)) throw this._badTarget(record, offset, i);
    cols.edgeToNode[record] = target;
  }

  private _u32(value: number, what: string, i: number): number {
    if (value > MAX_U32) throw this._badValue(what, value, MAX_U32, i);
    return value;
  }

  /** Locations, or nodes / edges seen before the header: kept as plain numbers. */
  private _scanRaw(buf: Uint8Array, i: number, end: number): number {
    const raw = this._raw;
    let state = this._numState;
    let num = this._num;
    while (i < end) {
      if (state === N_FIRST || state === N_NEXT) {
        this._numState = state;
        if (this._rawWidth === 4) {
          // Single numbers only up to the next record boundary (a record split between pieces), then whole records.
          if ((raw.length & 3) !== 0) i = this._fastRaw(buf, i, end, (raw.length | 3) + 1);
          if ((raw.length & 3) === 0 && this._numState !== N_AFTER) i = this._fastRaw4(buf, i, end);
        } else {
          i = this._fastRaw(buf, i, end);
        }
        state = this._numState;
        if (i >= end) break;
      }
      const c = buf[i]!;
      if (c >= 48 && c <= 57) {
        if (state === N_AFTER) throw this._syntax(buf, i, `',' or ']' in "${this._sectionName()}"`);
        num = state === N_IN ? num * 10 + (c - 48) : c - 48;
        state = N_IN;
        let d: number;
        // The sentinel at buf[end] stops this loop.
        while ((d = buf[++i]!) >= 48 && d <= 57) num = num * 10 + (d - 48);
        continue;
      }
      if (state === N_IN) {
        if (num > MAX_U32 && !raw.wide) throw this._badValue(`a number in "${this._sectionName()}"`, num, MAX_U32, i);
        raw.push(num);
        state = N_AFTER;
      }
      state = this._numberSeparator(buf, i, state);
      i++;
      if (state === N_END) {
        this._endNumbers(state, 0, 0);
        return i;
      }
    }
    this._numState = state;
    this._num = num;
    return i;
  }

  /**
   * _scanRaw's fast path for one number at a time (`upTo`: stop once the
   * raw numbers reach that count), for the raw sections that are not V8's
   * four-number locations (_fastRaw4) and for realigning on those. Stops at
   * anything else, and before a number that may continue in the next piece.
   */
  private _fastRaw(buf: Uint8Array, i: number, end: number, upTo = Number.POSITIVE_INFINITY): number {
    const raw = this._raw;
    const wide = raw.wide;
    let values = raw.values;
    let length = raw.length;
    while (i < end && length < upTo) {
      const start = i;
      let c = buf[i]!;
      if (c < 48 || c > 57) break;
      let num = c - 48;
      while ((c = buf[++i]!) >= 48 && c <= 57) num = num * 10 + (c - 48);
      // Out of range: the byte-at-a-time loop reports it.
      if (i >= end || (num > MAX_U32 && !wide)) {
        i = start;
        break;
      }
      if (length === values.length) {
        raw.length = length;
        raw.grow();
        values = raw.values;
      }
      values[length++] = num;
      this._numState = N_AFTER;
      if (c === 10) c = buf[++i]!;
      if (c !== CH_COMMA || i + 1 >= end) break;
      i++;
      this._numState = N_NEXT;
    }
    raw.length = length;
    return i;
  }

  /**
   * _fastRaw for whole four-number records ("a,b,c,d\n,"), V8's locations,
   * unrolled like _fastRecords3: about twice as fast as one number at a time.
   * Starts at a record boundary; leaves anything else to _fastRaw.
   */
  private _fastRaw4(buf: Uint8Array, i: number, end: number): number {
    const raw = this._raw;
    let values = raw.values;
    let length = raw.length;
    let state = this._numState;
    // Digit loops as in _fastNodes7.
    while (i < end) {
      const start = i;
      let d = buf[i]! - 48;
      if (d >>> 0 >= 10) break;
      let v0 = d;
      while ((d = buf[++i]! - 48) >>> 0 < 10) v0 = v0 * 10 + d;
      if (d !== COMMA_D || (d = buf[++i]! - 48) >>> 0 >= 10) {
        i = start;
        break;
      }
      let v1 = d;
      while ((d = buf[++i]! - 48) >>> 0 < 10) v1 = v1 * 10 + d;
      if (d !== COMMA_D || (d = buf[++i]! - 48) >>> 0 >= 10) {
        i = start;
        break;
      }
      let v2 = d;
      while ((d = buf[++i]! - 48) >>> 0 < 10) v2 = v2 * 10 + d;
      if (d !== COMMA_D || (d = buf[++i]! - 48) >>> 0 >= 10) {
        i = start;
        break;
      }
      let v3 = d;
      while ((d = buf[++i]! - 48) >>> 0 < 10) v3 = v3 * 10 + d;
      // A record reaching the piece's end may continue in the next one; out of range is reported by the byte loop.
      if (i >= end || v0 > MAX_U32 || v1 > MAX_U32 || v2 > MAX_U32 || v3 > MAX_U32) {
        i = start;
        break;
      }
      if (length + 4 > values.length) {
        raw.length = length;
        raw.grow();
        values = raw.values;
      }
      values[length] = v0;
      values[length + 1] = v1;
      values[length + 2] = v2;
      values[length + 3] = v3;
      length += 4;
      state = N_AFTER;
      if (d === NL_D) d = buf[++i]! - 48;
      if (d !== COMMA_D || i + 1 >= end) break;
      i++;
      state = N_NEXT;
    }
    this._numState = state;
    raw.length = length;
    return i;
  }

  private _tooMany(i: number): LeakhoundError {
    const nodes = this._sink === SINK_NODES;
    const what = nodes ? `node_count (${this._nodeCount})` : `edge_count (${this._edgeCount})`;
    return this._inconsistent(`"${nodes ? 'nodes' : 'edges'}" holds more than ${what} records`, this._base + i);
  }

  private _badValue(what: string, value: number, limit: number, i: number): LeakhoundError {
    return this._inconsistent(`${what} ${value} is out of range (limit ${limit})`, this._base + i);
  }

  private _badTarget(edge: number, value: number, i: number): LeakhoundError {
    return this._inconsistent(
      `edge ${edge} points to node offset ${value}, which is not a multiple of ${this._nf} below ${this._nodeCount * this._nf}`,
      this._base + i,
    );
  }

  /**
   * Nodes or edges that came before the header were kept as plain numbers;
   * they are re-scanned as text through the same code as in-order sections
   * (error offsets then point at the section's start).
   */
  private _replay(section: number, raw: GrowableNumbers | null, sink: number): void {
    if (raw === null) return;
    this._sink = sink;
    this._section = section;
    this._numState = N_FIRST;
    this._num = 0;
    this._field = 0;
    this._record = 0;
    const saveBase = this._base;
    this._base = this._sectionOffset[section]!;
    const text = Buffer.allocUnsafe(64 * 1024 + 1);
    const values = raw.values;
    let length = 0;
    for (let k = 0; k < raw.length; k++) {
      if (length > text.length - 33) {
        this._scanNumbers(text, 0, length);
        length = 0;
      }
      if (k > 0) text[length++] = CH_COMMA;
      length += text.write(String(values[k]), length, 'latin1');
    }
    text[length++] = CH_RBRACKET;
    this._scanNumbers(text, 0, length);
    this._base = saveBase;
    this._mode = M_DONE;
  }

  private _checkCounts(): void {
    if (!this._nodesDone || this._nodeRecords !== this._nodeCount || this._nodeFieldsLeft !== 0) {
      const values = this._nodeRecords * this._nf + this._nodeFieldsLeft;
      throw this._inconsistent(
        `"nodes" holds ${values} numbers but node_count ${this._nodeCount} x ${this._nf} fields = ${this._nodeCount * this._nf}`,
        this._sectionOffset[S_NODES],
      );
    }
    if (!this._edgesDone || this._edgeRecords !== this._edgeCount || this._edgeFieldsLeft !== 0) {
      const values = this._edgeRecords * this._ef + this._edgeFieldsLeft;
      throw this._inconsistent(
        `"edges" holds ${values} numbers but edge_count ${this._edgeCount} x ${this._ef} fields = ${this._edgeCount * this._ef}`,
        this._sectionOffset[S_EDGES],
      );
    }
  }

  private _checkNames(cols: Columns, stringCount: number): void {
    if (this._maxNodeName < stringCount && this._maxEdgeName < stringCount && this._edgeSum === this._edgeCount) return;
    // Something is wrong: find the first culprit for the message.
    const nodeCount = this._nodeCount;
    const names = cols.nodeName;
    for (let n = 0; n < nodeCount; n++) {
      if (names[n]! >= stringCount) {
        throw this._inconsistent(`node ${n} has name index ${names[n]}, but there are only ${stringCount} strings`);
      }
    }
    if (this._edgeSum !== this._edgeCount) {
      throw this._inconsistent(`the nodes' edge_count values add up to ${this._edgeSum}, but edge_count is ${this._edgeCount}`);
    }
    const edgeTypes = this._meta!.meta.edgeTypes;
    // Element and hidden edges carry an index, every other type a string index.
    const element = edgeTypes.indexOf('element');
    const hidden = edgeTypes.indexOf('hidden');
    const types = cols.edgeType;
    const edgeNames = cols.edgeNameOrIndex;
    const edgeCount = this._edgeCount;
    for (let e = 0; e < edgeCount; e++) {
      const type = types[e]!;
      if (type !== element && type !== hidden && edgeNames[e]! >= stringCount) {
        throw this._inconsistent(`edge ${e} (${edgeTypes[type]}) has name index ${edgeNames[e]}, but there are only ${stringCount} strings`);
      }
    }
    throw this._inconsistent('a name index or an edge_count is out of range');
  }

  private _buildLocations(header: SnapshotHeader): { node: Uint32Array; scriptId: Uint32Array; line: Uint32Array; column: Uint32Array } {
    const raw = this._rawLocations;
    const fields = header.meta.locationFields;
    const lf = fields.length;
    const total = raw === null ? 0 : raw.length;
    if (total === 0 || raw === null) {
      return { node: new Uint32Array(0), scriptId: new Uint32Array(0), line: new Uint32Array(0), column: new Uint32Array(0) };
    }
    const offset = this._sectionOffset[S_LOCATIONS]!;
    const lObject = fields.indexOf('object_index');
    const lScript = fields.indexOf('script_id');
    const lLine = fields.indexOf('line');
    const lColumn = fields.indexOf('column');
    if (lObject < 0 || lScript < 0 || lLine < 0 || lColumn < 0) {
      throw this._formatError('"locations" is not empty but snapshot.meta.location_fields lacks object_index, script_id, line or column', offset);
    }
    if (total % lf !== 0) {
      throw this._inconsistent(`"locations" holds ${total} numbers, not a multiple of its ${lf} fields`, offset);
    }
    const count = total / lf;
    const node = new Uint32Array(count);
    const scriptId = new Uint32Array(count);
    const line = new Uint32Array(count);
    const column = new Uint32Array(count);
    const values = raw.values;
    const nf = this._nf;
    for (let k = 0; k < count; k++) {
      const base = k * lf;
      const target = values[base + lObject]! / nf;
      if (target >= this._nodeCount || target !== Math.floor(target)) {
        throw this._inconsistent(`location ${k} refers to node offset ${values[base + lObject]}, which is not a node`, offset);
      }
      node[k] = target;
      scriptId[k] = values[base + lScript]!;
      line[k] = values[base + lLine]!;
      column[k] = values[base + lColumn]!;
    }
    return { node, scriptId, line, column };
  }
}

/** Parses an in-memory snapshot (tests, small inputs), fed in `chunkSize` pieces. */
export function parseSnapshotBytes(bytes: Uint8Array, options: ParseOptions = {}): HeapSnapshot {
  try {
    return parseBytes(bytes, options);
  } catch (error) {
    throw limitError(error);
  }
}

/**
 * A RangeError here means a V8 limit (an allocation, a typed array length):
 * a snapshot beyond this engine, not a bug to show with a stack.
 */
function limitError(error: unknown): unknown {
  if (!(error instanceof RangeError)) return error;
  return new LeakhoundError('LH_ERR_SNAPSHOT_TOO_LARGE', `the snapshot exceeds a V8 limit (${error.message})`, { cause: error });
}

function parseBytes(bytes: Uint8Array, options: ParseOptions): HeapSnapshot {
  const chunk = Math.max(1, Math.min(options.chunkSize ?? DEFAULT_CHUNK, bytes.length));
  const parser = new SnapshotStreamParser(bytes.length, false, chunk + 1, options.kernels);
  const piece = Buffer.allocUnsafe(chunk + 1);
  for (let start = 0; start < bytes.length; start += chunk) {
    const end = Math.min(bytes.length, start + chunk);
    piece.set(bytes.subarray(start, end));
    parser.feed(piece, end - start);
  }
  return parser.finish(options.onProgress);
}

function fileError(error: unknown, path: string): LeakhoundError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new LeakhoundError('LH_ERR_FILE_NOT_FOUND', `${path}: no such file`, { cause: error, file: path });
  }
  const reason = code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? (error as Error).message})`;
  return new LeakhoundError('LH_ERR_FILE_UNREADABLE', `${path}: ${reason}`, { cause: error, file: path });
}

/** A split parse found that its parts do not fit together: parse again on one thread. */
class SplitMismatch extends Error {}

/**
 * Streams a .heapsnapshot file into a HeapSnapshot. Reads `chunkSize` bytes at
 * a time into two reused buffers, so the next read runs while this one is
 * scanned. On big files a worker parses the tail of the `edges` section
 * (parser-split.ts) and the main thread skips over it; when the worker's part
 * is not in V8's exact layout the file is parsed again on one thread, which
 * reports bad input the usual way. Every failure is a LeakhoundError whose
 * message names the file.
 */
export async function parseSnapshotFile(path: string, options: ParseOptions = {}): Promise<HeapSnapshot> {
  try {
    return await parseFile(path, options);
  } catch (error) {
    if (!(error instanceof SplitMismatch)) throw error;
    // The dropped attempt's columns are garbage: return them before allocating again.
    collectNow();
    return parseFile(path, { ...options, edgeSplit: { minBytes: Number.POSITIVE_INFINITY } });
  }
}

async function parseFile(path: string, options: ParseOptions): Promise<HeapSnapshot> {
  const onProgress = options.onProgress ?? noProgress;
  let handle: FileHandle;
  let size: number;
  let regular: boolean;
  let pending: Promise<{ bytesRead: number }> | null = null;
  let tail: EdgeTailWorker | null = null;
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
    // Pipes (`<(gunzip -c x.heapsnapshot.gz)`, /dev/stdin) have no size and no positions.
    regular = info.isFile();
    size = regular ? info.size : 0;
    handle = await open(path, 'r');
  } catch (error) {
    throw fileError(error, path);
  }
  try {
    if (regular && size === 0) {
      throw new LeakhoundError('LH_ERR_SNAPSHOT_EMPTY', 'the file is empty (0 bytes)', { offset: 0 });
    }
    const chunk = Math.max(1, Math.min(options.chunkSize ?? DEFAULT_CHUNK, regular ? size : DEFAULT_CHUNK));
    const split = options.edgeSplit ?? {};
    // Undecided until the edges section starts; decided (true or false) once.
    let splitOpen = regular && size >= (split.minBytes ?? DEFAULT_SPLIT_MIN_BYTES);
    // Pipes cannot bound counts by their size.
    // One spare byte each for feed()'s sentinel.
    const parser = new SnapshotStreamParser(regular ? size : Number.MAX_SAFE_INTEGER, splitOpen, chunk + 1, options.kernels);
    let current: Buffer = Buffer.allocUnsafe(chunk + 1);
    let spare: Buffer = Buffer.allocUnsafe(chunk + 1);
    // Read into the kernels' memory once the parser has it (wasm-records.ts).
    let inMemory: [Buffer, Buffer] | null = null;
    let position = 0;
    const read = (into: Buffer, at: number): Promise<{ bytesRead: number }> => handle.read(into, 0, chunk, regular ? at : null);
    pending = read(current, position);
    onProgress('read', 0, size);
    while (true) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await pending);
      } catch (error) {
        throw fileError(error, path);
      }
      pending = null;
      if (bytesRead === 0) break;
      const start = position;
      position += bytesRead;
      const cut = tail === null ? -1 : tail.cut - start;
      if (cut >= 0 && cut < bytesRead) {
        // The head ends in this piece: parse up to the cut, then continue after the section.
        const saved = current[cut]!;
        parser.feed(current, cut);
        current[cut] = saved;
        const resume = await joinAtCut(tail!, parser);
        if (resume < 0) {
          tail = null;
          pending = read(spare, position);
          parser.feed(current.subarray(cut), bytesRead - cut);
        } else {
          position = resume;
          pending = read(spare, position);
        }
      } else {
        pending = read(spare, position);
        parser.feed(current, bytesRead);
        if (splitOpen) {
          const decision = await planSplit(parser, handle, position, size, split);
          if (decision !== null) {
            splitOpen = false;
            if (decision.cut >= 0) tail = new EdgeTailWorker(parser.edgeTailTask(handle.fd, decision.cut, decision.endHint), split.workerUrl);
          }
        }
      }
      onProgress('read', position, regular ? Math.max(size, position) : 0);
      const used = current;
      current = spare;
      spare = used;
      if (inMemory === null && (inMemory = parser.readBuffers()) !== null) {
        // `current` receives the read in flight; the next one goes into the memory.
        spare = inMemory[0];
      } else if (inMemory !== null && spare !== inMemory[0] && spare !== inMemory[1]) {
        spare = current === inMemory[0] ? inMemory[1] : inMemory[0];
      }
    }
    if (tail !== null) {
      const result = await tail.done();
      if (!result.ok || !parser.adoptEdgeTail(result.records, result.maxName)) throw new SplitMismatch();
      split.onSplit?.(tail.cut, (await tail.end())!);
      tail = null;
    }
    return parser.finish(onProgress);
  } catch (caught) {
    const error = limitError(caught);
    if (isLeakhoundError(error)) {
      if (error.file !== undefined) throw error;
      const options = { cause: error, file: path, ...(error.offset === undefined ? {} : { offset: error.offset }) };
      throw new LeakhoundError(error.code, `${path}: ${error.message}`, options);
    }
    throw error;
  } finally {
    // The worker reads through this handle and writes into the columns: stop it first.
    if (tail !== null) await tail.stop();
    // A read may still be in flight when scanning failed; let it settle first.
    if (pending !== null) await pending.catch(() => undefined);
    await handle.close();
  }
}

/**
 * Once the header is known: the offset of the newline to cut the edges
 * section at, -1 for no split, or null while the header is still ahead. The
 * section is found by probing the file (locateEdges), so the worker starts
 * while the main thread is still in the nodes.
 */
async function planSplit(parser: SnapshotStreamParser, handle: FileHandle, position: number, size: number,
  options: EdgeSplitOptions): Promise<{ cut: number; endHint: number } | null> {
  const none = { cut: -1, endHint: 0 };
  if (!parser.headerKnown) return null;
  const layout = parser.splitLayout();
  if (layout === null) return none;
  const read = async (bytes: Uint8Array, at: number): Promise<number> => (await handle.read(bytes, 0, bytes.length, at)).bytesRead;
  const section = await locateEdges(read, position, size, layout);
  if (section === null) return none;
  const from = cutOffset(section.start, position, section.end, size, options.at, parser.usesKernels ? KERNEL_SPLIT_COSTS : JS_SPLIT_COSTS);
  if (from < 0) return none;
  const probe = Buffer.alloc(64);
  const { bytesRead } = await handle.read(probe, 0, probe.length, from);
  const newline = probe.subarray(0, bytesRead).indexOf(10);
  return newline < 0 ? none : { cut: from + newline, endHint: section.end };
}

/**
 * At the cut: where the main thread continues (after the section's ']'), or
 * -1 when the worker declined (the main thread parses on as usual).
 */
async function joinAtCut(tail: EdgeTailWorker, parser: SnapshotStreamParser): Promise<number> {
  const end = await tail.end();
  if (end === null) return -1;
  // The cut was past the section (the estimate ran long): the worker's writes are not edges.
  if (!parser.cutEdges(end + 1)) throw new SplitMismatch();
  return end + 1;
}
