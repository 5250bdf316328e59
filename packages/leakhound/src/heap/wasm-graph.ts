// The dominator pass's search in WebAssembly (wasm/graph.wat), on the memory
// the parser put the graph's columns in (wasm-records.ts), with its working
// arrays allocated after them (GraphArena). A snapshot without that memory
// (small files, built in memory, past 4 GB, LEAKHOUND_WASM=0) uses the
// JavaScript search in dominators.ts; both give the same numbering.
import { WASM_BASE64 } from './wasm/graph.wasm.js';
import { MAX_PAGES, PAGE, compileKernels, instantiateKernels, type WasmMemory } from './wasm-records.js';

interface GraphExports {
  dfs(start: number, n: number, firstEdge: number, edgeToNode: number, bits: number, seen: number, dfnOf: number,
    vertex: number, parent: number, path: number, startParent: number): number;
}

let compiled: object | null | undefined;
/** Arrays some GraphArena handed out: the kernels take only those (and the graph's columns). */
const arenaArrays = new WeakSet<ArrayBufferView>();

/**
 * Typed arrays carved out of the end of a snapshot's kernel memory, which
 * grows for them (up to 4 GB; pages are committed when first written). They
 * live as long as the memory: an analysis keeps them in its results anyway
 * (DFS order, immediate dominators, the dominator children).
 */
export class GraphArena {
  private _top: number;
  /** Past this offset nothing was ever handed out (the memory's zero pages); below it, space may be dirty. */
  private _clean: number;

  constructor(readonly memory: WasmMemory) {
    this._top = memory.buffer.byteLength;
    this._clean = this._top;
  }

  /**
   * Lets the arena start at `offset`, over space its owner no longer uses
   * (the parser's read buffers, already in RSS), instead of at the memory's
   * end. Only before the first request.
   */
  reuseFrom(offset: number): void {
    if (this._top === this._clean && offset < this._top) this._top = Math.ceil(offset / 8) * 8;
  }

  /** `bytes` bytes at an 8-byte aligned offset, zeroed, or -1 when the memory cannot grow that far. */
  private _take(bytes: number): number {
    const at = Math.ceil(this._top / 8) * 8;
    const end = at + bytes;
    const size = this.memory.buffer.byteLength;
    if (end > size) {
      const pages = Math.ceil((end - size) / PAGE);
      if (size / PAGE + pages > MAX_PAGES) return -1;
      try {
        this.memory.grow(pages);
      } catch {
        return -1;
      }
    }
    // Space handed out before may hold anything; past `_clean` it is still zero.
    if (at < this._clean) new Uint8Array(this.memory.buffer, at, Math.min(end, this._clean) - at).fill(0);
    this._clean = Math.max(this._clean, end);
    this._top = end;
    return at;
  }

  /** A zeroed Uint32Array of `length`, or null when it does not fit. */
  u32(length: number): Uint32Array | null {
    return this._array(length, (buffer, at) => new Uint32Array(buffer, at, length));
  }

  i32(length: number): Int32Array | null {
    return this._array(length, (buffer, at) => new Int32Array(buffer, at, length));
  }

  private _array<T extends Uint32Array | Int32Array>(length: number, make: (buffer: SharedArrayBuffer, at: number) => T): T | null {
    const at = this._take(4 * length);
    if (at < 0) return null;
    const array = make(this.memory.buffer, at);
    arenaArrays.add(array);
    return array;
  }

  /** True when every one of `arrays` came from an arena. */
  static holds(...arrays: ArrayBufferView[]): boolean {
    return arrays.every((a) => arenaArrays.has(a));
  }
}

const arenas = new WeakMap<WasmMemory, GraphArena>();

/** The one arena of a snapshot's kernel memory (null: the snapshot has none), shared by its analyses. */
export function arenaOf(memory: WasmMemory | null): GraphArena | null {
  if (memory === null) return null;
  let arena = arenas.get(memory);
  if (arena === undefined) {
    arena = new GraphArena(memory);
    arenas.set(memory, arena);
  }
  return arena;
}

/** The graph kernels on one memory; null when unavailable. */
export class GraphKernels {
  static create(memory: WasmMemory): GraphKernels | null {
    if (compiled === undefined) compiled = compileKernels(WASM_BASE64);
    const exports = compiled === null ? null : instantiateKernels(compiled, memory);
    return exports === null ? null : new GraphKernels(exports as GraphExports);
  }

  private constructor(private readonly _x: GraphExports) {}

  /**
   * dominators.ts' dfs(start, startParent) over arrays in the memory;
   * returns the last DFS number given (`n` is the one before the search).
   * `path` needs 3 entries per depth of the search (nodeCount + 1 depths at most).
   */
  dfs(start: number, n: number, startParent: number, arrays: {
    firstEdge: Uint32Array; edgeToNode: Uint32Array; bits: Int32Array; seen: Int32Array;
    dfnOf: Uint32Array; vertex: Uint32Array; parent: Uint32Array; path: Uint32Array;
  }): number {
    const { firstEdge, edgeToNode, bits, seen, dfnOf, vertex, parent, path } = arrays;
    return this._x.dfs(start, n, firstEdge.byteOffset, edgeToNode.byteOffset, bits.byteOffset, seen.byteOffset,
      dfnOf.byteOffset, vertex.byteOffset, parent.byteOffset, path.byteOffset, startParent);
  }
}
