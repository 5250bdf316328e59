// Trend statistics over the rounds of `leakhound run`: post-GC heap (y) against
// cumulative requests (x). Theil-Sen is robust to the one noisy round a single
// before/after comparison would be fooled by; Mann-Kendall says whether the
// upward trend is more than chance.

export interface TrendTest {
  /** Theil-Sen slope, y units per x unit (bytes per request). */
  slope: number;
  /** Sen's confidence interval for the slope at `confidence`. */
  lower: number;
  upper: number;
  confidence: number;
  /** Mann-Kendall S statistic (concordant minus discordant pairs). */
  s: number;
  /** One-sided p-value for an increasing trend. */
  pIncreasing: number;
  /** Kendall's tau in [-1, 1]. */
  tau: number;
  n: number;
}

function median(sorted: Float64Array | number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 through erf; error < 1.5e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.SQRT2);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Quantile of the standard normal by bisection on `normalCdf`: only called a few times. */
export function normalQuantile(p: number): number {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Exact P(S >= s) for Mann-Kendall without ties: S = pairs - 2 * inversions, and
 * the number of permutations of n with k inversions (Mahonian numbers) follows
 * from a small dynamic program. Exact for the handful of rounds a run has.
 */
function exactUpperTail(n: number, s: number): number {
  const pairs = (n * (n - 1)) / 2;
  let counts = new Float64Array(pairs + 1);
  counts[0] = 1;
  for (let m = 2; m <= n; m++) {
    const next = new Float64Array(pairs + 1);
    const maxK = (m * (m - 1)) / 2;
    for (let k = 0; k <= maxK; k++) {
      let sum = 0;
      for (let j = 0; j < m && j <= k; j++) sum += counts[k - j]!;
      next[k] = sum;
    }
    counts = next;
  }
  let total = 0;
  let tail = 0;
  for (let k = 0; k <= pairs; k++) {
    total += counts[k]!;
    if (pairs - 2 * k >= s) tail += counts[k]!;
  }
  return tail / total;
}

export function trendTest(xs: readonly number[], ys: readonly number[], confidence = 0.95): TrendTest {
  const n = Math.min(xs.length, ys.length);
  const slopes: number[] = [];
  let s = 0;
  let ties = false;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dy = ys[j]! - ys[i]!;
      const dx = xs[j]! - xs[i]!;
      if (dx !== 0) slopes.push(dy / dx);
      s += Math.sign(dy) * (dx === 0 ? 0 : Math.sign(dx));
      if (dy === 0) ties = true;
    }
  }
  const sorted = Float64Array.from(slopes).sort();
  const slope = median(sorted);
  const variance = (n * (n - 1) * (2 * n + 5)) / 18;
  let pIncreasing: number;
  if (n < 3) pIncreasing = 1;
  else if (!ties && n <= 40) pIncreasing = exactUpperTail(n, s);
  else pIncreasing = 1 - normalCdf((s - 1) / Math.sqrt(variance));
  // Sen's interval: ranks of the pairwise slopes around the median, from Var(S).
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const c = z * Math.sqrt(variance);
  const count = sorted.length;
  const lowerRank = Math.max(0, Math.floor((count - c) / 2));
  const upperRank = Math.min(count - 1, Math.ceil((count + c) / 2));
  const pairs = (n * (n - 1)) / 2;
  return {
    slope,
    lower: count > 0 ? sorted[lowerRank]! : 0,
    upper: count > 0 ? sorted[upperRank]! : 0,
    confidence,
    s,
    pIncreasing,
    tau: pairs > 0 ? s / pairs : 0,
    n,
  };
}
