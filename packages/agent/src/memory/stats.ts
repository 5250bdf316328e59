// Robust trend statistics for short series (a few dozen points): Theil-Sen slope
// and the Mann-Kendall trend test with tie correction. O(n^2) on purpose: n is the
// number of buckets (24 by default), never the number of raw samples.

/** Median of pairwise slopes; robust to up to ~29% outliers, unlike least squares. */
// Scratch space reused across calls: evaluations run once a minute in the agent,
// but tens of thousands of times when the test corpus is replayed.
let scratch = new Float64Array(512);

function scratchOf(size: number): Float64Array {
  if (scratch.length < size) scratch = new Float64Array(size);
  return scratch;
}

/** Median of pairwise slopes; robust to up to ~29% outliers, unlike least squares. */
export function theilSenSlope(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number): number {
  const slopes = scratchOf((n * (n - 1)) / 2);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const xi = xs[i] as number;
    const yi = ys[i] as number;
    for (let j = i + 1; j < n; j++) {
      const dx = (xs[j] as number) - xi;
      if (dx !== 0) slopes[count++] = ((ys[j] as number) - yi) / dx;
    }
  }
  if (count === 0) return 0;
  const sorted = slopes.subarray(0, count).sort();
  const mid = count >> 1;
  return count % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface MannKendall {
  /** Kendall's S: concordant minus discordant pairs. */
  s: number;
  /** Normal approximation with continuity and tie correction; positive = increasing. */
  z: number;
  /** One-sided confidence that the series increases, Phi(z). */
  confidence: number;
}

/** Mann-Kendall test of a series ordered in time (ys[0] oldest). */
export function mannKendall(ys: ArrayLike<number>, n: number): MannKendall {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const yi = ys[i] as number;
    for (let j = i + 1; j < n; j++) {
      const d = (ys[j] as number) - yi;
      if (d > 0) s++;
      else if (d < 0) s--;
    }
  }
  // Tie correction: post-GC floors of an idle heap repeat exactly, which would
  // otherwise inflate the variance estimate's trust in small differences.
  const sorted = scratchOf(n).subarray(0, n);
  for (let i = 0; i < n; i++) sorted[i] = ys[i] as number;
  sorted.sort();
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    const t = j - i;
    if (t > 1) tieTerm += t * (t - 1) * (2 * t + 5);
    i = j;
  }
  const variance = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  let z = 0;
  if (variance > 0) {
    if (s > 0) z = (s - 1) / Math.sqrt(variance);
    else if (s < 0) z = (s + 1) / Math.sqrt(variance);
  }
  return { s, z, confidence: normalCdf(z) };
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}
