// Typed arrays live outside the JS heap, but their memory is returned only
// when the collector finds their (tiny) JS wrappers dead. The analyses make
// little JS garbage, so collections are rare and a phase's dropped working
// arrays (tens to hundreds of MB on big snapshots) would still count in the
// process's RSS while the next phase allocates its own. A full collection with
// an almost empty JS heap takes a few milliseconds, so big analyses ask for
// one between phases.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Below this many nodes the arrays are small and a collection would cost more than it frees. */
const MIN_NODES = 1 << 20;

let collect: (() => void) | null | undefined;

function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') {
    collect = exposed;
  } else {
    try {
      // Exposes gc() in a fresh context only; the program's own global stays as it was.
      setFlagsFromString('--expose-gc');
      const fn: unknown = runInNewContext('gc');
      collect = typeof fn === 'function' ? (fn as () => void) : null;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/** Returns dropped typed arrays' memory now when the graph is big enough to matter. */
export function releaseMemory(nodeCount: number): void {
  if (nodeCount < MIN_NODES) return;
  collectNow();
}

/** A full collection now, whatever the size (a dropped parse of a big file, before parsing it again). */
export function collectNow(): void {
  collector()?.();
}
