// Compact string table: UTF-8 bytes in chunks (no chunk near V8's max string
// or buffer size), a start offset and a chunk number per string (6 bytes; a
// string ends where the next one in its chunk starts). A JS string is made
// only on get().
const CHUNK_BYTES = 64 * 1024 * 1024;

/** A StringTable's contents on SharedArrayBuffers (StringTable.toShared / fromShared). */
export interface SharedStrings {
  chunks: Uint8Array[];
  chunkOf: Uint16Array;
  start: Uint32Array;
  count: number;
}

export class StringTable {
  private readonly _chunks: Buffer[] = [];
  private _current: Buffer;
  private _used = 0;
  private _chunkOf: Uint16Array;
  private _start: Uint32Array;
  private _count = 0;
  private readonly _cache = new Map<number, string>();
  /** Set when the table was made from shared parts: handed on as they are. */
  private _shared: SharedStrings | null = null;

  constructor(expectedCount = 1024) {
    const capacity = Math.max(16, expectedCount);
    this._chunkOf = new Uint16Array(capacity);
    this._start = new Uint32Array(capacity);
    this._current = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, 1024 * 1024));
    this._chunks.push(this._current);
  }

  /**
   * A table over shared parts (from toShared(), possibly in another thread).
   * For reading: appending to it is not supported.
   */
  static fromShared(parts: SharedStrings): StringTable {
    const table = new StringTable(0);
    table._chunks.length = 0;
    for (const chunk of parts.chunks) table._chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    table._current = table._chunks[table._chunks.length - 1] ?? Buffer.alloc(0);
    table._used = table._current.length;
    table._chunkOf = parts.chunkOf;
    table._start = parts.start;
    table._count = parts.count;
    table._shared = parts;
    return table;
  }

  /**
   * The bytes and offsets copied into SharedArrayBuffers, trimmed to what is
   * used, for worker threads (no copy when the table already is on shared parts).
   */
  toShared(): SharedStrings {
    if (this._shared !== null) return this._shared;
    const copy = <T extends Uint8Array | Uint16Array | Uint32Array>(from: T, make: (buffer: SharedArrayBuffer, count: number) => T, count: number): T => {
      const to = make(new SharedArrayBuffer(count * from.BYTES_PER_ELEMENT), count);
      to.set(from.subarray(0, count));
      return to;
    };
    const chunks = this._chunks.map((chunk, i) => {
      const used = i === this._chunks.length - 1 ? this._used : chunk.length;
      return copy<Uint8Array>(chunk, (buffer, count) => new Uint8Array(buffer, 0, count), used);
    });
    return {
      chunks,
      chunkOf: copy(this._chunkOf, (buffer, count) => new Uint16Array(buffer, 0, count), this._count),
      start: copy(this._start, (buffer, count) => new Uint32Array(buffer, 0, count), this._count),
      count: this._count,
    };
  }

  get count(): number {
    return this._count;
  }

  /** Total UTF-8 bytes held. */
  get byteLength(): number {
    let total = 0;
    for (let i = 0; i < this._chunks.length - 1; i++) total += this._chunks[i]!.length;
    return total + this._used;
  }

  /** Appends the UTF-8 bytes bytes[start, end) as the next string; returns its index. */
  addBytes(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    this._reserve(length);
    if (length <= 32) {
      // Most snapshot strings are short; a loop beats allocating a subarray view.
      const target = this._current;
      const used = this._used;
      for (let k = 0; k < length; k++) target[used + k] = bytes[start + k]!;
    } else {
      this._current.set(bytes.subarray(start, end), this._used);
    }
    return this._record(length);
  }

  add(value: string): number {
    const length = Buffer.byteLength(value, 'utf8');
    this._reserve(length);
    this._current.write(value, this._used, 'utf8');
    return this._record(length);
  }

  get(index: number): string {
    if (index >= this._count || index < 0) return '';
    const cached = this._cache.get(index);
    if (cached !== undefined) return cached;
    const chunk = this._chunks[this._chunkOf[index]!]!;
    const start = this._start[index]!;
    const value = chunk.toString('utf8', start, this._end(index));
    if (this._cache.size < 65536 && value.length < 256) this._cache.set(index, value);
    return value;
  }

  /**
   * The value of string `index` when it is a plain decimal of 1-9 digits
   * ("0", "417"), else -1; read from its bytes, without decoding (the slot
   * names of a big hash table are hundreds of thousands of such strings).
   */
  decimalOf(index: number): number {
    if (index >= this._count || index < 0) return -1;
    const chunk = this._chunks[this._chunkOf[index]!]!;
    const start = this._start[index]!;
    const end = this._end(index);
    if (end === start || end - start > 9) return -1;
    let value = 0;
    for (let i = start; i < end; i++) {
      const d = chunk[i]! - 48;
      if (d >>> 0 >= 10) return -1;
      value = value * 10 + d;
    }
    return value;
  }

  /** Byte length of string `index` without decoding it. */
  byteLengthOf(index: number): number {
    return index < this._count && index >= 0 ? this._end(index) - this._start[index]! : 0;
  }

  /** Where string `index` ends in its chunk: the next string's start, or the chunk's used length. */
  private _end(index: number): number {
    const chunk = this._chunkOf[index]!;
    if (index + 1 < this._count && this._chunkOf[index + 1] === chunk) return this._start[index + 1]!;
    return chunk === this._chunks.length - 1 ? this._used : this._chunks[chunk]!.length;
  }

  private _reserve(length: number): void {
    if (this._used + length <= this._current.length) return;
    // Keep the final chunk small for tiny tables; grow to full chunks for big ones.
    if (this._chunks.length === 1 && this._current.length < CHUNK_BYTES && this._used + length <= CHUNK_BYTES) {
      const bigger = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(this._current.length * 4, this._used + length)));
      this._current.copy(bigger, 0, 0, this._used);
      this._current = bigger;
      this._chunks[0] = bigger;
      return;
    }
    this._chunks[this._chunks.length - 1] = this._current.subarray(0, this._used);
    this._current = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, length));
    this._chunks.push(this._current);
    this._used = 0;
  }

  private _record(length: number): number {
    if (this._count === this._start.length) {
      const capacity = this._start.length * 2;
      const chunkOf = new Uint16Array(capacity);
      chunkOf.set(this._chunkOf);
      this._chunkOf = chunkOf;
      const start = new Uint32Array(capacity);
      start.set(this._start);
      this._start = start;
    }
    const index = this._count++;
    this._chunkOf[index] = this._chunks.length - 1;
    this._start[index] = this._used;
    this._used += length;
    return index;
  }
}
