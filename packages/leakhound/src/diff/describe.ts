// Words for findings: who holds a collection ("held by module src/mapper.ts",
// "of EventEmitter `bus`") and whether a path is Node's own bookkeeping.
import type { HeapSnapshot } from '../heap/snapshot.js';
import type { PathStep } from '../heap/paths.js';
import { sourceLocation, type SourceLocation } from '../heap/locations.js';

/** GC-root categories whose contents are the runtime's, not the program's. */
const RUNTIME_ROOTS = new Set([
  '(Internalized strings)', '(External strings)', '(Compilation cache)', '(Code flusher)', '(Startup object cache)',
  '(Builtins)', '(Debugger)', '(Extensions)', '(Read-only roots)', '(Smi roots)', '(Relocatable)', '(Bootstrapper)',
  '(Stack roots)', '(Handle scope)', '(Shared heap object cache)', '(Read-only object cache)', '(Unknown)',
]);

export function isProgramLocation(location: SourceLocation | null | undefined): location is SourceLocation {
  return location !== null && location !== undefined && location.url !== '' && !location.url.startsWith('node:');
}

/**
 * Node-internal noise: a path through a runtime root, or one whose source
 * locations (on the path and on the sample entries) are all Node's own. With
 * no location at all we cannot tell and keep it.
 */
export function isNodeInternalPath(path: readonly PathStep[], extra: readonly (SourceLocation | null)[]): boolean {
  for (const step of path) if (step.nodeType === 'synthetic' && RUNTIME_ROOTS.has(step.name || step.className)) return true;
  let sawNode = false;
  for (const location of [...extra, ...path.map((step) => step.location)]) {
    if (!location || location.url === '') continue;
    if (!location.url.startsWith('node:')) return false;
    sawNode = true;
  }
  return sawNode;
}

/**
 * The file of a scope (system / Context): the location of a function whose
 * `context` it is. One pass over the closures; called for a few findings only.
 */
export function scopeUrl(snap: HeapSnapshot, context: number): string | null {
  const { nodeCount, nodeType, firstEdge, edgeToNode, edgeType } = snap;
  let fallback: string | null = null;
  for (let node = 0; node < nodeCount; node++) {
    if (nodeType[node] !== snap.nodeTypeClosure) continue;
    const end = firstEdge[node + 1]!;
    for (let e = firstEdge[node]!; e < end; e++) {
      if (edgeToNode[e] !== context || edgeType[e] !== snap.edgeTypeInternal || snap.edgeNameString(e) !== 'context') continue;
      const location = sourceLocation(snap, node);
      if (!location) continue;
      const url: string = location.url;
      if (url !== '' && !url.startsWith('node:')) return url;
      if (fallback === null) fallback = url;
    }
  }
  return fallback;
}

/** file:///a/b/src/mapper.ts -> src/mapper.ts relative to the cwd when inside it. */
export function shortUrl(url: string, cwd = process.cwd()): string {
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  const base = cwd.endsWith('/') ? cwd : cwd + '/';
  return path.startsWith(base) ? path.slice(base.length) : path;
}

/**
 * How the collection at the end of `path` is held, in words: " held by module
 * src/mapper.ts" for a module-level variable, " of EventEmitter `bus`" for a
 * property of a named object, "" when nothing better is known.
 */
export function describeHolder(snap: HeapSnapshot, path: readonly PathStep[]): string {
  const last = path[path.length - 1];
  const owner = path[path.length - 2];
  if (!last || !owner) return '';
  if (last.edgeType === 'context') {
    const url = scopeUrl(snap, owner.node);
    return url ? ` held by module ${shortUrl(url)}` : ' held by a closure scope';
  }
  // Skip plain containers and VM internals between the collection and its named owner.
  for (let i = path.length - 2; i >= 0 && i >= path.length - 5; i--) {
    const step = path[i]!;
    if (step.className === 'Object' || step.className.startsWith('(') || step.className.startsWith('system /')) {
      if (step.className === 'system / Context' && path[i + 1]?.edgeType === 'context') {
        const url = scopeUrl(snap, step.node);
        if (url) return ` held by module ${shortUrl(url)}`;
      }
      continue;
    }
    if (step.edgeType !== 'property' && step.edgeType !== 'context') {
      // An entry of a collection: name the collection ("of each Session in Array `sessions`").
      if (!/^\[?\d+\]?$/.test(step.edgeName)) break;
      for (let k = i - 1; k >= 0; k--) {
        const outer = path[k]!;
        if (outer.className.startsWith('(') || outer.className.startsWith('system /')) continue;
        return ` of each ${step.className} in ${outer.className} \`${outer.edgeName}\``;
      }
      break;
    }
    return ` of ${step.className} \`${step.edgeName}\``;
  }
  return '';
}
