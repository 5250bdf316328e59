// The verdict of `leakhound run` from all evidence: the heap trend over rounds,
// the snapshot diff findings and the agent's pool leak reports. A single
// before/after comparison is never enough on its own: heap noise, lazy
// compilation and caches that fill once would make it cry wolf.
import { trendTest } from './stats.js';
import type { HeapTrend, PoolLeak, RoundRecord, RunFinding, Verdict } from './types.js';

export interface VerdictInput {
  rounds: RoundRecord[];
  findings: RunFinding[];
  poolLeaks: PoolLeak[];
  thresholdBytesPerRequest: number;
  /** Significance level of the trend test. */
  alpha: number;
}

export interface VerdictOutput {
  verdict: Verdict;
  reasons: string[];
  heap: HeapTrend;
}

/** Load rounds needed for a trend: with 3, Mann-Kendall cannot go below p = 1/6. */
export const MIN_POINTS = 4;

export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  const sign = bytes < 0 ? '-' : '';
  if (abs >= 1024 * 1024) return `${sign}${(abs / (1024 * 1024)).toFixed(1)} MB`;
  if (abs >= 1024) return `${sign}${(abs / 1024).toFixed(1)} KB`;
  return `${sign}${Math.round(abs)} B`;
}

/**
 * The trend is fitted on the load rounds only (1..K): the step from the
 * baseline to round 1 still holds warm-up effects (optimized code lands in the
 * heap's code space, lazy initialisation), and a one-time step is not a leak.
 */
export function assessHeap(rounds: RoundRecord[], threshold: number, alpha: number): HeapTrend {
  const fitted = rounds.filter((r) => r.round > 0);
  const xs = fitted.map((r) => r.cumulativeRequests);
  const ys = fitted.map((r) => r.heapUsed);
  const trend = trendTest(xs, ys, 1 - alpha);
  const first = rounds[0];
  const last = rounds.at(-1);
  let assessment: HeapTrend['assessment'];
  if (fitted.length < MIN_POINTS || (last?.cumulativeRequests ?? 0) === 0) assessment = 'unclear';
  // Growing: a significant upward trend (Mann-Kendall) whose robust per-request slope reaches the threshold.
  else if (trend.pIncreasing < alpha && trend.slope >= threshold && trend.lower > 0) assessment = 'growing';
  // Flat: the slope is well under the threshold, or under it with no significant trend, or the whole interval is.
  else if (trend.slope < threshold / 2 || trend.upper < threshold || (trend.pIncreasing >= alpha && trend.slope < threshold)) assessment = 'flat';
  else assessment = 'unclear';
  return {
    assessment,
    bytesPerRequest: trend.slope,
    lower: trend.lower,
    upper: trend.upper,
    confidence: trend.confidence,
    pValue: trend.pIncreasing,
    tau: trend.tau,
    thresholdBytesPerRequest: threshold,
    totalGrowthBytes: first && last ? last.heapUsed - first.heapUsed : 0,
    points: fitted.length,
  };
}

function describeTrend(heap: HeapTrend): string {
  return (
    `post-GC heap ${heap.bytesPerRequest >= 0 ? 'grows' : 'changes'} ${heap.bytesPerRequest.toFixed(1)} B/request ` +
    `(${Math.round(heap.confidence * 100)}% CI ${heap.lower.toFixed(1)}..${heap.upper.toFixed(1)}, Mann-Kendall p=${heap.pValue.toPrecision(2)}, ` +
    `${formatBytes(heap.totalGrowthBytes)} over ${heap.points} rounds; threshold ${heap.thresholdBytesPerRequest} B/request)`
  );
}

export function decideVerdict(input: VerdictInput): VerdictOutput {
  const heap = assessHeap(input.rounds, input.thresholdBytesPerRequest, input.alpha);
  const reasons: string[] = [];
  const answered = input.rounds.reduce((sum, r) => sum + r.requests, 0);
  const failed = input.rounds.reduce((sum, r) => sum + r.errors, 0);

  if (input.poolLeaks.length > 0) {
    const routes = [...new Set(input.poolLeaks.map((l) => l.route).filter((r): r is string => r !== null))];
    reasons.push(
      `${input.poolLeaks.length} connection${input.poolLeaks.length === 1 ? '' : 's'} held past the leak threshold` +
        (routes.length > 0 ? ` by ${routes.join(', ')}` : '') +
        (input.poolLeaks[0]?.borrowedAt[0] ? `, borrowed at ${input.poolLeaks[0].borrowedAt[0]}` : ''),
    );
    if (heap.assessment === 'growing') reasons.push(describeTrend(heap));
    return { verdict: 'leak', reasons, heap };
  }

  if (heap.assessment === 'growing') {
    const top = input.findings[0];
    reasons.push(top ? `${describeTrend(heap)}; top finding: ${top.summary}` : `${describeTrend(heap)}; no single collection explains it (see the allocation sites)`);
    return { verdict: 'leak', reasons, heap };
  }

  if (answered === 0) {
    reasons.push(`the service answered none of the load requests (${failed} errors/timeouts): check --url and the service log`);
    return { verdict: 'inconclusive', reasons, heap };
  }
  if (heap.points < MIN_POINTS) {
    reasons.push(`too few rounds to test a trend (${heap.points}; need at least ${MIN_POINTS})`);
    return { verdict: 'inconclusive', reasons, heap };
  }
  if (failed > answered) {
    reasons.push(`most load requests failed (${failed} errors/timeouts, ${answered} answered): the measurement does not represent the service`);
    return { verdict: 'inconclusive', reasons, heap };
  }
  if (heap.assessment === 'flat') {
    reasons.push(describeTrend(heap));
    if (input.findings.length > 0) reasons.push(`${input.findings.length} snapshot diff finding(s) ignored: their growth is below the per-request threshold`);
    return { verdict: 'clean', reasons, heap };
  }
  reasons.push(`heap too noisy to decide: ${describeTrend(heap)}; run more rounds or more requests per round`);
  return { verdict: 'inconclusive', reasons, heap };
}
