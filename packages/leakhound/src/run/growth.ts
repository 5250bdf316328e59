// What grew during a run, from its three snapshots of one process: objects
// allocated since the baseline that are still alive in final, grouped by the
// older object that holds them (a Map, an array, an emitter), with the retainer
// path, the entries' class and constructor location. "Holds" is dominance: the
// first object from before the baseline on the dominator-tree chain above the
// new ones, which does not depend on which of several paths a search finds. V8 numbers heap
// objects in the order it first sees them, so "allocated after a snapshot" is
// "id above that snapshot's highest id", and ids are stable within a process.
// A holder that also gained objects after the target is still growing: that
// separates a leak from a cache that filled once.
import { parseSnapshotFile } from '../heap/parser.js';
import { computeRootPaths, pathStep, retainerPath, type PathStep } from '../heap/paths.js';
import { buildRetainers } from '../heap/retainers.js';
import { computeDominators } from '../heap/dominators.js';
import { className, isInternalNode } from '../heap/names.js';
import { formatLocation, sourceLocation } from '../heap/locations.js';
import type { HeapSnapshot } from '../heap/snapshot.js';
import type { ProgressFn } from '../heap/progress.js';
import type { RunFinding, RunPathStep } from './types.js';
import { formatBytes } from './verdict.js';

export interface GrowthOptions {
  /** Findings kept, biggest first. */
  maxFindings?: number;
  /** A holder must have gained at least this many bytes. */
  minBytes?: number;
  onProgress?: ProgressFn;
}

const NONE = -1;
const UNSET = -2;
const MAX_WALK = 64;

/** The highest id of a JavaScript heap object: native and synthetic nodes carry address-like ids. */
function highestHeapId(snap: HeapSnapshot): number {
  let max = 0;
  const { nodeId, nodeType, nodeCount } = snap;
  for (let i = 0; i < nodeCount; i++) {
    const type = nodeType[i]!;
    if (type === snap.nodeTypeNative || type === snap.nodeTypeSynthetic) continue;
    if (nodeId[i]! > max) max = nodeId[i]!;
  }
  return max;
}

/** The agent's control channel keeps one object of this class for the life of the process. */
const SENTINEL_CLASS = 'LeakhoundIdSentinel';

/** Object id of the agent's sentinel, or -1 when the snapshot has none (not taken through the agent). */
function sentinelId(snap: HeapSnapshot): number {
  for (let node = 0; node < snap.nodeCount; node++) {
    if (snap.nodeType[node] === snap.nodeTypeObject && className(snap, node) === SENTINEL_CLASS) return snap.nodeId[node]!;
  }
  return -1;
}

async function idsOf(path: string, onProgress: ProgressFn | undefined): Promise<{ highest: number; sentinel: number }> {
  const snap = await parseSnapshotFile(path, onProgress ? { onProgress } : {});
  return { highest: highestHeapId(snap), sentinel: sentinelId(snap) };
}

interface Group {
  holder: number;
  bytes: number;
  /** New objects by class, allocated before / after the target. */
  early: Map<string, number>;
  late: Map<string, number>;
  /** One entry of each class, for its path and location. */
  sample: Map<string, number>;
}

function toRunStep(step: PathStep): RunPathStep {
  return {
    edgeName: step.edgeName,
    edgeType: step.edgeType,
    className: step.className,
    nodeType: step.nodeType,
    location: step.location ? formatLocation(step.location) : null,
  };
}

/** The holder a person would name: past VM-internal stores (a Map's table) to the Map itself. */
function visibleHolder(snap: HeapSnapshot, parentOf: (node: number) => number, node: number): number {
  let current = node;
  for (let i = 0; i < MAX_WALK && current >= 0 && isInternalNode(snap, current); i++) current = parentOf(current);
  return current >= 0 ? current : node;
}

/** The steps from `holder` (excluded) down to `entry` along the dominator chain, each with the edge that links it. */
function dominatorSteps(snap: HeapSnapshot, parentOf: (node: number) => number, holder: number, entry: number): PathStep[] {
  const chain: number[] = [];
  for (let node = entry, i = 0; node >= 0 && node !== holder && i < MAX_WALK; node = parentOf(node), i++) chain.push(node);
  chain.reverse();
  let previous = holder;
  return chain.map((node) => {
    let edge = -1;
    const end = snap.firstEdge[previous + 1]!;
    for (let e = snap.firstEdge[previous]!; e < end; e++) {
      if (snap.edgeToNode[e] === node) {
        edge = e;
        break;
      }
    }
    previous = node;
    return pathStep(snap, node, edge);
  });
}

/**
 * Who keeps the holder, in words: for a variable, the scope it lives in (named
 * after the function that owns the scope, whose file is the module); for a
 * property, the object it belongs to.
 */
function describeOwner(snap: HeapSnapshot, path: PathStep[], holderIndex: number): string {
  const owner = holderIndex > 0 ? path[holderIndex - 1] : undefined;
  if (!owner) return '';
  if (path[holderIndex]!.edgeType === 'context') {
    const url = scopeUrl(snap, owner.node);
    return url ? ` (a variable in the scope of ${url})` : ' (a closure variable)';
  }
  return ` held by ${owner.className}${owner.location ? ` (${formatLocation(owner.location)})` : ''}`;
}

/**
 * The file of a scope: the location of a function whose `context` is it (for a
 * module scope, any top-level function of the module). One pass over the
 * closures; called for a handful of findings only.
 */
function scopeUrl(snap: HeapSnapshot, context: number): string | null {
  const { nodeCount, nodeType, firstEdge, edgeToNode, edgeType } = snap;
  for (let node = 0; node < nodeCount; node++) {
    if (nodeType[node] !== snap.nodeTypeClosure) continue;
    const end = firstEdge[node + 1]!;
    for (let e = firstEdge[node]!; e < end; e++) {
      if (edgeToNode[e] !== context || edgeType[e] !== snap.edgeTypeInternal || snap.edgeNameString(e) !== 'context') continue;
      const location = sourceLocation(snap, node);
      if (location && !location.url.startsWith('node:')) return location.url;
    }
  }
  return null;
}

/**
 * The most frequent entry class. Classes of the program win over V8's category
 * names ("(concatenated string)", "(number)"): a Map's keys are entries too, but
 * the values are what a person looks for; a Set of strings still gets its strings.
 */
function topClass(counts: Map<string, number>): [string, number] {
  let best: [string, number] = ['', 0];
  let bestIsCategory = true;
  for (const entry of counts) {
    const isCategory = entry[0].startsWith('(');
    if ((bestIsCategory && !isCategory) || (isCategory === bestIsCategory && entry[1] > best[1])) {
      best = entry;
      bestIsCategory = isCategory;
    }
  }
  return best;
}

export async function growthFindings(paths: { baseline: string; target: string; final: string }, options: GrowthOptions = {}): Promise<RunFinding[]> {
  const maxFindings = options.maxFindings ?? 5;
  const minBytes = options.minBytes ?? 16 * 1024;
  // One graph in memory at a time: only the ids are kept of the first two.
  const baseline = await idsOf(paths.baseline, options.onProgress);
  const baselineMax = baseline.highest;
  const targetMax = paths.target === paths.baseline ? baselineMax : (await idsOf(paths.target, options.onProgress)).highest;
  const snap = await parseSnapshotFile(paths.final, options.onProgress ? { onProgress: options.onProgress } : {});
  const rootPaths = computeRootPaths(snap);
  const { idom } = computeDominators(snap, buildRetainers(snap), options.onProgress);
  const { nodeId, nodeType, nodeSelfSize, nodeCount } = snap;
  const root = snap.rootNode;
  const parentOf = (node: number): number => (node === root ? NONE : idom[node]!);
  const isNew = (node: number): boolean => {
    const type = nodeType[node]!;
    return nodeId[node]! > baselineMax && type !== snap.nodeTypeNative && type !== snap.nodeTypeSynthetic;
  };

  // Ids are stable only while V8 keeps its id map: a heap profiler session closed between the
  // snapshots (DevTools, an inspector client) resets it, and old objects come back with new ids.
  const finalSentinel = sentinelId(snap);
  if (baseline.sentinel >= 0 && finalSentinel >= 0 && baseline.sentinel !== finalSentinel) {
    throw new Error('V8 renumbered the heap objects between the snapshots (a heap profiler session was closed in between); cannot tell new objects from old');
  }

  // holderOf[n]: the old object that holds n's outermost new ancestor; entryOf[n]: the outermost
  // new ancestor a person wrote (past a Map's table): the entry of the holder n belongs to.
  // Both memoised along the walk up the root paths.
  const holderOf = new Int32Array(nodeCount).fill(UNSET);
  const entryOf = new Int32Array(nodeCount).fill(NONE);
  const userNode = (node: number): boolean => !isInternalNode(snap, node) && nodeType[node] !== snap.nodeTypeString && nodeType[node] !== snap.nodeTypeNumber;
  const chain: number[] = [];
  const groups = new Map<number, Group>();
  for (let node = 0; node < nodeCount; node++) {
    if (!isNew(node) || node === root) continue;
    chain.length = 0;
    let current = node;
    let holder = NONE;
    let entry = NONE;
    for (let i = 0; i < MAX_WALK; i++) {
      if (holderOf[current] !== UNSET) {
        holder = holderOf[current]!;
        entry = entryOf[current]!;
        break;
      }
      chain.push(current);
      const parent = parentOf(current);
      if (parent < 0) break;
      if (!isNew(parent)) {
        holder = parent;
        break;
      }
      current = parent;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const visited = chain[i]!;
      if (entry === NONE && userNode(visited)) entry = visited;
      holderOf[visited] = holder;
      entryOf[visited] = entry;
    }
    if (holder === NONE) continue;
    let group = groups.get(holder);
    if (!group) {
      group = { holder, bytes: 0, early: new Map(), late: new Map(), sample: new Map() };
      groups.set(holder, group);
    }
    group.bytes += nodeSelfSize[node]!;
    // Entries are the outermost objects a person wrote; what they hold, and VM internals, only add bytes.
    if (entryOf[node] !== node) continue;
    const name = className(snap, node);
    const period = nodeId[node]! <= targetMax ? group.early : group.late;
    period.set(name, (period.get(name) ?? 0) + 1);
    if (!group.sample.has(name)) group.sample.set(name, node);
  }

  const ranked = [...groups.values()]
    // Objects dominated by the GC roots themselves have no holder to name (reachable several ways).
    .filter((g) => g.bytes >= minBytes && nodeType[g.holder] !== snap.nodeTypeSynthetic)
    .map((group) => ({ group, entryClass: topClass(new Map([...group.late, ...group.early].map(([name]) => [name, (group.early.get(name) ?? 0) + (group.late.get(name) ?? 0)])))[0] }))
    // Only holders still gaining entries after the target: a cache that filled once is not a leak.
    .filter(({ group, entryClass }) => entryClass !== '' && (group.late.get(entryClass) ?? 0) > 0)
    .sort((a, b) => b.group.bytes - a.group.bytes)
    .slice(0, maxFindings);

  return ranked.map(({ group, entryClass }) => {
    const earlyCount = group.early.get(entryClass) ?? 0;
    const lateCount = group.late.get(entryClass) ?? 0;
    const sample = group.sample.get(entryClass)!;
    const holder = visibleHolder(snap, parentOf, group.holder);
    // Root -> holder by the shortest path, then holder -> entry down the dominator chain.
    const path = [...retainerPath(snap, rootPaths, holder, 32), ...dominatorSteps(snap, parentOf, holder, sample)];
    const holderIndex = path.findIndex((step) => step.node === holder);
    const heldAs = holderIndex >= 0 ? path[holderIndex]!.edgeName : '';
    const holderClass = className(snap, holder);
    const holderName = heldAs && !heldAs.startsWith('[') ? `${holderClass} \`${heldAs}\`` : holderClass;
    const ownerText = describeOwner(snap, path, holderIndex);
    const entryLocation = sourceLocation(snap, sample);
    const locations = [entryLocation, sourceLocation(snap, holder)].filter((l) => l !== null).map(formatLocation);
    const summary =
      `${holderName}${ownerText} gained ${(earlyCount + lateCount).toLocaleString('en-US')} ${entryClass} entries since the baseline ` +
      `(${lateCount.toLocaleString('en-US')} of them after the target: still growing), all still alive (+${formatBytes(group.bytes)})` +
      (entryLocation ? `; ${entryClass} is created at ${formatLocation(entryLocation)}` : '');
    return {
      summary,
      kind: 'growing-holder',
      className: entryClass,
      bytes: group.bytes,
      count: earlyCount + lateCount,
      path: path.map(toRunStep),
      locations,
    };
  });
}
