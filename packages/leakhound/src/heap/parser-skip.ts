// Values the parser does not store (trace_tree, samples,
// trace_function_infos, unknown keys) are skipped, but still checked: strings
// with escapes, matching brackets, only number / literal bytes outside them.
import { LeakhoundError } from '../errors.js';
import { CH_BACKSLASH, CH_COLON, CH_COMMA, CH_LBRACE, CH_LBRACKET, CH_QUOTE, CH_RBRACE, CH_RBRACKET, isScalarByte, isSpace, syntaxError } from './parser-bytes.js';

/** Nesting allowed inside skipped values (trace_tree nests by call depth). */
const MAX_SKIP_DEPTH = 1 << 20;

export class ValueSkipper {
  /** True once the value ended. */
  done = false;
  /** Expected closing bracket per open level ('[' + 2 = ']', '{' + 2 = '}'). */
  private readonly _stack: number[] = [];
  private _inString = false;
  private _escape = false;
  /** A number or literal byte was seen at the top level. */
  private _scalar = false;

  /**
   * Scans from the value's first byte. Returns the index just after the value
   * (and sets `done`), or `end`. A scalar ends at the ',' or '}' that follows
   * it, which is left unread.
   */
  scan(buf: Uint8Array, i: number, end: number, base: number): number {
    const stack = this._stack;
    let inString = this._inString;
    let escape = this._escape;
    for (; i < end; i++) {
      const c = buf[i]!;
      if (inString) {
        if (escape) {
          escape = false;
        } else if (c === CH_BACKSLASH) {
          escape = true;
        } else if (c === CH_QUOTE) {
          inString = false;
          if (stack.length === 0) {
            this.done = true;
            return i + 1;
          }
        } else if (c < 32) {
          throw syntaxError(base + i, buf[i]!, 'an escaped control character in a string');
        }
        continue;
      }
      if (c === CH_QUOTE) {
        inString = true;
      } else if (c === CH_LBRACKET || c === CH_LBRACE) {
        if (stack.length >= MAX_SKIP_DEPTH) {
          throw new LeakhoundError('LH_ERR_SNAPSHOT_TOO_LARGE', `a value nests deeper than ${MAX_SKIP_DEPTH} levels at byte ${base + i}`, { offset: base + i });
        }
        stack.push(c + 2);
      } else if (c === CH_RBRACKET || c === CH_RBRACE) {
        if (stack.length === 0) {
          if (!this._scalar) throw syntaxError(base + i, buf[i]!, 'a value');
          this.done = true;
          return i;
        }
        if (stack.pop() !== c) throw syntaxError(base + i, buf[i]!, 'a matching bracket');
        if (stack.length === 0) {
          this.done = true;
          return i + 1;
        }
      } else if (c === CH_COMMA) {
        if (stack.length === 0) {
          if (!this._scalar) throw syntaxError(base + i, buf[i]!, 'a value');
          this.done = true;
          return i;
        }
      } else if (isScalarByte(c)) {
        this._scalar = true;
      } else if (c !== CH_COLON && !isSpace(c)) {
        throw syntaxError(base + i, buf[i]!, 'a JSON value');
      }
    }
    this._inString = inString;
    this._escape = escape;
    return i;
  }
}
