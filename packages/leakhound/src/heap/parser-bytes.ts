// Byte-level helpers shared by the streaming parser's scanners (parser.ts,
// parser-strings.ts, parser-skip.ts): JSON byte classes, error builders that
// carry the byte offset, and a growable byte buffer.
import { LeakhoundError } from '../errors.js';

export const CH_QUOTE = 34;
export const CH_BACKSLASH = 92;
export const CH_COMMA = 44;
export const CH_COLON = 58;
export const CH_LBRACKET = 91;
export const CH_RBRACKET = 93;
export const CH_LBRACE = 123;
export const CH_RBRACE = 125;

export function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Bytes that may appear in a JSON number or literal (true, false, null). */
export function isScalarByte(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69 ||
    c === 116 || c === 114 || c === 117 || c === 102 || c === 97 || c === 108 || c === 115 || c === 110
  );
}

export function describeByte(c: number): string {
  return c >= 33 && c <= 126 ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

export class GrowableBytes {
  bytes = new Uint8Array(256);
  length = 0;

  push(buf: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    this._ensure(n);
    this.bytes.set(buf.subarray(start, end), this.length);
    this.length += n;
  }

  pushByte(c: number): void {
    if (this.length === this.bytes.length) this._ensure(1);
    this.bytes[this.length++] = c;
  }

  private _ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(need, this.bytes.length * 2));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }
}

/** `LH_ERR_SNAPSHOT_SYNTAX` for byte `c` at file offset `offset`. */
export function syntaxError(offset: number, c: number, expected: string): LeakhoundError {
  return new LeakhoundError(
    'LH_ERR_SNAPSHOT_SYNTAX',
    `invalid JSON at byte ${offset}: expected ${expected}, found ${describeByte(c)}`,
    { offset },
  );
}

export function formatError(message: string, offset: number): LeakhoundError {
  return new LeakhoundError('LH_ERR_SNAPSHOT_FORMAT', `not a V8 heap snapshot: ${message}`, { offset });
}
