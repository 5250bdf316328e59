// The second thread's half of the `edges` section. V8 writes one edge per
// line ("t,n,to\n,t,n,to\n,...\n]"), so the section can be cut after any
// newline. The thread parsing the tail does not know how many records come
// before its cut, but it knows where its records end: at edge_count. So it
// reads its part in chunks backwards, from the closing ']' down to the cut,
// and parses each chunk backwards as well (digits right to left), so each
// record goes straight to its slot: just before the ones already placed. The
// main thread parses the head forwards into the same shared columns.
//
// Anything but that exact layout (spaces, "\r\n", a missing newline, a value
// out of range) fails the task with a reason; the caller then parses the
// whole file on one thread, which reports bad input exactly as before.
import { readSync } from 'node:fs';
import { RecordKernels, TAIL_CHUNK, type WasmMemory } from './wasm-records.js';

export interface EdgeTailTask {
  /** A descriptor of the snapshot file, readable with positioned reads (shared by the threads). */
  fd: number;
  /** File offset of the newline that ends the head's last record; the tail starts after it. */
  cut: number;
  /** An offset known to lie inside the section at or after the cut (the probes' estimate of its end), where the search for its ']' may start. */
  endHint: number;
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
  /** When the columns are in the WebAssembly kernels' memory: it, and this thread's input area in it. */
  kernelMemory: { memory: WasmMemory; input: number } | null;
}

export type EdgeTailResult =
  | { ok: true; records: number; maxName: number }
  | { ok: false; reason: string };

const CHUNK = TAIL_CHUNK;
const MAX_U32 = 0xffffffff;
const NL = 10;
const COMMA = 44;
const RBRACKET = 93;
/** ',' minus '0', as the digit loops see it. */
const COMMA_D = COMMA - 48;

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
export function findEdgesEnd(fd: number, cut: number, hint = cut): number | string {
  const buf = Buffer.allocUnsafe(CHUNK);
  const head = readFully(fd, buf, 2, cut);
  if (head < 2 || buf[0] !== NL || buf[1] !== COMMA) return `no "\\n," at the cut (byte ${cut})`;
  for (let position = Math.max(cut, hint); ;) {
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
 * Parses the records between `task.cut` and `end` (the section's ']') into
 * the columns, the last one at edgeCount - 1, chunk by chunk from the end.
 * Each chunk is parsed backwards too, digits right to left, so every record
 * goes straight to its slot (no chunk arrays to copy, half the memory traffic).
 */
export function parseEdgeTail(task: EdgeTailTask, end: number): EdgeTailResult {
  const { fd, cut, nodeCount, nodeFields, edgeTypeCount, typeField, nameField, elementType, hiddenType } = task;
  const { edgeType, edgeNameOrIndex, edgeToNode } = task;
  // With the WebAssembly loop, chunks are read straight into its memory (this thread's input area).
  const memory = task.kernelMemory;
  const kernels = memory !== null && typeField === 0 && nameField === 1 ? RecordKernels.create(memory.memory) : null;
  const input = memory?.input ?? 0;
  const buf = kernels !== null ? Buffer.from(memory!.memory.buffer, input, CHUNK + 1) : Buffer.allocUnsafe(CHUNK);
  const limits = { typeCount: edgeTypeCount, nodeFields, nodeCount, elementType, hiddenType };
  const perNode = 1 / nodeFields;
  let record = task.edgeCount;
  let maxName = -1;
  // Bytes [cut, hi) are still to parse; byte hi - 1 is the newline after a record.
  let hi = end;
  while (hi - 1 > cut) {
    const lo = Math.max(cut, hi - CHUNK);
    const length = hi - lo;
    if (readFully(fd, buf, length, lo) !== length) return { ok: false, reason: `short read at byte ${lo}` };
    // The chunk's records start after its first newline (the cut's, in the first chunk of the tail).
    const first = buf.indexOf(NL);
    if (first < 0 || first === length - 1 && lo !== cut) return { ok: false, reason: `no line in the ${length} bytes at byte ${lo}` };
    if (lo === cut && first !== 0) return { ok: false, reason: `no newline at the cut (byte ${cut})` };
    // From the chunk's last newline back to its first: ",t,n,to\n" per record.
    // The digit loops stop at the newline at `first` at the latest.
    let i = length - 1;
    if (kernels !== null) {
      // The WebAssembly loop first; the one below goes on where it stops (and says why).
      const done = kernels.edgesBackward(i, first, record, task, record, limits, maxName, input);
      record -= done.records;
      i = done.pos;
      maxName = kernels.maxName;
    }
    while (i > first) {
      // Digit tests as (byte - 48) >>> 0 < 10: one unsigned compare per byte.
      let d = buf[--i]! - 48;
      if (d >>> 0 >= 10) return { ok: false, reason: `no digit at byte ${lo + i}` };
      let v2 = d;
      let scale = 10;
      while ((d = buf[--i]! - 48) >>> 0 < 10) {
        v2 += d * scale;
        scale *= 10;
      }
      if (d !== COMMA_D || (d = buf[--i]! - 48) >>> 0 >= 10) return { ok: false, reason: `not a record at byte ${lo + i}` };
      let v1 = d;
      scale = 10;
      while ((d = buf[--i]! - 48) >>> 0 < 10) {
        v1 += d * scale;
        scale *= 10;
      }
      if (d !== COMMA_D || (d = buf[--i]! - 48) >>> 0 >= 10) return { ok: false, reason: `not a record at byte ${lo + i}` };
      let v0 = d;
      scale = 10;
      while ((d = buf[--i]! - 48) >>> 0 < 10) {
        v0 += d * scale;
        scale *= 10;
      }
      if (d !== COMMA_D || buf[--i] !== NL) return { ok: false, reason: `not a record at byte ${lo + i}` };
      if (record === 0) return { ok: false, reason: 'more records than edge_count' };
      const type = typeField === 0 ? v0 : typeField === 1 ? v1 : v2;
      const name = nameField === 0 ? v0 : nameField === 1 ? v1 : v2;
      const to = typeField !== 2 && nameField !== 2 ? v2 : typeField !== 1 && nameField !== 1 ? v1 : v0;
      if (type >= edgeTypeCount || name > MAX_U32) return { ok: false, reason: `a value out of range at byte ${lo + i}` };
      // A multiplication instead of a division per edge; the product check is exact.
      const target = (to * perNode + 0.5) >>> 0;
      if (target * nodeFields !== to || target >= nodeCount) return { ok: false, reason: `a bad edge target at byte ${lo + i}` };
      record--;
      edgeType[record] = type;
      edgeNameOrIndex[record] = name;
      edgeToNode[record] = target;
      if (name > maxName && type !== elementType && type !== hiddenType) maxName = name;
    }
    hi = lo + first + 1;
  }
  return { ok: true, records: task.edgeCount - record, maxName };
}
