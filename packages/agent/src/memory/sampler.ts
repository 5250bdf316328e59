// Post-GC heap sampling: a `gc` PerformanceObserver wakes us after each major
// (mark-sweep-compact) GC, when used_heap_size is the live heap, not live +
// garbage. A periodic fallback samples an idle process that has no major GC.
import { PerformanceObserver, constants as perfConstants, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

export interface MemorySample {
  /** Monotonic time (performance.now(), ms). */
  at: number;
  /** Wall clock (Date.now(), ms). */
  wallTime: number;
  /** true: taken right after a major GC; false: fallback sample (includes garbage). */
  postGc: boolean;
  heapUsed: number;
  heapTotal: number;
  heapLimit: number;
  rss: number;
  external: number;
  arrayBuffers: number;
  detachedContexts: number;
  nativeContexts: number;
}

const FIELDS = ['at', 'wallTime', 'postGc', 'heapUsed', 'heapTotal', 'heapLimit', 'rss', 'external', 'arrayBuffers', 'detachedContexts', 'nativeContexts'] as const;

/** Fixed-capacity ring of samples, one Float64Array per field: bounded and allocation-free on push. */
export class SampleRing {
  readonly capacity: number;
  private readonly _columns: Float64Array[];
  private _next = 0;
  private _size = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this._columns = FIELDS.map(() => new Float64Array(this.capacity));
  }

  get size(): number {
    return this._size;
  }

  push(sample: MemorySample): void {
    const i = this._next;
    for (let f = 0; f < FIELDS.length; f++) {
      const key = FIELDS[f] as (typeof FIELDS)[number];
      const value = sample[key];
      (this._columns[f] as Float64Array)[i] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    }
    this._next = (i + 1) % this.capacity;
    if (this._size < this.capacity) this._size++;
  }

  /** The k-th most recent sample (0 = latest). */
  recent(k = 0): MemorySample | undefined {
    if (k < 0 || k >= this._size) return undefined;
    const i = (this._next - 1 - k + this.capacity * 2) % this.capacity;
    const out: Record<string, number | boolean> = {};
    for (let f = 0; f < FIELDS.length; f++) {
      const key = FIELDS[f] as (typeof FIELDS)[number];
      const value = (this._columns[f] as Float64Array)[i] as number;
      out[key] = key === 'postGc' ? value === 1 : value;
    }
    return out as unknown as MemorySample;
  }

  /** Oldest first. */
  toArray(): MemorySample[] {
    const out: MemorySample[] = [];
    for (let k = this._size - 1; k >= 0; k--) out.push(this.recent(k) as MemorySample);
    return out;
  }

  clear(): void {
    this._next = 0;
    this._size = 0;
  }
}

export interface SamplerOptions {
  /** Samples kept in memory. Default 1024. */
  capacity?: number;
  /** At most one post-GC sample per this many ms (a GC storm must not cost more). Default 1000. */
  minIntervalMs?: number;
  /** A fallback sample is taken when no sample came for this long. Default 5 min. */
  fallbackAfterMs?: number;
  /** Called with every sample; exceptions are swallowed. */
  onSample?: (sample: MemorySample) => void;
  /** Called when a callback threw, for the agent's debug log. */
  onError?: (error: unknown) => void;
}

export class MemorySampler {
  readonly ring: SampleRing;
  private readonly _minIntervalMs: number;
  private readonly _fallbackAfterMs: number;
  private readonly _onSample: ((sample: MemorySample) => void) | undefined;
  private readonly _onError: ((error: unknown) => void) | undefined;
  private _observer: PerformanceObserver | null = null;
  private _timer: NodeJS.Timeout | null = null;
  private _lastAt = -Infinity;
  private _lastPostGcAt = -Infinity;
  private _majorGcs = 0;

  constructor(options: SamplerOptions = {}) {
    this.ring = new SampleRing(options.capacity ?? 1024);
    this._minIntervalMs = options.minIntervalMs ?? 1000;
    this._fallbackAfterMs = options.fallbackAfterMs ?? 5 * 60_000;
    this._onSample = options.onSample;
    this._onError = options.onError;
  }

  /** Major GCs observed since start (including those within minIntervalMs of a sample). */
  get majorGcs(): number {
    return this._majorGcs;
  }

  start(): void {
    if (this._observer !== null) return;
    const observer = new PerformanceObserver((list) => {
      try {
        let major = false;
        for (const entry of list.getEntries()) if (isMajorGc(entry)) major = true;
        if (!major) return;
        this._majorGcs++;
        if (performance.now() - this._lastPostGcAt >= this._minIntervalMs) this.sample(true);
      } catch (error) {
        this._reportError(error);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    this._observer = observer;
    const period = Math.max(1000, Math.min(this._fallbackAfterMs, 60_000));
    this._timer = setInterval(() => {
      try {
        if (performance.now() - this._lastAt >= this._fallbackAfterMs) this.sample(false);
      } catch (error) {
        this._reportError(error);
      }
    }, period);
    this._timer.unref();
  }

  stop(): void {
    this._observer?.disconnect();
    this._observer = null;
    if (this._timer !== null) clearInterval(this._timer);
    this._timer = null;
  }

  /** Takes one sample now (also used by the fallback timer and tests). */
  sample(postGc: boolean): MemorySample {
    const heap = getHeapStatistics();
    const usage = process.memoryUsage();
    const sample: MemorySample = {
      at: performance.now(),
      wallTime: Date.now(),
      postGc,
      heapUsed: heap.used_heap_size,
      heapTotal: heap.total_heap_size,
      heapLimit: heap.heap_size_limit,
      rss: usage.rss,
      external: usage.external,
      arrayBuffers: usage.arrayBuffers,
      detachedContexts: heap.number_of_detached_contexts,
      nativeContexts: heap.number_of_native_contexts,
    };
    this._lastAt = sample.at;
    if (postGc) this._lastPostGcAt = sample.at;
    this.ring.push(sample);
    if (this._onSample !== undefined) {
      try {
        this._onSample(sample);
      } catch (error) {
        this._reportError(error);
      }
    }
    return sample;
  }

  private _reportError(error: unknown): void {
    try {
      this._onError?.(error);
    } catch {
      // Nothing left to tell.
    }
  }
}

function isMajorGc(entry: PerformanceEntry): boolean {
  const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
  const kind = detail?.kind;
  return kind !== undefined && (kind & perfConstants.NODE_PERFORMANCE_GC_MAJOR) !== 0;
}
