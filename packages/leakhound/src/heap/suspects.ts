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
import { classTable, isInternalNode } from './names.js';
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
 * left. A closure scope (system / Context) is internal but is where a
 * program's variables live, so the walk stops there too.
 */
function namedHolder(snap: HeapSnapshot, dom: Dominators, node: number): number {
  const root = snap.rootNode;
  const { classOf, names } = classTable(snap);
  let current = node;
  for (let i = 0; i < MAX_WALK && current !== root; i++) {
    if (!isInternalNode(snap, current) || names[classOf[current]!] === SCOPE_CLASS) return current;
    current = dom.idom[current]!;
  }
  return -1;
}

function accumulatedClass(snap: HeapSnapshot, dom: Dominators, point: number): AccumulatedClass | null {
  const { classOf, names } = classTable(snap);
  const sizes = new Map<number, { count: number; size: number; first: number }>();
  for (let j = dom.firstDominated[point]!; j < dom.firstDominated[point + 1]!; j++) {
    const child = dom.dominated[j]!;
    const c = classOf[child]!;
    const entry = sizes.get(c);
    if (entry) {
      entry.count++;
      entry.size += dom.retainedSize[child]!;
    } else {
      sizes.set(c, { count: 1, size: dom.retainedSize[child]!, first: child });
    }
  }
  let best: { c: number; count: number; size: number; first: number } | null = null;
  for (const [c, entry] of sizes) if (!best || entry.size > best.size) best = { c, ...entry };
  if (!best) return null;
  return { className: names[best.c]!, count: best.count, retainedSize: best.size, location: sourceLocation(snap, best.first) };
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
  const { retainedSize, firstDominated, dominated, reachable, idom } = dom;
  const suspects: LeakSuspect[] = [];

  // Object suspects: the deepest nodes over the limit.
  const holders = new Map<number, number>();
  for (let node = 0; node < nodeCount; node++) {
    if (node === root || retainedSize[node]! < limit || reachable[node] === 0) continue;
    if (snap.nodeType[node] === snap.nodeTypeSynthetic) continue;
    let deepest = true;
    for (let j = firstDominated[node]!; j < firstDominated[node + 1]!; j++) {
      if (retainedSize[dominated[j]!]! >= limit) {
        deepest = false;
        break;
      }
    }
    if (!deepest) continue;
    // In a linked list each element dominates the next, so the deepest node
    // over the limit sits somewhere down the chain; the leak is the whole
    // chain, held by whoever holds its head.
    let point = node;
    const c = classTable(snap).classOf[node]!;
    if (!isInternalNode(snap, node)) {
      while (idom[point] !== root && classTable(snap).classOf[idom[point]!] === c) point = idom[point]!;
    }
    const holder = namedHolder(snap, dom, point === node ? node : idom[point]!);
    // Memory that only VM roots hold (builtins, compiled code) is not a leak a
    // program can fix, and "the global object retains it" says nothing.
    if (holder < 0 || holders.has(holder) || (pathParent(snap, rootPaths, holder) === root && isUserRoot(snap, holder))) continue;
    holders.set(holder, point);
  }
  // Dominator subtrees already explained by a suspect, so a class group inside
  // one (the entries of a reported Map, the members of a bigger group) is not reported twice.
  // One bit per node.
  const coveredBits = new Uint8Array((nodeCount >>> 3) + 1);
  const isCovered = (n: number): boolean => (coveredBits[n >>> 3]! & (1 << (n & 7))) !== 0;
  const stack = new NodeStack();
  const cover = (top: number): void => {
    stack.push(top);
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (isCovered(n)) continue;
      coveredBits[n >>> 3] = coveredBits[n >>> 3]! | (1 << (n & 7));
      for (let j = firstDominated[n]!; j < firstDominated[n + 1]!; j++) stack.push(dominated[j]!);
    }
  };
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
    const className = classTable(snap).names[classTable(snap).classOf[holder]!]!;
    const heldAs = heldAsOf(path);
    const own = sourceLocation(snap, holder);
    const location = own ?? nearestLocation(path);
    const fraction = retainedSize[holder]! / total;
    const holderText = describeHolder(className, heldAs, location, isScopeVariable(path, own), ownerOf(path));
    let description = `${holderText} retains ${percent(fraction)} of the heap (${formatBytes(retainedSize[holder]!)})`;
    if (accumulated && accumulated.count > 1) {
      description += `, mostly in ${accumulated.count.toLocaleString('en-US')} ${kindOf(accumulated.className)} (${formatBytes(accumulated.retainedSize)})`;
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
      accumulationPointClass: classTable(snap).names[classTable(snap).classOf[point]!]!,
      accumulated,
      path,
    });
    cover(holder);
  }

  // Class groups: many objects of one class that together retain over the
  // limit. One screening pass over all nodes for every candidate class; only
  // the few survivors get a second pass to find who holds them.
  const { classOf, names } = classTable(snap);
  const candidates = histogram.filter((row) => row.retainedSize >= limit && !row.className.startsWith('(') &&
    !row.className.startsWith('system /') && row.className !== 'Function');
  const slotOf = new Int32Array(names.length).fill(-1);
  candidates.forEach((row, slot) => (slotOf[names.indexOf(row.className)] = slot));
  const biggestOf = new Int32Array(candidates.length).fill(-1);
  const coveredOf = new Float64Array(candidates.length);
  for (let node = 0; node < nodeCount; node++) {
    const c = classOf[node]!;
    const slot = slotOf[c]!;
    // Each same-class nest counts once, at its top.
    if (slot < 0 || dom.shallowSize[node] === 0 || classOf[idom[node]!] === c) continue;
    if (isCovered(node)) coveredOf[slot] = coveredOf[slot]! + retainedSize[node]!;
    const biggest = biggestOf[slot]!;
    if (biggest < 0 || retainedSize[node]! > retainedSize[biggest]!) biggestOf[slot] = node;
  }
  candidates.forEach((row, slot) => {
    const biggest = biggestOf[slot]!;
    // Mostly inside an object suspect, or really one big object (an object suspect's business).
    if (biggest < 0 || coveredOf[slot]! > row.retainedSize / 2 || retainedSize[biggest]! > row.retainedSize / 2) return;
    const classId = names.indexOf(row.className);
    let coveredSize = 0;
    const byHolder = new Map<number, { count: number; size: number }>();
    for (let node = 0; node < nodeCount; node++) {
      if (classOf[node] !== classId || dom.shallowSize[node] === 0 || classOf[idom[node]!] === classId) continue;
      // Earlier groups may have covered this one since the screening pass.
      if (isCovered(node)) coveredSize += retainedSize[node]!;
      const holder = namedHolder(snap, dom, idom[node]!);
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
    for (let node = 0; node < nodeCount; node++) {
      if (classOf[node] === classId && classOf[idom[node]!] !== classId) cover(node);
    }
    const fraction = row.retainedSize / total;
    const where = location ? ` (${formatLocation(location)})` : '';
    let instances = 0;
    for (const entry of byHolder.values()) instances += entry.count;
    let held = `${top.count.toLocaleString('en-US')} of them are held by ${holderName}`;
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
      held = `${kind.count.toLocaleString('en-US')} of them are held by ${kind.holders.toLocaleString('en-US')} different ${kindName} ` +
        `(for example ${holderName})`;
      heldCount = kind.count;
      heldSize = kind.size;
    }
    suspects.push({
      kind: 'class-group',
      description: `${row.count.toLocaleString('en-US')} ${row.className} objects${where} retain ${percent(fraction)} of the heap (${formatBytes(row.retainedSize)}); ` +
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
