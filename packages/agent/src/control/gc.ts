// A full, synchronous garbage collection on demand, with or without
// `--expose-gc`: `leakhound run` measures the heap floor after every round.
import v8 from 'node:v8';
import vm from 'node:vm';
import { setImmediate as nextTurn } from 'node:timers/promises';

export interface HeapMeasurement {
  /** V8's used heap after the collection: the floor `leakhound run` compares across rounds. */
  usedHeapSize: number;
  /**
   * Machine code of JIT-compiled functions (code and code-large-object spaces):
   * it grows while a service warms up, so leak tests subtract it.
   */
  codeSpaceUsed: number;
  totalHeapSize: number;
  heapSizeLimit: number;
  externalMemory: number;
  arrayBuffers: number;
  rss: number;
  nativeContexts: number;
  detachedContexts: number;
  /** Milliseconds the collections took. */
  gcMillis: number;
}

let cachedGc: (() => void) | undefined;

function gcFunction(): () => void {
  if (cachedGc) return cachedGc;
  const global = globalThis as { gc?: () => void };
  if (typeof global.gc === 'function') {
    cachedGc = global.gc;
    return cachedGc;
  }
  // The flag only exposes `gc` in contexts created afterwards, hence the new context.
  v8.setFlagsFromString('--expose-gc');
  cachedGc = vm.runInNewContext('gc') as () => void;
  return cachedGc;
}

/**
 * Runs several full collections with a turn of the event loop between them, so
 * weak callbacks and FinalizationRegistry cleanups queued by one collection have
 * run before the next; the heap measured after the last one is the floor.
 */
export async function fullGc(passes = 3): Promise<HeapMeasurement> {
  const gc = gcFunction();
  const started = performance.now();
  const bounded = Math.max(1, Math.min(passes, 10));
  for (let i = 0; i < bounded; i++) {
    gc();
    await nextTurn();
  }
  const gcMillis = performance.now() - started;
  const stats = v8.getHeapStatistics();
  let codeSpaceUsed = 0;
  for (const space of v8.getHeapSpaceStatistics()) if (space.space_name.startsWith('code_')) codeSpaceUsed += space.space_used_size;
  const usage = process.memoryUsage();
  return {
    usedHeapSize: stats.used_heap_size,
    codeSpaceUsed,
    totalHeapSize: stats.total_heap_size,
    heapSizeLimit: stats.heap_size_limit,
    externalMemory: usage.external,
    arrayBuffers: usage.arrayBuffers,
    rss: usage.rss,
    nativeContexts: stats.number_of_native_contexts,
    detachedContexts: stats.number_of_detached_contexts,
    gcMillis,
  };
}
