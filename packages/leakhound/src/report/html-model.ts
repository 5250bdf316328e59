// The data one HTML report embeds, for `analyze --html` and `diff --html`.
// Everything here is plain JSON; every string in it is untrusted (it comes
// from a snapshot) and the page renders it with textContent only.
import type { HeapSnapshot } from '../heap/snapshot.js';
import type { SizeArray } from '../heap/dominators.js';

export interface ReportFact {
  label: string;
  value: string;
}

export interface ReportPathStep {
  edgeName: string;
  edgeType: string;
  className: string;
  nodeType: string;
  nodeId: number;
  selfSize: number;
  /** "file:line:column", or null. */
  location: string | null;
}

export interface ReportLocation {
  label: string;
  url: string;
  line: number;
  column: number;
}

export interface ReportFinding {
  title: string;
  /** The one sentence a person would write. */
  summary: string;
  /** Bytes this finding is ranked by (retained growth or retained size). */
  bytes: number;
  facts: ReportFact[];
  path: ReportPathStep[];
  locations: ReportLocation[];
}

export interface ReportHistogramRow {
  className: string;
  count: number;
  shallowSize: number;
  retainedSize: number;
  /** Diff reports only: change since the baseline. */
  countDelta?: number;
  retainedDelta?: number;
}

/**
 * A bounded top part of the dominator tree, flattened: node i's children are
 * the indexes in `children[i]`. `omitted[i]` children (of `omittedSize[i]`
 * bytes retained) exist in the snapshot but were left out.
 */
export interface ReportTree {
  name: string[];
  type: string[];
  id: number[];
  selfSize: number[];
  retainedSize: number[];
  children: number[][];
  omitted: number[];
  omittedSize: number[];
  limits: { maxDepth: number; maxChildren: number; maxNodes: number };
}

export interface HtmlReportInput {
  kind: 'analyze' | 'diff';
  title: string;
  generatedAt: string;
  facts: ReportFact[];
  findings: ReportFinding[];
  histogram: ReportHistogramRow[];
  tree: ReportTree | null;
  /** What was left out or approximated, shown under the summary. */
  notes: string[];
}

export interface TreeExcerptOptions {
  maxDepth?: number;
  maxChildren?: number;
  maxNodes?: number;
  redact?: boolean;
  /** Display name of a node; defaults to its snapshot name. */
  nameOf?: (node: number) => string;
}

/** The minimal dominator-tree shape the excerpt needs (heap/dominators.ts provides it). */
export interface DominatorTreeLike {
  retainedSize: SizeArray;
  firstDominated: Uint32Array;
  dominated: Uint32Array;
}

const STRING_TYPES = new Set(['string', 'concatenated string', 'sliced string']);
const MAX_NAME_CHARS = 200;

export function isStringNodeType(nodeType: string): boolean {
  return STRING_TYPES.has(nodeType);
}

/** What a report shows for a node name: strings are values, so `redact` hides them. */
export function displayName(name: string, nodeType: string, redact: boolean): string {
  if (isStringNodeType(nodeType)) {
    if (redact) return `<string, ${name.length} chars>`;
    return name.length > MAX_NAME_CHARS ? name.slice(0, MAX_NAME_CHARS) + '…' : name;
  }
  return name.length > MAX_NAME_CHARS ? name.slice(0, MAX_NAME_CHARS) + '…' : name;
}

/**
 * Breadth-first from the root, the biggest children first, so the embedded
 * part is the one a person opens; everything past the limits is counted in
 * `omitted`/`omittedSize` so the page can say what it does not show.
 */
export function dominatorTreeExcerpt(snap: HeapSnapshot, dom: DominatorTreeLike, options: TreeExcerptOptions = {}): ReportTree {
  const maxDepth = options.maxDepth ?? 12;
  const maxChildren = options.maxChildren ?? 25;
  const maxNodes = options.maxNodes ?? 8000;
  const redact = options.redact ?? false;
  const nameOf = options.nameOf ?? ((node: number) => snap.nodeNameString(node));
  const tree: ReportTree = {
    name: [], type: [], id: [], selfSize: [], retainedSize: [], children: [], omitted: [], omittedSize: [],
    limits: { maxDepth, maxChildren, maxNodes },
  };
  const add = (node: number): number => {
    const type = snap.nodeTypeName(node);
    tree.name.push(displayName(nameOf(node), type, redact));
    tree.type.push(type);
    tree.id.push(snap.nodeId[node]!);
    tree.selfSize.push(snap.nodeSelfSize[node]!);
    tree.retainedSize.push(dom.retainedSize[node]!);
    tree.children.push([]);
    tree.omitted.push(0);
    tree.omittedSize.push(0);
    return tree.name.length - 1;
  };
  const queueNode: number[] = [snap.rootNode];
  const queueIndex: number[] = [add(snap.rootNode)];
  const queueDepth: number[] = [0];
  for (let head = 0; head < queueNode.length; head++) {
    const node = queueNode[head]!;
    const index = queueIndex[head]!;
    const depth = queueDepth[head]!;
    const start = dom.firstDominated[node]!;
    const end = dom.firstDominated[node + 1]!;
    const kids: number[] = [];
    for (let i = start; i < end; i++) kids.push(dom.dominated[i]!);
    kids.sort((a, b) => dom.retainedSize[b]! - dom.retainedSize[a]!);
    let taken = 0;
    for (const kid of kids) {
      if (depth + 1 > maxDepth || taken >= maxChildren || tree.name.length >= maxNodes) {
        tree.omitted[index]!++;
        tree.omittedSize[index]! += dom.retainedSize[kid]!;
        continue;
      }
      const kidIndex = add(kid);
      tree.children[index]!.push(kidIndex);
      queueNode.push(kid);
      queueIndex.push(kidIndex);
      queueDepth.push(depth + 1);
      taken++;
    }
  }
  return tree;
}
