// The result of `leakhound run`: what `--json` writes (schema "leakhound-run/1",
// documented in docs/run.md) and what the terminal and HTML renderers read.
import type { AllocationSite } from '@leakhound/agent';
import type { ReportPathStep } from '../report/html-model.js';

export type Verdict = 'leak' | 'clean' | 'inconclusive';
export type HeapAssessment = 'growing' | 'flat' | 'unclear';

export interface RoundRecord {
  /** 0 is the baseline after warm-up; 1..K are the load rounds. */
  round: number;
  requests: number;
  cumulativeRequests: number;
  /** Failed requests, timeouts included (autocannon's count). */
  errors: number;
  /** The timeouts among `errors`. */
  timeouts: number;
  non2xx: number;
  durationSec: number;
  requestsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Stopped by the per-round time cap before its request count. */
  capped: boolean;
  /**
   * Post-GC V8 heap in use, bytes, without the code spaces (JIT machine code
   * grows during warm-up and is not a leak): the value the trend is fitted on.
   */
  heapUsed: number;
  /** Post-GC code spaces, bytes. */
  codeSpace: number;
  heapTotal: number;
  rss: number;
  external: number;
  arrayBuffers: number;
  /** Pool stats sampled after the round (one entry per monitored pool). */
  pools: PoolSample[];
  at: string;
}

export interface PoolSample {
  name: string;
  total: number;
  active: number;
  idle: number;
  waiting: number;
}

export interface HeapTrend {
  assessment: HeapAssessment;
  /** Theil-Sen slope of post-GC heap against requests. */
  bytesPerRequest: number;
  lower: number;
  upper: number;
  confidence: number;
  /** One-sided Mann-Kendall p-value for an increasing trend. */
  pValue: number;
  tau: number;
  thresholdBytesPerRequest: number;
  /** Last round minus baseline, bytes. */
  totalGrowthBytes: number;
  points: number;
}

/** One step of a finding's retainer path, as the HTML report shows it (ids from the final snapshot). */
export type RunPathStep = ReportPathStep;

export interface RunFinding {
  summary: string;
  kind: string;
  className: string;
  /** Bytes this finding is ranked by (retained growth). */
  bytes: number;
  count: number;
  path: RunPathStep[];
  locations: string[];
}

export interface PoolLeak {
  pool: string;
  connection: string;
  heldMs: number;
  route: string | null;
  borrowedAt: string[];
  message: string;
}

export interface RunTimings {
  startupMs: number;
  warmupMs: number;
  loadMs: number;
  gcMs: number;
  snapshotMs: number;
  analysisMs: number;
  totalMs: number;
}

export interface RunResult {
  schema: 'leakhound-run/1';
  verdict: Verdict;
  /** Why, in sentences; the first one is the headline. */
  reasons: string[];
  command: string[];
  target: { origin: string; paths: string[]; port: number; pid: number };
  rounds: RoundRecord[];
  heap: HeapTrend;
  findings: RunFinding[];
  allocationSites: AllocationSite[];
  pools: { available: boolean; leaks: PoolLeak[]; raw: unknown };
  snapshots: { baseline: string | null; target: string | null; final: string | null; kept: boolean };
  timings: RunTimings;
  startedAt: string;
  leakhoundVersion: string;
}
