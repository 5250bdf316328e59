// The WebAssembly fast paths for the numeric sections (wasm/records.wat).
// The snapshot's node and edge columns are allocated in one shared
// WebAssembly memory (allocateColumns), so the kernels write every record
// straight to its slot and the threads that parse (the edge-tail worker) run
// their own instance on the same memory; the columns are ordinary typed
// arrays on its SharedArrayBuffer for everything else.
//
// Every kernel stops at the first record that is not plain and the caller's
// JavaScript loop takes over there, so this module never decides about bad
// input. Without WebAssembly, past 4 GB of columns, or with LEAKHOUND_WASM=0
// (a diagnostic switch, and what the tests compare against) the JavaScript
// loops do all of it.
import { WASM_BASE64 } from './wasm/records.wasm.js';

// The few WebAssembly API types used here (the compiler's lib here has none).
interface WasmGlobal {
  value: number;
}
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

interface KernelExports {
  pos: WasmGlobal;
  after: WasmGlobal;
  maxName: WasmGlobal;
  edgeSum: WasmGlobal;
  edgesForward(i: number, end: number, max: number, outType: number, outName: number, outTo: number, record: number,
    typeCount: number, nf: number, nodeCount: number, element: number, hidden: number): number;
  edgesBackward(i: number, first: number, max: number, outType: number, outName: number, outTo: number, record: number,
    typeCount: number, nf: number, nodeCount: number, element: number, hidden: number): number;
  nodes7(i: number, end: number, max: number, outType: number, outName: number, outId: number, outSize: number,
    outFirst: number, outTrace: number, outDetached: number, typeCount: number, record: number): number;
}

/** Input bytes copied per call on the main thread: the first window is small in case the kernel stops at once. */
const FIRST_WINDOW = 64 * 1024;
const MAX_WINDOW = 1024 * 1024;
/** The edge-tail thread reads its chunks (this size, plus a byte) straight into the memory. */
export const TAIL_CHUNK = 1024 * 1024;
/** After this many stops well inside a window (records left to JS), an instance stops trying. */
const MAX_EARLY_STOPS = 16;
/** Longer than any record the kernels take (seven 10-digit numbers and separators). */
const MAX_RECORD_BYTES = 96;
/** A WebAssembly page, and a 32-bit memory's limit in pages. */
export const PAGE = 64 * 1024;
export const MAX_PAGES = 65536;
const NL = 10;
const COMMA = 44;

let compiled: object | null | undefined;

/** A compiled module from its base64 binary, or null without WebAssembly (--jitless, a policy) or with LEAKHOUND_WASM=0. */
export function compileKernels(base64: string): object | null {
  if (process.env['LEAKHOUND_WASM'] === '0' || wasmApi === undefined) return null;
  try {
    return new wasmApi.Module(Buffer.from(base64, 'base64'));
  } catch {
    return null;
  }
}

/** An instance of `module` on `memory`, or null. */
export function instantiateKernels(module: object, memory: WasmMemory): unknown {
  try {
    return new wasmApi!.Instance(module, { env: { memory } }).exports;
  } catch {
    return null;
  }
}

function kernelModule(): object | null {
  if (compiled === undefined) compiled = compileKernels(WASM_BASE64);
  return compiled;
}

/** The node and edge columns in one shared memory, and the two threads' input areas in it. */
export interface ColumnsInMemory {
  memory: WasmMemory;
  /** The memory's bytes: the one SharedArrayBuffer object every view here is made on. */
  buffer: SharedArrayBuffer;
  /** Two areas of `readBytes` bytes the main thread reads the file into (no copy for the kernels then). */
  reads: [number, number];
  readBytes: number;
  nodeType: Uint8Array;
  nodeName: Uint32Array;
  nodeId: Uint32Array;
  nodeSelfSize: Uint32Array;
  /** nodeCount + 1 entries. */
  firstEdge: Uint32Array;
  nodeTraceId: Uint32Array | null;
  nodeDetachedness: Uint8Array | null;
  edgeType: Uint8Array;
  edgeNameOrIndex: Uint32Array;
  edgeToNode: Uint32Array;
  /** Byte offsets of the main thread's input window and of the edge-tail thread's chunk. */
  mainInput: number;
  tailInput: number;
}

/**
 * The columns for `nodes` and `edges` in a new shared memory, or null when the
 * kernels are unavailable or the columns do not fit 4 GB. Pages are committed
 * when first written, as with any ArrayBuffer.
 */
export function allocateColumns(nodes: number, edges: number, withTrace: boolean, withDetachedness: boolean,
  readBytes: number): ColumnsInMemory | null {
  if (kernelModule() === null || wasmApi === undefined) return null;
  let next = 0;
  const take = (bytes: number): number => {
    const at = next;
    // Sizes pass 2^32 here: no 32-bit bit operations.
    next += Math.ceil(bytes / 8) * 8;
    return at;
  };
  const layout = {
    nodeType: take(nodes),
    nodeName: take(4 * nodes),
    nodeId: take(4 * nodes),
    nodeSelfSize: take(4 * nodes),
    firstEdge: take(4 * (nodes + 1)),
    nodeTraceId: withTrace ? take(4 * nodes) : -1,
    nodeDetachedness: withDetachedness ? take(nodes) : -1,
    edgeType: take(edges),
    edgeNameOrIndex: take(4 * edges),
    edgeToNode: take(4 * edges),
    mainInput: take(MAX_WINDOW + 1),
    tailInput: take(TAIL_CHUNK + 1),
    readA: take(readBytes),
    readB: take(readBytes),
  };
  const pages = Math.ceil(next / PAGE);
  if (pages > MAX_PAGES) return null;
  let memory: WasmMemory;
  try {
    // Growable up to 4 GB: the analyses put their working arrays after the columns (wasm-graph.ts).
    memory = new wasmApi.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
  } catch {
    return null;
  }
  const buffer = memory.buffer;
  return {
    memory,
    buffer,
    reads: [layout.readA, layout.readB],
    readBytes,
    nodeType: new Uint8Array(buffer, layout.nodeType, nodes),
    nodeName: new Uint32Array(buffer, layout.nodeName, nodes),
    nodeId: new Uint32Array(buffer, layout.nodeId, nodes),
    nodeSelfSize: new Uint32Array(buffer, layout.nodeSelfSize, nodes),
    firstEdge: new Uint32Array(buffer, layout.firstEdge, nodes + 1),
    nodeTraceId: withTrace ? new Uint32Array(buffer, layout.nodeTraceId, nodes) : null,
    nodeDetachedness: withDetachedness ? new Uint8Array(buffer, layout.nodeDetachedness, nodes) : null,
    edgeType: new Uint8Array(buffer, layout.edgeType, edges),
    edgeNameOrIndex: new Uint32Array(buffer, layout.edgeNameOrIndex, edges),
    edgeToNode: new Uint32Array(buffer, layout.edgeToNode, edges),
    mainInput: layout.mainInput,
    tailInput: layout.tailInput,
  };
}

/** Edge parameters the kernels check records against. */
export interface EdgeLimits {
  typeCount: number;
  nodeFields: number;
  nodeCount: number;
  elementType: number;
  hiddenType: number;
}

/** The edge columns, views of the kernels' memory. */
export interface EdgeColumns {
  edgeType: Uint8Array;
  edgeNameOrIndex: Uint32Array;
  edgeToNode: Uint32Array;
}

export interface NodeColumns {
  nodeType: Uint8Array;
  nodeName: Uint32Array;
  nodeId: Uint32Array;
  nodeSelfSize: Uint32Array;
  firstEdge: Uint32Array;
  nodeTraceId: Uint32Array;
  nodeDetachedness: Uint8Array;
}

/** Where a forward kernel stopped, in the caller's buffer. */
export interface ForwardResult {
  /** Records written. */
  records: number;
  /** Offset to resume at. */
  pos: number;
  /** True when `pos` is the separator after a record (unread), false when it is a record's start. */
  after: boolean;
}

/** One thread's kernels on a memory from allocateColumns. */
export class RecordKernels {
  private readonly _x: KernelExports;
  private readonly _mem: Uint8Array;
  /** Input in views of this buffer needs no copy. */
  private readonly _buffer: SharedArrayBuffer;
  private _earlyStops = 0;
  /** Largest name the last call saw, -1 for none (edges: other types than element and hidden). */
  maxName = -1;
  /** Nodes: the running sum of edge counts. */
  edgeSum = 0;

  /** Null when the kernels are unavailable. `buffer`: the memory's buffer object the caller's views are on. */
  static create(memory: WasmMemory, buffer: SharedArrayBuffer = memory.buffer): RecordKernels | null {
    const module = kernelModule();
    const exports = module === null ? null : instantiateKernels(module, memory);
    return exports === null ? null : new RecordKernels(exports as KernelExports, buffer);
  }

  private constructor(exports: KernelExports, buffer: SharedArrayBuffer) {
    this._x = exports;
    this._buffer = buffer;
    this._mem = new Uint8Array(buffer);
  }

  /** False once the input has shown it is not in V8's plain layout often enough not to bother. */
  get useful(): boolean {
    return this._earlyStops < MAX_EARLY_STOPS;
  }

  /**
   * Runs a forward kernel over `buf` from `i` (a record's start) to `end` in
   * windows copied to `input`, at most `max` records. `run(at, end)` calls the
   * kernel once over the window (absolute offsets) for the records left and
   * returns how many it wrote.
   */
  private _forward(buf: Uint8Array, i: number, end: number, max: number, input: number,
    run: (at: number, windowEnd: number, want: number, done: number) => number): ForwardResult {
    const x = this._x;
    if (buf.buffer === this._buffer) {
      // Read into the memory already (with feed()'s sentinel at `end`): the kernel runs in place.
      const base = buf.byteOffset;
      const records = run(base + i, base + end, max, 0);
      return { records, pos: x.pos.value - base, after: x.after.value === 1 };
    }
    const mem = this._mem;
    let records = 0;
    let after = false;
    let window = FIRST_WINDOW;
    while (i < end && records < max) {
      const length = Math.min(end - i, window);
      mem.set(buf.subarray(i, i + length), input);
      mem[input + length] = 0;
      records += run(input, input + length, max - records, records);
      const at = x.pos.value - input;
      after = x.after.value === 1;
      const lastWindow = i + length === end;
      i += at;
      if (records >= max || lastWindow) break;
      if (at + MAX_RECORD_BYTES < length) {
        // A record the kernel leaves to the JavaScript loop, well inside the window.
        this._earlyStops++;
        break;
      }
      // The window's end cut a record or its separator: on with the next window, at a record's start.
      if (after) {
        if (buf[i] === NL) i++;
        if (buf[i] !== COMMA || i + 1 >= end) break;
        i++;
        after = false;
      }
      window = Math.min(MAX_WINDOW, window * 2);
    }
    return { records, pos: i, after };
  }

  /**
   * Edges forwards from `i` (a record's start) up to `end`, at most `max`
   * records, into the columns from `record` on, through the input area at
   * `input`. `maxName` starts from the caller's maximum; the new one is left in
   * `this.maxName`.
   */
  edgesForward(buf: Uint8Array, i: number, end: number, max: number, cols: EdgeColumns, record: number,
    limits: EdgeLimits, maxName: number, input: number): ForwardResult {
    const x = this._x;
    x.maxName.value = maxName;
    const result = this._forward(buf, i, end, max, input, (at, windowEnd, want, done) =>
      x.edgesForward(at, windowEnd, want, cols.edgeType.byteOffset, cols.edgeNameOrIndex.byteOffset,
        cols.edgeToNode.byteOffset, record + done, limits.typeCount, limits.nodeFields, limits.nodeCount,
        limits.elementType, limits.hiddenType));
    this.maxName = x.maxName.value;
    return result;
  }

  /** Nodes in V8's 7-field layout, like edgesForward; `edgeSum` and `maxName` carry on from the caller's. */
  nodes7(buf: Uint8Array, i: number, end: number, max: number, cols: NodeColumns, record: number, typeCount: number,
    maxName: number, edgeSum: number, input: number): ForwardResult {
    const x = this._x;
    x.maxName.value = maxName;
    x.edgeSum.value = edgeSum;
    const result = this._forward(buf, i, end, max, input, (at, windowEnd, want, done) =>
      x.nodes7(at, windowEnd, want, cols.nodeType.byteOffset, cols.nodeName.byteOffset, cols.nodeId.byteOffset,
        cols.nodeSelfSize.byteOffset, cols.firstEdge.byteOffset, cols.nodeTraceId.byteOffset,
        cols.nodeDetachedness.byteOffset, typeCount, record + done));
    this.maxName = x.maxName.value;
    this.edgeSum = x.edgeSum.value;
    return result;
  }

  /**
   * Edges backwards over a chunk the caller read to `input`: from `i`, a
   * record's closing newline, down to `first` (offsets in the chunk), at most
   * `max` records, the last one at slot `record` - 1. Returns how many, and
   * the newline where it stopped (`pos`, in the chunk).
   */
  edgesBackward(i: number, first: number, max: number, cols: EdgeColumns, record: number, limits: EdgeLimits,
    maxName: number, input: number): { records: number; pos: number } {
    const x = this._x;
    x.maxName.value = maxName;
    const records = x.edgesBackward(input + i, input + first, max, cols.edgeType.byteOffset,
      cols.edgeNameOrIndex.byteOffset, cols.edgeToNode.byteOffset, record, limits.typeCount, limits.nodeFields,
      limits.nodeCount, limits.elementType, limits.hiddenType);
    this.maxName = x.maxName.value;
    return { records, pos: x.pos.value - input };
  }
}
