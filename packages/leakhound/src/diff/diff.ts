// `leakhound diff`: what grew between 2 or 3 snapshots of one process.
// V8 gives every heap object an id that stays the same for the object's life
// within one process, and new objects get new ids; so "allocated between
// baseline and target, still alive in final" is an id-set question.
// Memory: only the last snapshot is held as a graph. Each earlier one is
// reduced to a sorted id array, its collections' entry counts and its class
// histogram, then released before the next one is parsed.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LeakhoundError } from '../errors.js';
import type { HeapSnapshot } from '../heap/snapshot.js';
import type { ProgressFn } from '../heap/progress.js';
import { parseSnapshotFile } from '../heap/parser.js';
import { computeDominators, type SizeArray } from '../heap/dominators.js';
import { classHistogram, type HistogramRow } from '../heap/histogram.js';
import { prepareAnalysisInParallel, type HeapAnalysis, type PathStepJson } from '../heap/analysis.js';
import { classTable, isInternalNode } from '../heap/names.js';
import { retainerPath, type PathStep } from '../heap/paths.js';
import { sourceLocation, type SourceLocation } from '../heap/locations.js';
import { formatBytes, formatCount } from '../heap/suspects.js';
import { CollectionProbe, KIND_NONE, MIN_DICTIONARY_ENTRIES, kindName, type CollectionKind } from './collections.js';
import { CollectionCounts, IdSet } from './ids.js';
import { describeHolder, isNodeInternalPath, isProgramLocation, shortUrl } from './describe.js';
import { FOLDED_INDEX, LONG_PATH, SignatureCache, foldPath, pathSignature } from './signatures.js';

export const DIFF_SCHEMA_VERSION = 1;

export type SnapshotSource = string | HeapSnapshot;

export interface DiffOptions {
  /** Show Node-internal findings too (module cache, compiled code, runtime strings...). */
  all?: boolean;
  /** Smallest number of new objects (or added entries) per step for a finding (default 10). */
  minCount?: number;
  maxFindings?: number;
  maxPathSteps?: number;
  /** Class-growth rows kept in the report (default 50). */
  topClasses?: number;
  onProgress?: ProgressFn;
  /** Called with the last snapshot's analysis before it is released (the HTML report's tree). */
  onFinal?: (analysis: HeapAnalysis) => void;
}

/** A path step as `analyze --json` writes it (PathStep without the ordinal). */
export type DiffPathStep = PathStepJson;

export interface DiffCollection {
  kind: CollectionKind;
  className: string;
  nodeId: number;
  /** How it is held: the last edge of its path ("registry", "request"). */
  heldAs: string;
  /** Entries in each snapshot (0 when it did not exist yet). */
  entryCounts: number[];
  /** Entries added between consecutive snapshots. */
  addedPerStep: number[];
  /** Classes of the entries that are new since the baseline, most frequent first. */
  entryClasses: { className: string; count: number }[];
  retainedSizes: number[];
  location: SourceLocation | null;
  /** Collections with the same path signature counted into this finding (1: just this one); the other fields describe the biggest. */
  similar: number;
}

export interface DiffFinding {
  kind: 'growing-collection' | 'new-objects';
  summary: string;
  /** The main class of what accumulates. */
  className: string;
  /** New objects still alive in the last snapshot, by step: [baseline->target, target->final]. */
  newPerStep: number[];
  newCount: number;
  newShallowSize: number;
  newRetainedSize: number;
  /** What the finding is ranked by. */
  retainedGrowth: number;
  collection: DiffCollection | null;
  /** Root first, to the collection (or the holder of the new objects). */
  path: DiffPathStep[];
  /** Edge names and classes of the path, indexes folded: the grouping key. */
  signature: string;
  locations: { label: string; location: SourceLocation }[];
  /** Ids (in the last snapshot) of a few of the new objects. */
  sampleIds: number[];
  nodeInternal: boolean;
}

export interface DiffSnapshotInfo {
  file: string | null;
  nodeCount: number;
  totalSize: number;
}

export interface ClassGrowthRow {
  className: string;
  counts: number[];
  shallowSizes: number[];
  /** null for the middle snapshot of three (no dominator pass there). */
  retainedSizes: (number | null)[];
}

export interface DiffReport {
  schemaVersion: typeof DIFF_SCHEMA_VERSION;
  kind: 'diff';
  snapshots: DiffSnapshotInfo[];
  options: { all: boolean; minCount: number };
  summary: {
    findings: number;
    hiddenNodeInternal: number;
    newObjectsAlive: number;
    newObjectsAliveSize: number;
    totalSizeGrowth: number;
  };
  findings: DiffFinding[];
  classGrowth: ClassGrowthRow[];
}

interface EarlierDigest {
  info: DiffSnapshotInfo;
  ids: IdSet;
  collections: CollectionCounts;
  histogram: Map<string, HistogramRow>;
}

interface Group {
  signature: string;
  path: PathStep[];
  perStep: number[];
  count: number;
  shallow: number;
  retained: number;
  classes: Map<string, number>;
  sample: number[];
  biggest: number;
  biggestSize: number;
}

async function load(source: SnapshotSource, onProgress: ProgressFn | undefined): Promise<HeapSnapshot> {
  if (typeof source !== 'string') return source;
  return parseSnapshotFile(source, onProgress ? { onProgress } : {});
}

/**
 * What is kept of an earlier snapshot. Retained sizes (a dominator pass) are
 * computed for the baseline only: growth is measured from there, and the
 * middle snapshot's ids and counts are all the steps need.
 */
function digestEarlier(snap: HeapSnapshot, file: string | null, withRetained: boolean, onProgress: ProgressFn | undefined): EarlierDigest {
  const histogram = new Map<string, HistogramRow>();
  let retainedSize: SizeArray | null = null;
  let totalSize = 0;
  if (withRetained) {
    const dominators = computeDominators(snap, null, onProgress);
    for (const row of classHistogram(snap, dominators)) histogram.set(row.className, row);
    retainedSize = dominators.retainedSize;
    totalSize = dominators.retainedSize[snap.rootNode]!;
  } else {
    const { classOf, names } = classTable(snap);
    const count = new Float64Array(names.length);
    const shallow = new Float64Array(names.length);
    for (let n = 0; n < snap.nodeCount; n++) {
      const size = snap.nodeSelfSize[n]!;
      if (size === 0) continue;
      count[classOf[n]!]!++;
      shallow[classOf[n]!]! += size;
      totalSize += size;
    }
    names.forEach((className, c) => {
      if (count[c]! > 0) histogram.set(className, { className, count: count[c]!, shallowSize: shallow[c]!, retainedSize: NaN });
    });
  }
  onProgress?.('diff: ids', 0, 1);
  const ids = IdSet.fromSnapshot(snap);
  const collections = CollectionCounts.fromSnapshot(snap, retainedSize);
  onProgress?.('diff: ids', 1, 1);
  return { info: { file, nodeCount: snap.nodeCount, totalSize }, ids, collections, histogram };
}

/**
 * Frees the snapshot just digested before the next one is parsed: its typed
 * arrays are hundreds of MB that V8 would otherwise collect only later, on top
 * of the next parse's peak. A best effort: without --expose-gc it is a no-op.
 */
function releaseMemory(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    return;
  }
  try {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  } catch {
    // Not available: V8 collects the arrays on its own schedule.
  }
}

function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}`;
}

function signedBytes(n: number): string {
  return (n >= 0 ? '+' : '-') + formatBytes(Math.abs(n));
}

function topEntries(counts: Map<string, number>, limit: number): { className: string; count: number }[] {
  return [...counts].map(([className, count]) => ({ className, count })).sort((a, b) => b.count - a.count).slice(0, limit);
}

interface DiffContext {
  snap: HeapSnapshot;
  dominators: HeapAnalysis['dominators'];
  rootPaths: HeapAnalysis['rootPaths'];
  earlier: readonly EarlierDigest[];
  age: Uint8Array;
  steps: number;
  names: readonly string[];
  classOf: ArrayLike<number>;
  probe: CollectionProbe;
  minCount: number;
  all: boolean;
  maxPathSteps: number;
}

export async function diffSnapshots(sources: readonly SnapshotSource[], options: DiffOptions = {}): Promise<DiffReport> {
  if (sources.length < 2 || sources.length > 3) {
    throw new LeakhoundError('LH_ERR_USAGE', `diff: expected 2 or 3 snapshots (baseline target [final]), got ${sources.length}`);
  }
  const all = options.all ?? false;
  const minCount = options.minCount ?? 10;
  const maxFindings = options.maxFindings ?? 20;
  const maxPathSteps = options.maxPathSteps ?? 32;
  const onProgress = options.onProgress;

  const earlier: EarlierDigest[] = [];
  for (let i = 0; i < sources.length - 1; i++) {
    const source = sources[i]!;
    earlier.push(digestEarlier(await load(source, onProgress), typeof source === 'string' ? source : null, i === 0, onProgress));
    // Nothing references the parsed graph any more.
    if (typeof source === 'string') releaseMemory();
  }
  const lastSource = sources[sources.length - 1]!;
  const snap = await load(lastSource, onProgress);
  // The graph-only analyses on worker threads beside the tree, as `leakhound analyze` runs them.
  const analysis = await prepareAnalysisInParallel(snap, onProgress);
  const { dominators, rootPaths } = analysis;
  const steps = earlier.length; // 1 or 2 steps between snapshots
  onProgress?.('diff: matching ids', 0, 1);

  const { age, newObjectsAlive, newObjectsAliveSize } = ageByStep(snap, earlier, dominators.reachable);
  onProgress?.('diff: matching ids', 1, 1);
  onProgress?.('diff: grouping', 0, 1);
  const { classOf, names } = classTable(snap);
  const probe = new CollectionProbe(snap);
  const ctx: DiffContext = { snap, dominators, rootPaths, earlier, age, steps, names, classOf, probe, minCount, all, maxPathSteps };
  const groups = groupNewObjects(ctx);
  onProgress?.('diff: collections', 0, 1);
  const findings: DiffFinding[] = [];
  const { collectionNodes, holders } = collectionFindings(ctx, findings);
  newObjectFindings(ctx, groups, findings, collectionNodes);
  onProgress?.('diff: collections', 1, 1);

  mergeSimilarCollections(findings, holders);
  findings.sort((a, b) => b.retainedGrowth - a.retainedGrowth || b.newCount - a.newCount);
  const shown = all ? findings : findings.filter((f) => !f.nodeInternal);
  const hiddenNodeInternal = findings.length - shown.length;

  const lastInfo: DiffSnapshotInfo = {
    file: typeof lastSource === 'string' ? lastSource : null,
    nodeCount: snap.nodeCount,
    totalSize: dominators.retainedSize[snap.rootNode]!,
  };
  const classGrowth = classGrowthRows(earlier.map((e) => e.histogram), analysis.histogram, options.topClasses ?? 50);
  options.onFinal?.(analysis);

  return {
    schemaVersion: DIFF_SCHEMA_VERSION,
    kind: 'diff',
    snapshots: [...earlier.map((e) => e.info), lastInfo],
    options: { all, minCount },
    summary: {
      findings: Math.min(shown.length, maxFindings),
      hiddenNodeInternal,
      newObjectsAlive,
      newObjectsAliveSize,
      totalSizeGrowth: lastInfo.totalSize - earlier[0]!.info.totalSize,
    },
    findings: shown.slice(0, maxFindings),
    classGrowth,
  };
}

/** age[n]: 0 = existed in the baseline, k = allocated in step k (1 or 2). */
function ageByStep(snap: HeapSnapshot, earlier: readonly EarlierDigest[], reachable: Uint8Array): { age: Uint8Array; newObjectsAlive: number; newObjectsAliveSize: number } {
  const steps = earlier.length;
  const age = new Uint8Array(snap.nodeCount);
  const { nodeId } = snap;
  let newObjectsAlive = 0;
  let newObjectsAliveSize = 0;
  for (let n = 0; n < snap.nodeCount; n++) {
    const id = nodeId[n]!;
    if (earlier[0]!.ids.has(id)) continue;
    age[n] = steps === 2 && earlier[1]!.ids.has(id) ? 1 : steps;
    if (reachable[n] === 1) {
      newObjectsAlive++;
      newObjectsAliveSize += snap.nodeSelfSize[n]!;
    }
  }

  return { age, newObjectsAlive, newObjectsAliveSize };
}

/**
 * New objects grouped by the signature of their path, counting only the top
 * of each new subtree (its nearest visible dominator is older than it).
 */
function groupNewObjects(ctx: DiffContext): Map<number, Group> {
  const { snap, dominators, rootPaths, age, steps, names, classOf, all } = ctx;
  const root = snap.rootNode;
  const groups = new Map<number, Group>();
  const parentNode = rootPaths.parentNode;
  const signatures = new SignatureCache(snap, rootPaths.parentNode, rootPaths.parentEdge, names, classOf);
  for (let n = 0; n < snap.nodeCount; n++) {
    if (age[n] === 0 || dominators.reachable[n] !== 1 || parentNode[n]! < 0) continue;
    const type = snap.nodeType[n]!;
    if (type === snap.nodeTypeSynthetic || (!all && isInternalNode(snap, n))) continue;
    let holder = dominators.idom[n]!;
    for (let k = 0; k < 64 && holder !== root && isInternalNode(snap, holder); k++) holder = dominators.idom[holder]!;
    // Only the top of a new subtree counts; an object newer than its holder
    // is the top too (entries added in step 2 to a list created in step 1).
    // Links of a list of one class (Session.next.next...) each count as
    // an entry; only the first one's retained size counts (it holds the rest).
    const chained = holder !== root && age[holder]! > 0 && classOf[holder] === classOf[n];
    if (holder !== root && age[holder]! >= age[n]! && !chained) continue;
    // The path's parent (not the dominator) names how it is held; cache per parent.
    const parent = parentNode[n]!;
    const key = signatures.extend(signatures.of(parent), rootPaths.parentEdge[n]!, classOf[n]!);
    const cls = names[classOf[n]!]!;
    let group = groups.get(key);
    if (!group) {
      const path = retainerPath(snap, rootPaths, parent, LONG_PATH);
      group = { signature: signatures.text(key), path, perStep: new Array<number>(steps).fill(0), count: 0, shallow: 0, retained: 0, classes: new Map(), sample: [], biggest: n, biggestSize: -1 };
      groups.set(key, group);
    }
    group.perStep[age[n]! - 1]!++;
    group.count++;
    group.shallow += snap.nodeSelfSize[n]!;
    const retained = dominators.retainedSize[n]!;
    if (!chained) group.retained += retained;
    group.classes.set(cls, (group.classes.get(cls) ?? 0) + 1);
    if (group.sample.length < 5) group.sample.push(n);
    if (retained > group.biggestSize) {
      group.biggest = n;
      group.biggestSize = retained;
    }
  }

  return groups;
}

/** Collections whose entry count grew by at least minCount in every step. */
function collectionFindings(ctx: DiffContext, findings: DiffFinding[]): { collectionNodes: Set<number>; holders: Map<number, string> } {
  const { snap, dominators, rootPaths, earlier, age, names, classOf, probe, minCount, maxPathSteps } = ctx;
  const { nodeId } = snap;
  const collectionNodes = new Set<number>();
  const holders = new Map<number, string>();
  for (let n = 0; n < snap.nodeCount; n++) {
    const kind = probe.kind(n);
    if (kind === KIND_NONE || dominators.reachable[n] !== 1) continue;
    const count = probe.entryCount(n, kind);
    if (count < minCount) continue;
    const id = nodeId[n]!;
    const history = entryHistory(earlier, id, count);
    // Needs a history across every step: with 3 snapshots it existed in the target.
    if (history === null) continue;
    const counts = history.counts;
    const existedInBaseline = history.existedInBaseline;
    const added = counts.slice(1).map((c, i) => c - counts[i]!);
    if (!added.every((a) => a >= minCount)) continue;
    if (kindName(kind) === 'Object' && count < MIN_DICTIONARY_ENTRIES) continue;
    collectionNodes.add(n);
    const path = retainerPath(snap, rootPaths, n, LONG_PATH);
    const entryClasses = new Map<string, number>();
    let sampleEntry = -1;
    const sample: number[] = [];
    probe.forEachEntry(n, kind, (entry) => {
      if (age[entry] === 0) return;
      const cls = entryLabel(snap, entry, names[classOf[entry]!]!);
      entryClasses.set(cls, (entryClasses.get(cls) ?? 0) + 1);
      if (sampleEntry < 0 || (cls !== '(string)' && names[classOf[sampleEntry]!] === '(string)')) sampleEntry = entry;
      if (sample.length < 5) sample.push(nodeId[entry]!);
    });
    const retainedSizes = [...earlier.map((e) => e.collections.retainedOf(id)), dominators.retainedSize[n]!];
    const retainedGrowth = retainedSizes[retainedSizes.length - 1]! - (existedInBaseline ? retainedSizes[0]! : 0);
    const own = sourceLocation(snap, n);
    const entryLocation = sampleEntry >= 0 ? sourceLocation(snap, sampleEntry) : null;
    const nodeInternal = isNodeInternalPath(path, [own, entryLocation]);
    const top = topEntries(entryClasses, 5);
    const entryClass = top[0]?.className ?? 'new';
    const className = names[classOf[n]!]!;
    const heldAs = path[path.length - 1]?.edgeName ?? '';
    const holder = describeHolder(snap, path);
    const summary = collectionSummary(className, heldAs, holder, 1, entryClass, added, retainedGrowth);
    holders.set(id, holder);
    const locations: DiffFinding['locations'] = [];
    if (isProgramLocation(entryLocation)) locations.push({ label: `${entryClass} (entry) allocated at`, location: entryLocation });
    if (isProgramLocation(own)) locations.push({ label: `${className} constructor`, location: own });
    const nearest = [...path].reverse().find((step) => isProgramLocation(step.location));
    if (nearest?.location) locations.push({ label: `nearest code on the path (${nearest.className})`, location: nearest.location });
    findings.push({
      kind: 'growing-collection',
      summary,
      className: entryClass,
      newPerStep: added,
      newCount: [...entryClasses.values()].reduce((a, b) => a + b, 0),
      newShallowSize: 0,
      newRetainedSize: 0,
      retainedGrowth,
      collection: {
        kind: kindName(kind)!,
        className,
        nodeId: id,
        heldAs,
        entryCounts: counts,
        addedPerStep: added,
        entryClasses: top,
        retainedSizes,
        location: own,
        similar: 1,
      },
      path: foldPath(path, maxPathSteps),
      signature: pathSignature(path),
      locations,
      sampleIds: sample,
      nodeInternal,
    });
  }

  return { collectionNodes, holders };
}

/**
 * New-object groups: held through a growing collection, that finding already
 * tells it; otherwise a finding of its own when it kept growing.
 */
function newObjectFindings(ctx: DiffContext, groups: Map<number, Group>, findings: DiffFinding[], collectionNodes: Set<number>): void {
  const { snap, dominators, earlier, steps, probe, minCount, maxPathSteps } = ctx;
  const { nodeId } = snap;
  for (const group of groups.values()) {
    let viaCollection: DiffFinding | undefined;
    for (const step of group.path) {
      if (!collectionNodes.has(step.node)) continue;
      viaCollection = findings.find((f) => f.collection?.nodeId === step.nodeId);
      if (viaCollection) break;
    }
    if (viaCollection) {
      viaCollection.newShallowSize += group.shallow;
      viaCollection.newRetainedSize += group.retained;
      continue;
    }
    if (!group.perStep.every((c) => c >= minCount)) continue;
    // New objects that replaced old ones in a collection that did not grow
    // (an LRU, a ring of recent requests) are turnover, not growth.
    if (inBoundedCollection(snap, probe, earlier, group.path, minCount)) continue;
    const cls = topEntries(group.classes, 1)[0]?.className ?? '';
    const entryLocation = sourceLocation(snap, group.biggest);
    const nodeInternal = isNodeInternalPath(group.path, [entryLocation, ...closureLocations(snap, dominators, group.biggest)]);
    // A linked list (timers) repeats the entry class on its path: name what holds the list.
    let holderAt = group.path.length - 1;
    while (holderAt > 0 && group.path[holderAt]!.className === cls) holderAt--;
    const holderPath = group.path.slice(0, holderAt + 1);
    const heldAs = holderPath[holderPath.length - 1];
    const holderText = heldAs ? ` held by ${heldAs.className}${heldAs.edgeName ? ` \`${heldAs.edgeName}\`` : ''}${describeHolder(snap, holderPath)}` : '';
    const perStepText = steps > 1 ? ` (${group.perStep.map((c) => '+' + formatCount(c)).join(', ')} per step)` : '';
    const callback = isProgramLocation(entryLocation) ? null : closureLocations(snap, dominators, group.biggest).find(isProgramLocation);
    const callbackText = callback ? `, keeping closures from ${formatFindingLocation(callback)} alive` : '';
    const summary =
      `${plural(group.count, cls)} objects allocated since the baseline are still alive${perStepText}${holderText}${callbackText} ` +
      `(${signedBytes(group.retained)} retained)`;
    const locations: DiffFinding['locations'] = [];
    if (isProgramLocation(entryLocation)) locations.push({ label: `${cls} allocated at`, location: entryLocation });
    for (const location of closureLocations(snap, dominators, group.biggest)) {
      if (isProgramLocation(location) && locations.length < 4) locations.push({ label: 'closure kept alive', location });
    }
    const nearest = [...group.path].reverse().find((step) => isProgramLocation(step.location));
    if (nearest?.location) locations.push({ label: `nearest code on the path (${nearest.className})`, location: nearest.location });
    findings.push({
      kind: 'new-objects',
      summary,
      className: cls,
      newPerStep: group.perStep,
      newCount: group.count,
      newShallowSize: group.shallow,
      newRetainedSize: group.retained,
      retainedGrowth: group.retained,
      collection: null,
      path: foldPath(group.path, maxPathSteps),
      signature: group.signature,
      locations,
      sampleIds: group.sample.map((n) => nodeId[n]!),
      nodeInternal,
    });
  }
}

function collectionSummary(className: string, heldAs: string, holder: string, similar: number, entryClass: string, added: readonly number[], retainedGrowth: number): string {
  const byIndex = heldAs === '' || FOLDED_INDEX.test(heldAs) || heldAs.startsWith('[');
  const subject = similar > 1
    ? `${formatCount(similar)} ${className} collections${byIndex ? '' : ` \`${heldAs}\``}`
    : `${className}${byIndex ? '' : ` \`${heldAs}\``}`;
  const total = added.reduce((a, b) => a + b, 0);
  const perStep = added.length > 1 ? ` (${added.map((a) => '+' + formatCount(a)).join(', ')} per step)` : '';
  return `${subject}${holder} gained ${plural(total, entryClass)} entries${similar > 1 ? ' together' : ''}${perStep} ` +
    // One step cannot show that it never shrank, only that it grew.
    `(${signedBytes(retainedGrowth)} retained) ${added.length > 1 ? 'between snapshots and never shrank' : 'between the two snapshots'}`;
}

/**
 * Collections with the same path signature (a `history` array in every
 * session) are one finding: the biggest one stands for all, counts add up.
 */
function mergeSimilarCollections(findings: DiffFinding[], holders: ReadonlyMap<number, string>): void {
  const bySignature = new Map<string, DiffFinding>();
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i]!;
    const c = f.collection;
    if (!c) continue;
    const first = bySignature.get(f.signature);
    if (!first) {
      bySignature.set(f.signature, f);
      continue;
    }
    const keep = first.retainedGrowth >= f.retainedGrowth ? first : f;
    const other = keep === first ? f : first;
    const kc = keep.collection!;
    const oc = other.collection!;
    kc.similar += oc.similar;
    kc.addedPerStep = kc.addedPerStep.map((a, k) => a + (oc.addedPerStep[k] ?? 0));
    const classes = new Map(kc.entryClasses.map((e) => [e.className, e.count]));
    for (const e of oc.entryClasses) classes.set(e.className, (classes.get(e.className) ?? 0) + e.count);
    kc.entryClasses = topEntries(classes, 5);
    keep.newPerStep = kc.addedPerStep;
    keep.newCount += other.newCount;
    keep.newShallowSize += other.newShallowSize;
    keep.newRetainedSize += other.newRetainedSize;
    keep.retainedGrowth += other.retainedGrowth;
    keep.nodeInternal = keep.nodeInternal && other.nodeInternal;
    keep.className = kc.entryClasses[0]?.className ?? keep.className;
    keep.summary = collectionSummary(kc.className, kc.heldAs, holders.get(kc.nodeId) ?? '', kc.similar, keep.className, kc.addedPerStep, keep.retainedGrowth);
    bySignature.set(f.signature, keep);
    findings.splice(findings.indexOf(other), 1);
    i--;
  }
}

/** A closure entry is named after its function ("onConfigChanged()"), the rest by class. */
function entryLabel(snap: HeapSnapshot, node: number, className: string): string {
  if (snap.nodeType[node] !== snap.nodeTypeClosure) return className;
  const name = snap.nodeNameString(node);
  return name ? `${name}()` : className;
}

/** Entry counts of a collection in every snapshot; null when it did not exist in the target. */
function entryHistory(earlier: readonly EarlierDigest[], id: number, lastCount: number): { counts: number[]; existedInBaseline: boolean } | null {
  const counts: number[] = [];
  for (let i = 0; i < earlier.length; i++) {
    const existed = earlier[i]!.ids.has(id);
    if (i > 0 && !existed) return null;
    const c = earlier[i]!.collections.countOf(id);
    counts.push(c >= 0 ? c : 0);
  }
  counts.push(lastCount);
  return { counts, existedInBaseline: earlier[0]!.ids.has(id) };
}

function inBoundedCollection(snap: HeapSnapshot, probe: CollectionProbe, earlier: readonly EarlierDigest[], path: readonly PathStep[], minCount: number): boolean {
  for (const step of path) {
    const kind = probe.kind(step.node);
    if (kind === KIND_NONE) continue;
    const count = probe.entryCount(step.node, kind);
    if (count < minCount || (kindName(kind) === 'Object' && count < MIN_DICTIONARY_ENTRIES)) continue;
    const history = entryHistory(earlier, snap.nodeId[step.node]!, count);
    if (history === null || !history.existedInBaseline) continue;
    const counts = history.counts;
    if (!counts.slice(1).every((c, i) => c - counts[i]! >= minCount)) return true;
  }
  return false;
}

/** Program locations of closures a new object keeps alive (a timer's callback, a listener). */
function closureLocations(snap: HeapSnapshot, dom: HeapAnalysis['dominators'], node: number): (SourceLocation | null)[] {
  const out: (SourceLocation | null)[] = [];
  const stack = [node];
  for (let visited = 0; stack.length > 0 && visited < 64 && out.length < 3; visited++) {
    const current = stack.pop()!;
    if (current !== node && snap.nodeType[current] === snap.nodeTypeClosure) {
      const location = sourceLocation(snap, current);
      if (isProgramLocation(location)) out.push(location);
    }
    for (let j = dom.firstDominated[current]!; j < dom.firstDominated[current + 1]!; j++) stack.push(dom.dominated[j]!);
  }
  return out;
}

function classGrowthRows(earlier: Map<string, HistogramRow>[], last: HistogramRow[], top: number): ClassGrowthRow[] {
  const rows: ClassGrowthRow[] = [];
  const seen = new Set<string>();
  const make = (className: string, lastRow: HistogramRow | undefined): ClassGrowthRow => {
    const all = [...earlier.map((h) => h.get(className)), lastRow];
    return {
      className,
      counts: all.map((r) => r?.count ?? 0),
      shallowSizes: all.map((r) => r?.shallowSize ?? 0),
      retainedSizes: all.map((r) => (r === undefined ? 0 : Number.isNaN(r.retainedSize) ? null : r.retainedSize)),
    };
  };
  for (const row of last) {
    seen.add(row.className);
    rows.push(make(row.className, row));
  }
  for (const h of earlier) for (const name of h.keys()) if (!seen.has(name)) {
    seen.add(name);
    rows.push(make(name, undefined));
  }
  const growth = (r: ClassGrowthRow): number => (r.retainedSizes[r.retainedSizes.length - 1] ?? 0) - (r.retainedSizes[0] ?? 0);
  rows.sort((a, b) => growth(b) - growth(a));
  return rows.slice(0, top);
}

export function formatFindingLocation(location: SourceLocation): string {
  return `${shortUrl(location.url)}:${location.line}:${location.column}`;
}
