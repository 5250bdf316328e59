// Leak detector on the post-GC heap floor. Pure and clock-free: every sample and
// every evaluation carries its own timestamp, so a 24-hour trace replays in
// milliseconds (test/memory/evaluate.mjs does exactly that).
//
// Method (docs/memory.md has the reasoning and the evaluation table):
// 1. Samples after the warm-up are reduced to fixed time slots holding their
//    minimum (the floor): bounded memory whatever the GC rate.
// 2. Several windows (min window, x2, x4, ... up to the max window) are each cut
//    into `buckets` buckets; a bucket's value is its lowest floor, which removes
//    the sawtooth of garbage between GCs and most churn noise.
// 3. Per window: Mann-Kendall test (tie-corrected) + Theil-Sen slope on the bucket
//    floors. "leaking" needs all of: whole window significant and at least
//    confirmWindowMs long; growth over the window above an effect size; each half
//    significant on its own, at a similar rate (a one-time step, like a cache
//    filling once, lies in one half only; a traffic ramp accelerates; a bounded
//    cache decelerates); floors hugging the trend line (a sawtooth swings around
//    it) and not fallen back below it (a traffic peak that passed); the current
//    floor above the window's median and above every older floor still held (a
//    sawtooth's ramp never beats the previous peak).
// 4. A leak in one window is downgraded to "growing" when a longer window shows
//    the growth slowing down (a cache approaching its bound).

import { mannKendall, theilSenSlope } from './stats.js';

export type MemoryState = 'stable' | 'growing' | 'leaking';

export interface DetectorOptions {
  /** Samples in the first `warmupMs` after the first sample are ignored (JIT, caches, pools warming). */
  warmupMs: number;
  /** Shortest window evaluated, and the data needed before any verdict. */
  minWindowMs: number;
  /**
   * Shortest window that may confirm a leak; shorter windows only say "growing".
   * A cache filling for an hour, a traffic ramp or a slow sawtooth look exactly like
   * a leak over shorter spans; only sustained growth tells them apart.
   */
  confirmWindowMs: number;
  /** Longest window evaluated; also bounds the data kept. */
  maxWindowMs: number;
  /** Resolution of the floor series; one slot keeps the minimum of its samples. */
  slotMs: number;
  /** Buckets per window for the trend test. */
  buckets: number;
  /** Growth over a window must exceed this many bytes to count (effect size)... */
  minGrowthBytes: number;
  /** ...and this share of the floor. */
  minGrowthRatio: number;
  /** Mann-Kendall z over the whole window for "leaking" (3.09 = 99.9% one-sided). */
  leakZ: number;
  /** Mann-Kendall z each half of the window must reach (2.33 = 99%). */
  halfZ: number;
  /** Mann-Kendall z for "growing" (2.33 = 99%). */
  growingZ: number;
  /** Consecutive "growing" evaluations needed to leave "stable". */
  enterGrowing: number;
  /** Consecutive "stable" evaluations needed to leave "growing" or "leaking". */
  leaveAfter: number;
  /** Largest ratio between the slopes of the two halves of a window that still counts as one steady rate. */
  maxRateChange: number;
}

export const DEFAULT_DETECTOR_OPTIONS: Readonly<DetectorOptions> = Object.freeze({
  warmupMs: 10 * 60_000,
  minWindowMs: 30 * 60_000,
  confirmWindowMs: 4 * 3_600_000,
  maxWindowMs: 24 * 3_600_000,
  slotMs: 30_000,
  buckets: 24,
  minGrowthBytes: 2 * 1024 * 1024,
  minGrowthRatio: 0.05,
  leakZ: 3.09,
  halfZ: 2.33,
  growingZ: 2.33,
  maxRateChange: 1.75,
  enterGrowing: 3,
  leaveAfter: 10,
});

export interface TrendResult {
  state: MemoryState;
  /** Theil-Sen slope of the heap floor over the deciding window; 0 when stable. */
  slopeBytesPerHour: number;
  /** One-sided Mann-Kendall confidence that the floor rises (0..1). */
  confidence: number;
  /** Current post-GC heap floor (bytes), null before any sample. */
  floorBytes: number | null;
  /** Length of the window that decided the state (ms), 0 when there was not enough data. */
  windowMs: number;
  /** Why the state is what it is, one short sentence. */
  reason: string;
  /** Timestamp the evaluation was made for. */
  at: number;
}

interface WindowVerdict {
  state: MemoryState;
  z: number;
  confidence: number;
  slopePerMs: number;
  windowMs: number;
  reason: string;
  /** Significant growth whose second half is much slower than its first (a cache filling up). */
  decelerating: boolean;
}

const HOUR = 3_600_000;

export class LeakDetector {
  readonly options: Readonly<DetectorOptions>;
  private readonly _capacity: number;
  private readonly _slotIndex: Float64Array;
  private readonly _slotMin: Float64Array;
  private _head = 0; // index of the oldest slot
  private _size = 0;
  private _firstSampleAt: number | null = null;
  private _lastFloor: number | null = null;
  private _state: MemoryState = 'stable';
  private _lastRaw: MemoryState = 'stable';
  private _lastActive: TrendResult | null = null;
  private _streak = 0;
  // Scratch arrays reused by every evaluation (no per-evaluation allocation of size n).
  private readonly _bx: Float64Array;
  private readonly _by: Float64Array;

  constructor(options: Partial<DetectorOptions> = {}) {
    const merged = { ...DEFAULT_DETECTOR_OPTIONS, ...options };
    if (merged.buckets < 8) merged.buckets = 8;
    if (merged.minWindowMs < merged.slotMs * merged.buckets) merged.slotMs = Math.max(1, Math.floor(merged.minWindowMs / merged.buckets));
    if (merged.confirmWindowMs < merged.minWindowMs) merged.confirmWindowMs = merged.minWindowMs;
    if (merged.maxWindowMs < merged.confirmWindowMs) merged.maxWindowMs = merged.confirmWindowMs;
    this.options = Object.freeze(merged);
    this._capacity = Math.ceil(merged.maxWindowMs / merged.slotMs) * 2 + 2;
    this._slotIndex = new Float64Array(this._capacity);
    this._slotMin = new Float64Array(this._capacity);
    this._bx = new Float64Array(merged.buckets);
    this._by = new Float64Array(merged.buckets);
  }

  get state(): MemoryState {
    return this._state;
  }

  /** Slots currently held (bounded by twice the max window). */
  get size(): number {
    return this._size;
  }

  /** Adds one post-GC heap sample. Out-of-order and non-finite samples are dropped. */
  add(at: number, heapBytes: number): void {
    if (!Number.isFinite(at) || !Number.isFinite(heapBytes)) return;
    if (this._firstSampleAt === null) this._firstSampleAt = at;
    if (at < this._firstSampleAt + this.options.warmupMs) return;
    const index = Math.floor(at / this.options.slotMs);
    if (this._size > 0) {
      const lastPos = (this._head + this._size - 1) % this._capacity;
      const lastIndex = this._slotIndex[lastPos] as number;
      if (index === lastIndex) {
        if (heapBytes < (this._slotMin[lastPos] as number)) this._slotMin[lastPos] = heapBytes;
        this._lastFloor = this._slotMin[lastPos] as number;
        return;
      }
      if (index < lastIndex) return;
    }
    if (this._size === this._capacity) {
      this._head = (this._head + 1) % this._capacity;
      this._size--;
    }
    const pos = (this._head + this._size) % this._capacity;
    this._slotIndex[pos] = index;
    this._slotMin[pos] = heapBytes;
    this._size++;
    this._lastFloor = heapBytes;
  }

  /** Forgets everything (e.g. after the host freed memory deliberately). */
  reset(): void {
    this._head = 0;
    this._size = 0;
    this._firstSampleAt = null;
    this._lastFloor = null;
    this._state = 'stable';
    this._lastRaw = 'stable';
    this._lastActive = null;
    this._streak = 0;
  }

  evaluate(now: number): TrendResult {
    const o = this.options;
    this._dropOlderThan(now - 2 * o.maxWindowMs);
    const base = { at: now, floorBytes: this._lastFloor };
    if (this._firstSampleAt === null) return this._finish({ ...base, state: 'stable', slopeBytesPerHour: 0, confidence: 0, windowMs: 0, reason: 'no sample yet' });
    if (this._size === 0) return this._finish({ ...base, state: 'stable', slopeBytesPerHour: 0, confidence: 0, windowMs: 0, reason: 'warming up' });
    const firstAt = (this._slotIndex[this._head] as number) * o.slotMs;
    const span = now - firstAt;
    if (span < o.minWindowMs) {
      return this._finish({ ...base, state: 'stable', slopeBytesPerHour: 0, confidence: 0, windowMs: 0, reason: `collecting data (${Math.floor(span / 60_000)} of ${Math.ceil(o.minWindowMs / 60_000)} min)` });
    }
    const longest = Math.min(span, o.maxWindowMs);
    let best: WindowVerdict | null = null;
    let longestVerdict: WindowVerdict | null = null;
    const verdicts: WindowVerdict[] = [];
    for (let windowMs = o.minWindowMs; ; windowMs *= 2) {
      const w = Math.min(windowMs, longest);
      const verdict = this._evaluateWindow(now, w);
      if (verdict !== null) {
        verdicts.push(verdict);
        longestVerdict = verdict;
        if (best === null || rank(verdict) > rank(best) || (rank(verdict) === rank(best) && verdict.z > best.z)) best = verdict;
      }
      if (w >= longest) break;
    }
    // A leak seen over one window but slowing down over a longer one is growth
    // that is levelling off (a cache filling up), not a leak yet.
    if (best !== null && best.state === 'leaking') {
      const leakWindow = best.windowMs;
      if (verdicts.some((v) => v.windowMs > leakWindow && v.decelerating)) {
        best = { ...best, state: 'growing', reason: `post-GC heap floor rose steadily over ${formatWindow(leakWindow)} but the growth is slowing down over a longer window (a cache filling up?)` };
      }
    }
    const chosen = best !== null && best.state !== 'stable' ? best : longestVerdict;
    if (chosen === null) return this._finish({ ...base, state: 'stable', slopeBytesPerHour: 0, confidence: 0, windowMs: 0, reason: 'too few samples in the window' });
    return this._finish({
      ...base,
      state: chosen.state,
      slopeBytesPerHour: chosen.state === 'stable' ? 0 : chosen.slopePerMs * HOUR,
      confidence: chosen.confidence,
      windowMs: chosen.windowMs,
      reason: chosen.reason,
    });
  }

  private _finish(result: TrendResult): TrendResult {
    // Hysteresis, so the state (and its events) does not flap with noise:
    // - once leaking, a merely "growing" verdict keeps "leaking";
    // - stable -> growing needs `enterGrowing` growing verdicts in a row;
    // - growing or leaking -> stable needs `leaveAfter` stable verdicts in a row.
    const o = this.options;
    const raw = result.state;
    this._streak = raw === this._lastRaw ? this._streak + 1 : 1;
    this._lastRaw = raw;
    const held = ` (state held: ${raw} for ${this._streak} evaluation(s) in a row)`;
    if (raw !== 'stable') this._lastActive = result;
    if (this._state === 'leaking' && raw === 'growing') {
      result = { ...result, state: 'leaking' };
    } else if (this._state === 'stable' && raw === 'growing' && this._streak < o.enterGrowing) {
      result = { ...result, state: 'stable', slopeBytesPerHour: 0, reason: result.reason + held };
    } else if (this._state !== 'stable' && raw === 'stable' && this._streak < o.leaveAfter && this._lastActive !== null) {
      // Keep the slope and window that made the state, so the forecast stays meaningful while it is held.
      result = { ...this._lastActive, at: result.at, floorBytes: result.floorBytes, state: this._state, reason: this._lastActive.reason + held };
    }
    this._state = result.state;
    return result;
  }

  private _dropOlderThan(cutoff: number): void {
    const slotMs = this.options.slotMs;
    while (this._size > 0 && (this._slotIndex[this._head] as number) * slotMs < cutoff) {
      this._head = (this._head + 1) % this._capacity;
      this._size--;
    }
  }

  /** Index (0 = oldest) of the first slot starting at or after `at`; slots are in time order. */
  private _firstSlotAtOrAfter(at: number): number {
    const slotMs = this.options.slotMs;
    let lo = 0;
    let hi = this._size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this._slotIndex[(this._head + mid) % this._capacity] as number) * slotMs < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private _evaluateWindow(now: number, windowMs: number): WindowVerdict | null {
    const o = this.options;
    const B = o.buckets;
    const start = now - windowMs;
    const width = windowMs / B;
    const bx = this._bx;
    const by = this._by;
    by.fill(Infinity);
    const first = this._firstSlotAtOrAfter(start);
    for (let k = first; k < this._size; k++) {
      const pos = (this._head + k) % this._capacity;
      const t = (this._slotIndex[pos] as number) * o.slotMs;
      const v = this._slotMin[pos] as number;
      let b = Math.floor((t - start) / width);
      if (b >= B) b = B - 1;
      if (v < (by[b] as number)) by[b] = v;
    }
    // Compact the non-empty buckets to the front.
    let n = 0;
    let floorMin = Infinity;
    for (let b = 0; b < B; b++) {
      const v = by[b] as number;
      if (v === Infinity) continue;
      bx[n] = start + (b + 0.5) * width;
      by[n] = v;
      if (v < floorMin) floorMin = v;
      n++;
    }
    if (n < Math.ceil(B * 0.75)) return null;
    const mk = mannKendall(by, n);
    const slope = theilSenSlope(bx, by, n);
    const growth = slope * windowMs;
    const effect = Math.max(o.minGrowthBytes, o.minGrowthRatio * floorMin);
    const verdict: WindowVerdict = { state: 'stable', z: mk.z, confidence: mk.confidence, slopePerMs: slope, windowMs, reason: '', decelerating: false };
    const windowText = formatWindow(windowMs);
    if (mk.z < o.growingZ || slope <= 0) {
      verdict.reason = `no significant rise of the post-GC heap floor over ${windowText}`;
      return verdict;
    }
    if (growth < effect) {
      verdict.reason = `rise over ${windowText} (${formatMb(growth)}) below the ${formatMb(effect)} effect size`;
      return verdict;
    }
    verdict.state = 'growing';
    const half = n >> 1;
    const secondY = by.subarray(half, n);
    const secondX = bx.subarray(half, n);
    const firstSlope = theilSenSlope(bx, by, half);
    const secondSlope = theilSenSlope(secondX, secondY, n - half);
    verdict.decelerating = secondSlope < firstSlope / o.maxRateChange;
    if (mk.z < o.leakZ) {
      verdict.reason = `post-GC heap floor rising over ${windowText}, not yet significant for a leak`;
      return verdict;
    }
    if (windowMs < o.confirmWindowMs) {
      verdict.reason = `post-GC heap floor rising over ${windowText}; a leak is confirmed after ${formatWindow(o.confirmWindowMs)} of steady growth`;
      return verdict;
    }
    const firstHalf = mannKendall(by, half);
    const secondHalf = mannKendall(secondY, n - half);
    if (firstHalf.z < o.halfZ || secondHalf.z < o.halfZ || firstSlope < 0.25 * slope || secondSlope < 0.25 * slope) {
      verdict.reason = `post-GC heap floor rose over ${windowText} but not steadily (a step, or growth that stopped)`;
      return verdict;
    }
    // A leak at steady traffic grows at a steady rate; a floor that accelerates or
    // decelerates sharply is a load ramp or a bounded cache filling up.
    const ratio = secondSlope / firstSlope;
    if (ratio < o.maxRateChange ** -1 || ratio > o.maxRateChange) {
      verdict.reason = `post-GC heap floor rose over ${windowText} at a changing rate (x${ratio.toFixed(1)} between halves): a load ramp or a cache filling`;
      return verdict;
    }
    // The floors must hug the trend line: a leak's floor never falls far below it,
    // while a sawtooth's drops span about as much as the whole rise.
    const intercept = medianResidual(bx, by, n, slope);
    let lowest = Infinity;
    let highest = -Infinity;
    for (let i = 0; i < n; i++) {
      const r = (by[i] as number) - intercept - slope * (bx[i] as number);
      if (r < lowest) lowest = r;
      if (r > highest) highest = r;
    }
    if (highest - lowest >= growth) {
      verdict.reason = `post-GC heap floor rose over ${windowText} but swings around the trend by ${formatMb(highest - lowest)} (sawtooth or noise)`;
      return verdict;
    }
    // A leak holds on to memory: the latest floors are not far below the trend
    // line compared with the highest point above it. A traffic peak that has
    // passed leaves the floor well under the line it drew while rising.
    let peakResidual = -Infinity;
    for (let i = 0; i < n; i++) {
      const r = (by[i] as number) - slope * (bx[i] as number);
      if (r > peakResidual) peakResidual = r;
    }
    const recentResidual = Math.max((by[n - 1] as number) - slope * (bx[n - 1] as number), (by[n - 2] as number) - slope * (bx[n - 2] as number));
    const fallBack = peakResidual - recentResidual;
    // Leaks grow in steps too (a Map or array doubling its backing store), so a dip
    // of a small share of the window's growth is allowed whatever the noise.
    if (fallBack > Math.max(3 * differenceNoise(by, n) + slope * width, 0.15 * growth)) {
      verdict.reason = `post-GC heap floor rose over ${windowText} but has fallen ${formatMb(fallBack)} below its trend since`;
      return verdict;
    }
    const latest = Math.min(by[n - 1] as number, by[n - 2] as number);
    if (latest <= medianOf(by, n)) {
      verdict.reason = `post-GC heap floor rose over ${windowText} but has fallen back`;
      return verdict;
    }
    let olderMax = -Infinity;
    for (let k = 0; k < first; k++) {
      const v = this._slotMin[(this._head + k) % this._capacity] as number;
      if (v > olderMax) olderMax = v;
    }
    if (latest <= olderMax) {
      verdict.reason = `post-GC heap floor rising over ${windowText} but still below an earlier peak (sawtooth)`;
      return verdict;
    }
    verdict.state = 'leaking';
    verdict.reason = `post-GC heap floor rose steadily over ${windowText} (Mann-Kendall z=${mk.z.toFixed(1)})`;
    return verdict;
  }
}

/** Robust noise scale of a series from its first differences (the trend cancels out). */
function differenceNoise(ys: Float64Array, n: number): number {
  const diffs = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) diffs[i - 1] = (ys[i] as number) - (ys[i - 1] as number);
  const center = medianOf(diffs, n - 1);
  for (let i = 0; i < n - 1; i++) diffs[i] = Math.abs((diffs[i] as number) - center);
  // MAD -> sd for a normal, and / sqrt(2) because a difference holds two noise terms.
  return (1.4826 * medianOf(diffs, n - 1)) / Math.SQRT2;
}

function medianResidual(xs: Float64Array, ys: Float64Array, n: number, slope: number): number {
  const residuals = new Float64Array(n);
  for (let i = 0; i < n; i++) residuals[i] = (ys[i] as number) - slope * (xs[i] as number);
  return medianOf(residuals, n);
}

function medianOf(values: Float64Array, n: number): number {
  const sorted = values.slice(0, n).sort();
  return n % 2 === 1 ? (sorted[n >> 1] as number) : ((sorted[(n >> 1) - 1] as number) + (sorted[n >> 1] as number)) / 2;
}

function rank(v: WindowVerdict): number {
  return v.state === 'leaking' ? 2 : v.state === 'growing' ? 1 : 0;
}

export function formatMb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function formatWindow(ms: number): string {
  if (ms >= 2 * HOUR) return `${(ms / HOUR).toFixed(ms % HOUR === 0 ? 0 : 1)} h`;
  if (ms >= 120_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 1000)} s`;
}

/** "3.2 days", "5.0 h", "12 min": the unit a person would use. */
export function formatDuration(ms: number): string {
  if (ms >= 2 * 24 * HOUR) return `${(ms / (24 * HOUR)).toFixed(1)} days`;
  if (ms >= 2 * HOUR) return `${(ms / HOUR).toFixed(1)} h`;
  if (ms >= 120_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.max(0, Math.round(ms / 1000))} s`;
}
