// The "strings" section: an array of JSON string literals, decoded byte by
// byte (escapes, \uXXXX, surrogate pairs) straight into the StringTable as
// UTF-8. Resumable: a piece may end anywhere inside a string or an escape.
import { CH_BACKSLASH, CH_COMMA, CH_LBRACE, CH_LBRACKET, CH_QUOTE, CH_RBRACKET, GrowableBytes, formatError, isScalarByte, isSpace, syntaxError } from './parser-bytes.js';
import type { StringTable } from './strings.js';

// String-array states.
const T_FIRST = 0;
const T_IN = 1;
const T_AFTER = 2;
const T_NEXT = 3;
// Escape states inside a string.
const ESC_NONE = 0;
const ESC_BACKSLASH = 1;
const ESC_HEX = 2;

export class StringArrayScanner {
  /** True once the closing ']' was read. */
  done = false;
  private readonly _table: StringTable;
  private _base = 0;
  private _state = T_FIRST;
  private _esc = ESC_NONE;
  private _hexCount = 0;
  private _hexValue = 0;
  private _highSurrogate = 0;
  /** True when the current string is being assembled in `_scratch` (escapes, or split by a piece end). */
  private _inScratch = false;
  private readonly _scratch = new GrowableBytes();

  constructor(table: StringTable) {
    this._table = table;
  }

  /**
   * Scans from buf[i] (after the opening '[') up to `end`. Returns the index
   * after the closing ']' (and sets `done`), or `end`. `base` is the file
   * offset of buf[0], for error messages.
   */
  scan(buf: Uint8Array, i: number, end: number, base: number): number {
    this._base = base;
    while (i < end) {
      if (this._state !== T_IN) {
        i = this._fastStrings(buf, i, end);
        if (i >= end) break;
      }
      const state = this._state;
      if (state === T_IN) {
        i = this._esc === ESC_NONE ? this._scanStringBody(buf, i, end) : this._scanEscape(buf, i);
        continue;
      }
      const c = buf[i]!;
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (c === CH_QUOTE) {
        if (state === T_AFTER) throw syntaxError(this._base + i, buf[i]!, `',' or ']' in "strings"`);
        this._state = T_IN;
        this._inScratch = false;
        this._scratch.length = 0;
        this._highSurrogate = 0;
        i++;
      } else if (c === CH_COMMA) {
        if (state !== T_AFTER) throw syntaxError(this._base + i, buf[i]!, 'a string in "strings"');
        this._state = T_NEXT;
        i++;
      } else if (c === CH_RBRACKET) {
        if (state === T_NEXT) throw syntaxError(this._base + i, buf[i]!, `a string after ',' in "strings"`);
        this.done = true;
        return i + 1;
      } else if (state === T_AFTER) {
        throw syntaxError(this._base + i, buf[i]!, `',' or ']' in "strings"`);
      } else if (isScalarByte(c) || c === CH_LBRACE || c === CH_LBRACKET) {
        throw formatError(`"strings" holds a value that is not a string at byte ${this._base + i}`, this._base + i);
      } else {
        throw syntaxError(this._base + i, buf[i]!, 'a string in "strings"');
      }
    }
    return i;
  }

  /**
   * Whole strings in the layout V8 writes ("abc",\n"def",\n...) without
   * escapes, straight into the table: most of the section, at a fraction of
   * the state machine's cost per string (1.7 M strings of 9 bytes on average
   * in the 600 MB benchmark file). Stops before anything else (an escape, a
   * space, a string the piece cuts off, ']') with the state up to date, for
   * the byte-at-a-time loop. buf[end] is feed()'s sentinel (0).
   */
  private _fastStrings(buf: Uint8Array, i: number, end: number): number {
    const table = this._table;
    let state = this._state;
    while (i < end) {
      let c = buf[i]!;
      if (state === T_AFTER) {
        if (c !== CH_COMMA) break;
        state = T_NEXT;
        c = buf[++i]!;
        if (c === 10) c = buf[++i]!;
      }
      if (c !== CH_QUOTE || i >= end) break;
      let j = i + 1;
      while (j < end) {
        c = buf[j]!;
        if (c === CH_QUOTE || c === CH_BACKSLASH || c < 32) break;
        j++;
      }
      if (j >= end || c !== CH_QUOTE) break;
      table.addBytes(buf, i + 1, j);
      state = T_AFTER;
      i = j + 1;
    }
    this._state = state;
    return i;
  }

  /** Plain bytes up to a quote, a backslash or the end of the piece. */
  private _scanStringBody(buf: Uint8Array, i: number, end: number): number {
    if (this._highSurrogate !== 0 && buf[i] !== CH_BACKSLASH) this._flushSurrogate();
    let j = i;
    let c = 0;
    while (j < end) {
      c = buf[j]!;
      if (c === CH_QUOTE || c === CH_BACKSLASH || c < 32) break;
      j++;
    }
    if (j === end) {
      // The string continues in the next piece.
      this._scratch.push(buf, i, j);
      this._inScratch = true;
      return j;
    }
    if (c === CH_QUOTE) {
      if (this._inScratch) {
        this._scratch.push(buf, i, j);
        this._table.addBytes(this._scratch.bytes, 0, this._scratch.length);
      } else {
        this._table.addBytes(buf, i, j);
      }
      this._state = T_AFTER;
      return j + 1;
    }
    if (c === CH_BACKSLASH) {
      this._scratch.push(buf, i, j);
      this._inScratch = true;
      this._esc = ESC_BACKSLASH;
      return j + 1;
    }
    throw syntaxError(this._base + j, buf[j]!, 'an escaped control character in a string');
  }

  private _scanEscape(buf: Uint8Array, i: number): number {
    const c = buf[i]!;
    if (this._esc === ESC_BACKSLASH) {
      if (c === 117 /* u */) {
        this._esc = ESC_HEX;
        this._hexCount = 0;
        this._hexValue = 0;
        return i + 1;
      }
      if (this._highSurrogate !== 0) this._flushSurrogate();
      let byte: number;
      switch (c) {
        case CH_QUOTE: byte = 34; break;
        case CH_BACKSLASH: byte = 92; break;
        case 47: byte = 47; break;
        case 98: byte = 8; break;
        case 102: byte = 12; break;
        case 110: byte = 10; break;
        case 114: byte = 13; break;
        case 116: byte = 9; break;
        default:
          throw syntaxError(this._base + i, buf[i]!, 'a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
      }
      this._scratch.pushByte(byte);
      this._esc = ESC_NONE;
      return i + 1;
    }
    let digit: number;
    if (c >= 48 && c <= 57) digit = c - 48;
    else if (c >= 97 && c <= 102) digit = c - 87;
    else if (c >= 65 && c <= 70) digit = c - 55;
    else throw syntaxError(this._base + i, buf[i]!, 'a hex digit in a \\u escape');
    this._hexValue = this._hexValue * 16 + digit;
    if (++this._hexCount === 4) {
      this._esc = ESC_NONE;
      this._codeUnit(this._hexValue);
    }
    return i + 1;
  }

  /** Lone surrogates become U+FFFD, as Buffer's UTF-8 encoder does for JS strings. */
  private _codeUnit(unit: number): void {
    if (this._highSurrogate !== 0) {
      if (unit >= 0xdc00 && unit <= 0xdfff) {
        const cp = 0x10000 + ((this._highSurrogate - 0xd800) << 10) + (unit - 0xdc00);
        this._highSurrogate = 0;
        this._utf8(cp);
        return;
      }
      this._flushSurrogate();
    }
    if (unit >= 0xd800 && unit <= 0xdbff) this._highSurrogate = unit;
    else if (unit >= 0xdc00 && unit <= 0xdfff) this._utf8(0xfffd);
    else this._utf8(unit);
  }

  private _flushSurrogate(): void {
    this._highSurrogate = 0;
    this._utf8(0xfffd);
  }

  private _utf8(cp: number): void {
    const out = this._scratch;
    if (cp < 0x80) {
      out.pushByte(cp);
    } else if (cp < 0x800) {
      out.pushByte(0xc0 | (cp >> 6));
      out.pushByte(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out.pushByte(0xe0 | (cp >> 12));
      out.pushByte(0x80 | ((cp >> 6) & 0x3f));
      out.pushByte(0x80 | (cp & 0x3f));
    } else {
      out.pushByte(0xf0 | (cp >> 18));
      out.pushByte(0x80 | ((cp >> 12) & 0x3f));
      out.pushByte(0x80 | ((cp >> 6) & 0x3f));
      out.pushByte(0x80 | (cp & 0x3f));
    }
  }
}
