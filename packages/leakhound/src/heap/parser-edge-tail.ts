// The second thread's half of the `edges` section. V8 writes one edge per
// line ("t,n,to\n,t,n,to\n,...\n]"), so the section can be cut after any
// newline. The thread parsing the tail does not know how many records come
// before its cut, but it knows where its records end: at edge_count. So it
// reads its part backwards, from the closing ']' down to the cut, and writes
// record edge_count - 1 first, straight into the shared columns. The main
// thread parses the head forwards into the same columns; nothing is copied.
//
// Anything but that exact layout (spaces, "\r\n", a missing newline, a value
// out of range) fails the task with a reason; the caller then parses the
// whole file on one thread, which reports bad input exactly as before.
import { readSync } from 'node:fs';

export interface EdgeTailTask {
  /** A descriptor of the snapshot file, readable with positioned reads (shared by the threads). */
  fd: number;
  /** File offset of the newline that ends the head's last record; the tail starts after it. */
  cut: number;
  edgeCount: number;
  nodeCount: number;
  /** Node field count: edge targets are node offsets, multiples of it. */
  nodeFields: number;
  edgeTypeCount: number;
  /** Positions of type / name_or_index / to_node in an edge record (a permutation of 0, 1, 2). */
  typeField: number;
  nameField: number;
  /** Edge types whose name_or_index is an index, not a string (left out of the name maximum). */
  elementType: number;
  hiddenType: number;
  edgeType: Uint8Array;
  edgeNameOrIndex: Uint32Array;
  edgeToNode: Uint32Array;
}

export type EdgeTailResult =
  | { ok: true; records: number; maxName: number }
  | { ok: false; reason: string };

const CHUNK = 8 * 1024 * 1024;
/** ",t,n,to\n" with three values of at most 10 digits each, and margin. */
const MAX_RECORD = 40;
const MAX_DIGITS_VALUE = 1e10;
const MAX_U32 = 0xffffffff;
const NL = 10;
const COMMA = 44;
const RBRACKET = 93;

function readFully(fd: number, buf: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * Offset of the ']' that closes the section, searching forwards from the cut
 * (edges hold only digits, commas and newlines, so the first ']' is it), or a
 * reason why this is not the layout the tail parser reads.
 */
export function findEdgesEnd(fd: number, cut: number): number | string {
  const buf = Buffer.allocUnsafe(CHUNK);
  const head = readFully(fd, buf, 2, cut);
  if (head < 2 || buf[0] !== NL || buf[1] !== COMMA) return `no "\\n," at the cut (byte ${cut})`;
  for (let position = cut; ;) {
    const n = readFully(fd, buf, CHUNK, position);
    if (n === 0) return 'no "]" after the cut';
    const at = buf.subarray(0, n).indexOf(RBRACKET);
    if (at >= 0) {
      const end = position + at;
      // The byte before ']' must be the last record's newline.
      if (at === 0 ? readFully(fd, buf, 1, end - 1) !== 1 || buf[0] !== NL : buf[at - 1] !== NL) {
        return `no newline before the "]" at byte ${end}`;
      }
      return end;
    }
    position += n;
  }
}

/**
 * Parses the records between `task.cut` and `end` (the section's ']')
 * backwards into the columns, the last one at edgeCount - 1.
 */
export function parseEdgeTail(task: EdgeTailTask, end: number): EdgeTailResult {
  const { fd, cut, nodeCount, nodeFields, edgeTypeCount, typeField, nameField, elementType, hiddenType } = task;
  const { edgeType, edgeNameOrIndex, edgeToNode } = task;
  const buf = Buffer.allocUnsafe(CHUNK);
  let record = task.edgeCount;
  let maxName = -1;
  const values = new Float64Array(3);
  // Bytes [cut, hi) are still to parse; buf[hi - 1 - lo] is the newline after the next record (going back).
  let hi = end;
  while (hi - 1 > cut) {
    const lo = Math.max(cut, hi - CHUNK);
    if (readFully(fd, buf, hi - lo, lo) !== hi - lo) return { ok: false, reason: `short read at byte ${lo}` };
    // In all but the first chunk of the file, stop while a whole record still fits before j.
    const stop = lo === cut ? 0 : MAX_RECORD;
    let j = hi - 1 - lo;
    while (j > stop) {
      if (buf[j] !== NL) return { ok: false, reason: `no newline at byte ${lo + j}` };
      // Fields right to left, each "<digits>" preceded by a comma.
      let k = j - 1;
      for (let field = 2; field >= 0; field--) {
        let c = buf[k]!;
        if (c < 48 || c > 57) return { ok: false, reason: `no digit at byte ${lo + k}` };
        let value = 0;
        let scale = 1;
        while (c >= 48 && c <= 57) {
          value += (c - 48) * scale;
          scale *= 10;
          c = k > 0 ? buf[--k]! : NL;
        }
        if (c !== COMMA || scale > MAX_DIGITS_VALUE || k < 1) return { ok: false, reason: `not a record at byte ${lo + k}` };
        values[field] = value;
        k--;
      }
      const v0 = values[0]!;
      const v1 = values[1]!;
      const v2 = values[2]!;
      j = k;
      if (record === 0) return { ok: false, reason: 'more records than edge_count' };
      const type = typeField === 0 ? v0 : typeField === 1 ? v1 : v2;
      const name = nameField === 0 ? v0 : nameField === 1 ? v1 : v2;
      const to = typeField !== 2 && nameField !== 2 ? v2 : typeField !== 1 && nameField !== 1 ? v1 : v0;
      if (type >= edgeTypeCount || name > MAX_U32) return { ok: false, reason: `a value out of range at byte ${lo + j}` };
      const target = to / nodeFields;
      if (target >= nodeCount || target !== Math.floor(target)) return { ok: false, reason: `a bad edge target at byte ${lo + j}` };
      record--;
      edgeType[record] = type;
      edgeNameOrIndex[record] = name;
      edgeToNode[record] = target;
      if (name > maxName && type !== elementType && type !== hiddenType) maxName = name;
    }
    if (lo === cut) {
      // The first chunk ends exactly at the cut's newline.
      if (j !== 0 || buf[0] !== NL) return { ok: false, reason: `the records do not start at the cut (byte ${cut})` };
      break;
    }
    hi = lo + j + 1;
  }
  return { ok: true, records: task.edgeCount - record, maxName };
}
