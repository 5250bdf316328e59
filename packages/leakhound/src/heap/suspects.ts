// Leak suspects in the manner of Eclipse MAT's leak report: single objects,
// or groups of same-class objects, retaining at least `threshold` of the heap,
// each reported at its accumulation point (where the retained memory fans out
// into many small objects) with the path that keeps it alive.
//
// The accumulation point is the deepest node of the dominator tree still over
// the threshold: every dominated child is below it, so this is where the size
// splits. It is often a VM-internal store (a Map's hash table, an array's
// elements); the suspect is named after the nearest dominator a person wrote
// (the Map, the Array, the object), found by walking up past internal nodes.
import type { HeapSnapshot } from './snapshot.js';
import type { Dominators } from './dominators.js';
import type { HistogramRow } from './histogram.js';
import { classTable, isInternalNode, type ClassTable } from './names.js';
import { isUserRoot } from './dominators.js';
import { pathParent, retainerPath, type PathStep, type RootPaths } from './paths.js';
import { formatLocation, sourceLocation, type SourceLocation } from './locations.js';
import { NodeStack } from './stack.js';

export interface AccumulatedClass {
  className: string;
  count: number;
  retainedSize: number;
  location: SourceLocation | null;
}

export interface LeakSuspect {
  /** 'object': one object retains the memory; 'class-group': many objects of one class do together. */
  kind: 'object' | 'class-group';
  /** One sentence for people. */
  description: string;
  /** The object the suspect is named after (for a group: its biggest instance). */
  node: number;
  nodeId: number;
  className: string;
  /** The variable or property that holds it, from the last step of its path. */
  heldAs: string;
  retainedSize: number;
  /** retainedSize / total heap, 0..1. */
  retainedFraction: number;
  /** Objects in the suspect: 1 for an object suspect, the instance count for a group. */
  count: number;
  location: SourceLocation | null;
  /** Where the memory fans out (an object suspect's accumulation point). */
  accumulationPointId: number;
  accumulationPointClass: string;
  /** The biggest class among the accumulation point's direct dominated objects. */
  accumulated: AccumulatedClass | null;
  /** From a GC root to `node`. */
  path: PathStep[];
}

export interface SuspectOptions {
  /** Fraction of the total heap, default 0.1 (MAT's 10%). */
  threshold?: number;
  /** At most this many suspects, biggest first (default 10). */
  maxSuspects?: number;
  /** Retainer path steps per suspect (default 32). */
  maxPathSteps?: number;
}

const MAX_WALK = 256;
const MAX_CHAIN_COUNT = 10_000_000;
const PROGRAM_CODE_SAMPLE = 512;
const PROGRAM_CODE_FANOUT = 16;

const SCOPE_CLASS = 'system / Context';

/**
 * Walk up the dominator tree past VM-internal nodes; -1 if only the roots are
 * left. A closure scope (system / Context, class id `scopeClass`) is internal
 * but is where a program's variables live, so the walk stops there too.
 */
function namedHolder(snap: HeapSnapshot, dom: Dominators, node: number, table: ClassTable, scopeClass: number): number {
  const root = snap.rootNode;
  const { classOf } = table;
  let current = node;
  for (let i = 0; i < MAX_WALK && current !== root; i++) {
    if (!isInternalNode(snap, current, table) || classOf[current] === scopeClass) return current;
    current = dom.idom[current]!;
  }
  return -1;
}

/**
 * The union of the dominator subtrees of some nodes (the "tops"): which nodes
 * a reported suspect already explains. Marking whole subtrees would visit
 * millions of nodes for a big suspect, while only a few instances of the
 * group classes are ever asked about; so a question climbs the dominators
 * from the node until it meets a top or a node answered before, and
 * remembers the answer for the nodes it passed. One bit per node for "inside"
 * and one for "known outside" (forgotten when a top is added); each node is
 * climbed over at most once between two additions.
 */
class CoveredSubtrees {
  private readonly inside: Uint8Array;
  private readonly outside: Uint8Array;
  /** `outside` has bits set that a new top may have made wrong. */
  private outsideStale = false;
  private outsideUsed = false;
  private readonly passed = new NodeStack();

  constructor(nodeCount: number, private readonly idom: Uint32Array, private readonly root: number) {
    this.inside = new Uint8Array((nodeCount >>> 3) + 1);
    this.outside = new Uint8Array((nodeCount >>> 3) + 1);
  }

  add(top: number): void {
    this.inside[top >>> 3] = this.inside[top >>> 3]! | (1 << (top & 7));
    if (this.outsideUsed) this.outsideStale = true;
  }

  has(node: number): boolean {
    const { inside, outside, idom, root, passed } = this;
    if (this.outsideStale) {
      outside.fill(0);
      this.outsideStale = false;
      this.outsideUsed = false;
    }
    let current = node;
    let found = false;
    for (;;) {
      const byte = current >>> 3;
      const bit = 1 << (current & 7);
      if ((inside[byte]! & bit) !== 0) {
        found = true;
        break;
      }
      if ((outside[byte]! & bit) !== 0 || current === root) break;
      passed.push(current);
      current = idom[current]!;
    }
    const marks = found ? inside : outside;
    if (!found) this.outsideUsed = true;
    while (passed.length > 0) {
      const n = passed.pop();
      marks[n >>> 3] = marks[n >>> 3]! | (1 << (n & 7));
    }
    return found;
  }
}

function accumulatedClass(snap: HeapSnapshot, dom: Dominators, point: number): AccumulatedClass | null {
  const { classOf, names } = classTable(snap);
  // Per class id in typed arrays, not a Map: an accumulation point (a big
  // Map's table) can have hundreds of thousands of children.
  const count = new Float64Array(names.length);
  const size = new Float64Array(names.length);
  const first = new Int32Array(names.length);
  const seen: number[] = [];
  const { retainedSize, dominated } = dom;
  const end = dom.firstDominated[point + 1]!;
  for (let j = dom.firstDominated[point]!; j < end; j++) {
    const child = dominated[j]!;
    const c = classOf[child]!;
    if (count[c] === 0) {
      seen.push(c);
      first[c] = child;
    }
    count[c]!++;
    size[c] = size[c]! + retainedSize[child]!;
  }
  // The first class met wins a tie, as it did when these were in a Map.
  let best = -1;
  for (const c of seen) if (best < 0 || size[c]! > size[best]!) best = c;
  if (best < 0) return null;
  return { className: names[best]!, count: count[best]!, retainedSize: size[best]!, location: sourceLocation(snap, first[best]!) };
}

/**
 * What accumulates under `point`: for the head of a same-class chain (a linked
 * list), the chain's members; otherwise the biggest class among its children.
 */
function chainOrChildren(snap: HeapSnapshot, dom: Dominators, point: number): AccumulatedClass | null {
  const { classOf, names } = classTable(snap);
  const c = classOf[point]!;
  const parent = dom.idom[point]!;
  if (classOf[parent] === c || isInternalNode(snap, point)) return accumulatedClass(snap, dom, point);
  let count = 0;
  const stack = new NodeStack();
  stack.push(point);
  while (stack.length > 0 && count < MAX_CHAIN_COUNT) {
    const n = stack.pop()!;
    if (classOf[n] !== c) continue;
    count++;
    for (let j = dom.firstDominated[n]!; j < dom.firstDominated[n + 1]!; j++) stack.push(dom.dominated[j]!);
  }
  if (count < 2) return accumulatedClass(snap, dom, point);
  return { className: names[c]!, count, retainedSize: dom.retainedSize[point]!, location: sourceLocation(snap, point) };
}

/**
 * The first location of the program's own code (not node:...) among the
 * objects and functions just below `point` in the dominator tree, breadth
 * first, looking at a bounded number of nodes.
 */
function programLocationBelow(snap: HeapSnapshot, dom: Dominators, point: number): SourceLocation | null {
  const queue = [point];
  for (let head = 0; head < queue.length && head < PROGRAM_CODE_SAMPLE; head++) {
    const n = queue[head]!;
    const location = sourceLocation(snap, n);
    if (location && !location.url.startsWith('node:') && !location.url.startsWith('script #')) return location;
    // A few children per node, so the sample reaches past 5,000 Timeouts to their callbacks.
    const end = Math.min(dom.firstDominated[n + 1]!, dom.firstDominated[n]! + PROGRAM_CODE_FANOUT);
    for (let j = dom.firstDominated[n]!; j < end && queue.length < PROGRAM_CODE_SAMPLE; j++) queue.push(dom.dominated[j]!);
  }
  return null;
}

/** "LeakyEntry objects", but "strings" for V8's string classes. */
function kindOf(className: string): string {
  if (className === '(string)' || className === '(concatenated string)' || className === '(sliced string)') return 'strings';
  return `${className} objects`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/**
 * `n.toLocaleString('en-US')` for the counts in descriptions ("265,000"):
 * the first toLocaleString of a process loads the locale data (10-20 ms).
 */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) return n.toLocaleString('en-US');
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

/**
 * Where a holder lives, in words: its constructor's location, or for a
 * variable the scope it belongs to. A module's top-level function starts at
 * 1:1, so a scope there is the module scope.
 */
function describePlace(location: SourceLocation, viaScope: boolean): string {
  if (!viaScope) return formatLocation(location);
  return location.line === 1 && location.column === 1 ? `module scope of ${location.url}` : `scope at ${formatLocation(location)}`;
}

function describeHolder(className: string, heldAs: string, location: SourceLocation | null, viaScope: boolean, owner: string | null = null): string {
  if (className === SCOPE_CLASS) return location ? `the variables of the ${describePlace(location, true)}` : 'the variables of a closure scope';
  const held = heldAs ? `${className} \`${heldAs}\`` : className;
  const name = owner && !viaScope ? `${held} of ${owner}` : held;
  return location ? `${name} (${describePlace(location, viaScope)})` : name;
}

/** True when the node is a closure variable and has no location of its own. */
function isScopeVariable(path: PathStep[], own: SourceLocation | null): boolean {
  return own === null && path.length > 0 && path[path.length - 1]!.edgeType === 'context';
}

/**
 * Nearest location of the program's own code along the path, from the node
 * back towards the root. Node's (node:...) locations name where a built-in
 * class lives, not where the program keeps the object, so they are skipped.
 */
function nearestLocation(path: PathStep[]): SourceLocation | null {
  for (let i = path.length - 1; i >= 0; i--) {
    const location = path[i]!.location;
    if (location && !location.url.startsWith('node:')) return location;
  }
  return null;
}

/**
 * The named object a holder sits in, from its path: `EventEmitter \`bus\`` for
 * the `tick` listener array under bus._events, `Object \`timerListMap\`` for
 * a list kept in that closure variable. Plain objects reached by a property
 * and VM internals in between are skipped; null when nothing names it better.
 */
function ownerOf(path: PathStep[]): string | null {
  for (let i = path.length - 2; i >= 0 && i >= path.length - 4; i--) {
    const step = path[i]!;
    if (step.className.startsWith('(') || step.className.startsWith('system /') || step.className === 'Function') return null;
    if (step.edgeType === 'context') return `${step.className} \`${step.edgeName}\``;
    if (step.edgeType !== 'property') {
      // Held from a stack slot or an array: the class alone still says whose it is.
      return step.className === 'Object' ? null : step.className;
    }
    if (step.className !== 'Object') return `${step.className} \`${step.edgeName}\``;
  }
  return null;
}

/**
 * Node's own bookkeeping (the builtin module cache, the ESM loader) is a large
 * share of a small heap. A suspect whose path shows only `node:` code and no
 * code of the program is Node's, not the program's; with no location at all
 * we cannot tell and keep it.
 */
function isNodeInternal(path: PathStep[], extra: SourceLocation | null): boolean {
  let sawNode = false;
  for (const location of [extra, ...path.map((step) => step.location)]) {
    if (!location) continue;
    if (!location.url.startsWith('node:')) return false;
    sawNode = true;
  }
  return sawNode;
}

function heldAsOf(path: PathStep[]): string {
  return path.length > 0 ? path[path.length - 1]!.edgeName : '';
}

/** At most this many nodes over the limit are kept for screening the class groups (the deepest are all kept). */
const MAX_OVER_LIMIT_KEPT = 4096;

/**
 * The nodes that retain at least `limit`: those with no child that does (the
 * deepest, in ordinal order), and (up to MAX_OVER_LIMIT_KEPT) all of them. A
 * dominator retains at least what each of its children does, so these nodes
 * are a subtree at the root, a few dozen nodes: walking it replaces a test of
 * every node.
 */
function overLimitNodes(snap: HeapSnapshot, dom: Dominators, limit: number): { deepest: number[]; over: number[] } {
  const { retainedSize, shallowSize, firstDominated, dominated } = dom;
  const root = snap.rootNode;
  const deepest: number[] = [];
  const over: number[] = [];
  const stack = new NodeStack();
  if (retainedSize[root]! >= limit) stack.push(root);
  while (stack.length > 0) {
    const node = stack.pop();
    if (over.length < MAX_OVER_LIMIT_KEPT) over.push(node);
    let isDeepest = true;
    // What the children retain together; once the rest of it is under the
    // limit, no child left can be over (a big table's 500,000 entries are
    // then not all read).
    let rest = retainedSize[node]! - shallowSize[node]!;
    const end = firstDominated[node + 1]!;
    for (let j = firstDominated[node]!; j < end && rest >= limit; j++) {
      const child = dominated[j]!;
      const size = retainedSize[child]!;
      rest -= size;
      if (size >= limit) {
        isDeepest = false;
        stack.push(child);
      }
    }
    if (isDeepest && node !== root) deepest.push(node);
  }
  deepest.sort((a, b) => a - b);
  return { deepest, over };
}

/**
 * The class groups' screening, one pass over all nodes: per candidate class,
 * its biggest nest top (an instance whose dominator has another class, so a
 * nest counts once), and whether it is out: more than half of it inside an
 * object suspect's subtree, or one instance holding more than half of it.
 * Once a candidate is out its other instances are not looked at. Also each
 * live candidate's nest tops (all of them, in ordinal order), so the
 * survivors' second look reads these instead of all nodes again; at most one
 * entry per 4 nodes (1 byte per node), else `nestTops` is null and the
 * survivors scan the nodes again.
 */
function screenGroups(dom: Dominators, table: ClassTable, candidates: readonly HistogramRow[], slotOf: Int32Array,
  covered: CoveredSubtrees, overLimit: readonly number[]): { biggestOf: Int32Array; out: Uint8Array; nestTops: NodeStack[] | null } {
  const { retainedSize, shallowSize, idom } = dom;
  const { classOf } = table;
  const biggestOf = new Int32Array(candidates.length).fill(-1);
  const coveredOf = new Float64Array(candidates.length);
  const out = new Uint8Array(candidates.length);
  const half = candidates.map((row) => row.retainedSize / 2);
  // A nest top among the nodes over the limit that holds more than half of its class puts it out before the pass.
  for (const node of overLimit) {
    const c = classOf[node]!;
    const slot = slotOf[c]!;
    if (slot >= 0 && shallowSize[node] !== 0 && classOf[idom[node]!] !== c && retainedSize[node]! > half[slot]!) out[slot] = 1;
  }
  let live = out.reduce((sum, o) => sum + 1 - o, 0);
  const nodeCount = classOf.length;
  let nestTops: NodeStack[] | null = candidates.map(() => new NodeStack());
  let listed = 0;
  const budget = nodeCount >>> 2;
  for (let node = 0; node < nodeCount && live > 0; node++) {
    const c = classOf[node]!;
    const slot = slotOf[c]!;
    // Each same-class nest counts once, at its top.
    if (slot < 0 || out[slot] === 1 || classOf[idom[node]!] === c) continue;
    if (nestTops !== null) {
      nestTops[slot]!.push(node);
      if (++listed > budget) nestTops = null;
    }
    if (shallowSize[node] === 0) continue;
    const size = retainedSize[node]!;
    if (covered.has(node)) coveredOf[slot] = coveredOf[slot]! + size;
    const biggest = biggestOf[slot]!;
    if (biggest < 0 || size > retainedSize[biggest]!) biggestOf[slot] = node;
    if (coveredOf[slot]! > half[slot]! || size > half[slot]!) {
      out[slot] = 1;
      live--;
      if (nestTops !== null) {
        listed -= nestTops[slot]!.length;
        nestTops[slot] = new NodeStack();
      }
    }
  }
  return { biggestOf, out, nestTops };
}

/** A class's nest tops (instances whose dominator has another class) in ordinal order: its list from the screening, or a scan. */
function nestTopsOf(dom: Dominators, table: ClassTable, classId: number, listed: NodeStack | null): Uint32Array {
  if (listed !== null) {
    const members = new Uint32Array(listed.length);
    for (let i = members.length - 1; i >= 0; i--) members[i] = listed.pop();
    return members;
  }
  const { classOf } = table;
  const { idom } = dom;
  const found = new NodeStack();
  for (let node = 0; node < classOf.length; node++) if (classOf[node] === classId && classOf[idom[node]!] !== classId) found.push(node);
  return nestTopsOf(dom, table, classId, found);
}

export function findLeakSuspects(
  snap: HeapSnapshot,
  dom: Dominators,
  rootPaths: RootPaths,
  histogram: readonly HistogramRow[],
  options: SuspectOptions = {},
): LeakSuspect[] {
  const threshold = options.threshold ?? 0.1;
  const maxSuspects = options.maxSuspects ?? 10;
  const maxPathSteps = options.maxPathSteps ?? 32;
  const root = snap.rootNode;
  const total = dom.retainedSize[root]!;
  if (total <= 0) return [];
  const limit = threshold * total;
  const { nodeCount } = snap;
  const { retainedSize, shallowSize, reachable, idom } = dom;
  const suspects: LeakSuspect[] = [];

  // Object suspects: the deepest nodes over the limit, in ordinal order (the
  // first to claim a holder keeps it).
  const table = classTable(snap);
  // Closure scopes' class id (-1 when there are none): namedHolder compares ids, not names.
  const scopeClass = table.names.indexOf(SCOPE_CLASS);
  const { deepest: deepestNodes, over: overLimit } = overLimitNodes(snap, dom, limit);
  const holders = new Map<number, number>();
  for (const node of deepestNodes) {
    if (reachable[node] === 0 || snap.nodeType[node] === snap.nodeTypeSynthetic) continue;
    // In a linked list each element dominates the next, so the deepest node
    // over the limit sits somewhere down the chain; the leak is the whole
    // chain, held by whoever holds its head.
    let point = node;
    const c = table.classOf[node]!;
    if (!isInternalNode(snap, node, table)) {
      while (idom[point] !== root && table.classOf[idom[point]!] === c) point = idom[point]!;
    }
    const holder = namedHolder(snap, dom, point === node ? node : idom[point]!, table, scopeClass);
    // Memory that only VM roots hold (builtins, compiled code) is not a leak a
    // program can fix, and "the global object retains it" says nothing.
    if (holder < 0 || holders.has(holder) || (pathParent(snap, rootPaths, holder) === root && isUserRoot(snap, holder))) continue;
    holders.set(holder, point);
  }
  // Dominator subtrees already explained by a suspect, so a class group inside
  // one (the entries of a reported Map, the members of a bigger group) is not reported twice.
  const covered = new CoveredSubtrees(nodeCount, idom, root);
  for (const [holder, point] of holders) {
    const path = retainerPath(snap, rootPaths, holder, maxPathSteps);
    const accumulated = point === holder ? accumulatedClass(snap, dom, point) : chainOrChildren(snap, dom, point);
    // What accumulates tells whose memory it is: an EventEmitter is made in
    // node:events, but 5,000 listeners from the program's file are the
    // program's; Node's timer list holds Timeouts, but their callbacks are the program's.
    let programCode: SourceLocation | null = null;
    if (isNodeInternal(path, accumulated?.location ?? null)) {
      programCode = programLocationBelow(snap, dom, point);
      if (!programCode) continue;
    }
    const className = table.names[table.classOf[holder]!]!;
    const heldAs = heldAsOf(path);
    const own = sourceLocation(snap, holder);
    const location = own ?? nearestLocation(path);
    const fraction = retainedSize[holder]! / total;
    const holderText = describeHolder(className, heldAs, location, isScopeVariable(path, own), ownerOf(path));
    let description = `${holderText} retains ${percent(fraction)} of the heap (${formatBytes(retainedSize[holder]!)})`;
    if (accumulated && accumulated.count > 1) {
      description += `, mostly in ${formatCount(accumulated.count)} ${kindOf(accumulated.className)} (${formatBytes(accumulated.retainedSize)})`;
      if (accumulated.location) description += ` created at ${formatLocation(accumulated.location)}`;
    }
    if (programCode) description += `, holding code from ${formatLocation(programCode)}`;
    suspects.push({
      kind: 'object',
      description: description + '.',
      node: holder,
      nodeId: snap.nodeId[holder]!,
      className,
      heldAs,
      retainedSize: retainedSize[holder]!,
      retainedFraction: fraction,
      count: 1,
      location,
      accumulationPointId: snap.nodeId[point]!,
      accumulationPointClass: table.names[table.classOf[point]!]!,
      accumulated,
      path,
    });
    covered.add(holder);
  }

  // Class groups: many objects of one class that together retain over the
  // limit. One screening pass over all nodes for every candidate class; only
  // the few survivors get a second look, at their own instances, to find who
  // holds them.
  const { classOf, names } = table;
  const candidates = histogram.filter((row) => row.retainedSize >= limit && !row.className.startsWith('(') &&
    !row.className.startsWith('system /') && row.className !== 'Function');
  const slotOf = new Int32Array(names.length).fill(-1);
  const classOfSlot = candidates.map((row) => names.indexOf(row.className));
  classOfSlot.forEach((classId, slot) => (slotOf[classId] = slot));
  const { biggestOf, out, nestTops } = screenGroups(dom, table, candidates, slotOf, covered, overLimit);
  candidates.forEach((row, slot) => {
    const biggest = biggestOf[slot]!;
    // Mostly inside an object suspect, or really one big object (an object suspect's business): out.
    if (biggest < 0 || out[slot] === 1) return;
    const members = nestTopsOf(dom, table, classOfSlot[slot]!, nestTops === null ? null : nestTops[slot]!);
    let coveredSize = 0;
    const byHolder = new Map<number, { count: number; size: number }>();
    for (const node of members) {
      if (shallowSize[node] === 0) continue;
      // Earlier groups may have covered this one since the screening pass.
      if (covered.has(node)) coveredSize += retainedSize[node]!;
      const holder = namedHolder(snap, dom, idom[node]!, table, scopeClass);
      const entry = byHolder.get(holder);
      if (entry) {
        entry.count++;
        entry.size += retainedSize[node]!;
      } else {
        byHolder.set(holder, { count: 1, size: retainedSize[node]! });
      }
    }
    if (coveredSize > row.retainedSize / 2) return;
    let topHolder = -1;
    let top = { count: 0, size: 0 };
    for (const [holder, entry] of byHolder) if (entry.size > top.size) [topHolder, top] = [holder, entry];
    // Held by VM roots only (interned strings, builtins): not a program's leak.
    if (topHolder < 0) return;
    const path = retainerPath(snap, rootPaths, biggest, maxPathSteps);
    const location = sourceLocation(snap, biggest);
    if (isNodeInternal(path, location)) return;
    const holderPath = retainerPath(snap, rootPaths, topHolder, maxPathSteps);
    const holderOwn = sourceLocation(snap, topHolder);
    const holderName = describeHolder(names[classOf[topHolder]!]!, heldAsOf(holderPath), holderOwn ?? nearestLocation(holderPath),
      isScopeVariable(holderPath, holderOwn));
    for (const node of members) covered.add(node);
    const fraction = row.retainedSize / total;
    const where = location ? ` (${formatLocation(location)})` : '';
    let instances = 0;
    for (const entry of byHolder.values()) instances += entry.count;
    let held = `${formatCount(top.count)} of them are held by ${holderName}`;
    let heldCount = top.count;
    let heldSize = top.size;
    if (top.count * 2 < instances) {
      // Spread over many holders (one closure per request, say): name the kind of holder.
      const byClass = new Map<number, { holders: number; count: number; size: number }>();
      for (const [holder, entry] of byHolder) {
        if (holder < 0) continue;
        const kind = byClass.get(classOf[holder]!) ?? { holders: 0, count: 0, size: 0 };
        kind.holders++;
        kind.count += entry.count;
        kind.size += entry.size;
        byClass.set(classOf[holder]!, kind);
      }
      const [kindClass, kind] = [...byClass].reduce((a, b) => (b[1].size > a[1].size ? b : a));
      const kindName = names[kindClass] === SCOPE_CLASS ? 'closure scopes' : `${names[kindClass]} objects`;
      held = `${formatCount(kind.count)} of them are held by ${formatCount(kind.holders)} different ${kindName} ` +
        `(for example ${holderName})`;
      heldCount = kind.count;
      heldSize = kind.size;
    }
    suspects.push({
      kind: 'class-group',
      description: `${formatCount(row.count)} ${row.className} objects${where} retain ${percent(fraction)} of the heap (${formatBytes(row.retainedSize)}); ` +
        `${held}.`,
      node: biggest,
      nodeId: snap.nodeId[biggest]!,
      className: row.className,
      heldAs: heldAsOf(path),
      retainedSize: row.retainedSize,
      retainedFraction: fraction,
      count: row.count,
      location,
      accumulationPointId: snap.nodeId[topHolder]!,
      accumulationPointClass: names[classOf[topHolder]!]!,
      accumulated: { className: row.className, count: heldCount, retainedSize: heldSize, location },
      path,
    });
  });

  suspects.sort((a, b) => b.retainedSize - a.retainedSize);
  return suspects.slice(0, maxSuspects);
}
