// Retainer paths as the diff groups and reports them: a signature (the chain
// of edge names and classes, indexes folded) is the grouping key, and report
// paths fold the runs of a linked list.
import type { HeapSnapshot } from '../heap/snapshot.js';
import type { PathStep } from '../heap/paths.js';
import type { PathStepJson } from '../heap/analysis.js';

/** Element indexes and hash-table slots: `[3]`, `17`. */
export const FOLDED_INDEX = /^\[\d+\]$|^\d+$/;

/**
 * Report paths: runs of one repeated link (a linked list) keep their first
 * and last step with one "(N more)" step between; the rest is cut to the
 * last `maxSteps` steps.
 */
export function foldPath(path: readonly PathStep[], maxSteps: number): PathStepJson[] {
  const out: PathStepJson[] = [];
  for (let i = 0; i < path.length; ) {
    const step = path[i]!;
    let j = i + 1;
    while (j < path.length && path[j]!.className === step.className && path[j]!.edgeName === step.edgeName) j++;
    out.push(jsonStep(step));
    const run = j - i;
    if (run > 3) {
      out.push({ ...jsonStep(path[j - 2]!), edgeName: '…', className: `(${run - 2} more ${step.className} via ${step.edgeName})`, location: null });
    } else {
      for (let k = i + 1; k < j - 1; k++) out.push(jsonStep(path[k]!));
    }
    if (run > 1) out.push(jsonStep(path[j - 1]!));
    i = j;
  }
  return out.length > maxSteps ? out.slice(out.length - maxSteps) : out;
}

function jsonStep(step: PathStep): PathStepJson {
  const { node: _node, ...json } = step;
  return json;
}

/**
 * Grouping key of a path: edge names and classes, element indexes and hash
 * table slots folded to `[]`, and a repeated step (a linked list) folded to one.
 */
export function pathSignature(path: readonly { edgeName: string; className: string }[]): string {
  const parts: string[] = [];
  for (const step of path) {
    const edge = FOLDED_INDEX.test(step.edgeName) ? '[]' : step.edgeName;
    const part = `${edge}:${step.className}`;
    // One step or fifty through the same link is the same list.
    if (parts[parts.length - 1] !== part) parts.push(part);
  }
  return parts.join(' > ');
}

/** Long enough to see past a linked list; steps are folded for the report. */
export const LONG_PATH = 100_000;

/**
 * Path signatures of many nodes, as ids: a signature is (prefix id, edge
 * name, class), so each node's signature extends its path parent's and a
 * linked list of n entries costs n steps, not n^2. Consecutive steps of one
 * class fold into one `*` step: one link or fifty, from either end of a
 * doubly linked list (`_idleNext` / `_idlePrev`), is the same list.
 */
export class SignatureCache {
  private readonly _idOf: Int32Array;
  private readonly _prefix: number[] = [];
  private readonly _edge: string[] = [];
  private readonly _cls: number[] = [];
  private readonly _ids = new Map<string, number>();
  private readonly _edgeNames = new Map<number, string>();

  constructor(
    private readonly _snap: HeapSnapshot,
    private readonly _parentNode: Int32Array,
    private readonly _parentEdge: Int32Array,
    private readonly _names: readonly string[],
    private readonly _classOf: ArrayLike<number>,
  ) {
    this._idOf = new Int32Array(_snap.nodeCount).fill(-1);
  }

  private _edgeName(edge: number): string {
    const s = this._snap;
    if (edge < 0) return '';
    const type = s.edgeType[edge]!;
    if (type === s.edgeTypeElement || type === s.edgeTypeHidden) return '[]';
    const index = s.edgeNameOrIndex[edge]!;
    let name = this._edgeNames.get(index);
    if (name === undefined) {
      name = s.strings.get(index);
      if (FOLDED_INDEX.test(name)) name = '[]';
      this._edgeNames.set(index, name);
    }
    return name;
  }

  private _make(prefix: number, edgeName: string, cls: number): number {
    const key = `${prefix}|${cls}|${edgeName}`;
    let id = this._ids.get(key);
    if (id === undefined) {
      id = this._prefix.length;
      this._prefix.push(prefix);
      this._edge.push(edgeName);
      this._cls.push(cls);
      this._ids.set(key, id);
    }
    return id;
  }

  /** The signature of `base` followed by one more step (edge ordinal, class id). */
  extend(base: number, edge: number, cls: number): number {
    if (base >= 0 && this._cls[base] === cls) return this._make(this._prefix[base]!, '*', cls);
    return this._make(base, this._edgeName(edge), cls);
  }

  /** Signature id of the path from the root to `node` (-1 for the root). */
  of(node: number): number {
    const root = this._snap.rootNode;
    const chain: number[] = [];
    let current = node;
    let base = -1;
    while (current >= 0 && current !== root) {
      const cached = this._idOf[current]!;
      if (cached >= 0) {
        base = cached;
        break;
      }
      chain.push(current);
      current = this._parentNode[current]!;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const step = chain[i]!;
      const edge = this._parentNode[step] === root ? -1 : this._parentEdge[step]!;
      base = this.extend(base, edge, this._classOf[step]!);
      this._idOf[step] = base;
    }
    return base;
  }

  text(id: number): string {
    const parts: string[] = [];
    for (let at = id; at >= 0; at = this._prefix[at]!) parts.push(`${this._edge[at]!}:${this._names[this._cls[at]!]!}`);
    return parts.reverse().join(' > ');
  }
}
