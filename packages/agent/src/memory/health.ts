// Health verdict an orchestrator can act on: "degraded" before the process dies,
// so it can be drained and recycled instead of being killed mid-request.
import type { MemoryReport } from './watch.js';
import { formatDuration } from './trend.js';

export interface HealthOptions {
  /** Degraded when the forecast time to the limit is below this (ms). Default 6 h. */
  degradedWithinMs: number;
  /** Degraded when the post-GC heap (or RSS vs the cgroup limit) passes this share of the limit. Default 0.9. */
  degradedHeapShare: number;
}

export const DEFAULT_HEALTH_OPTIONS: Readonly<HealthOptions> = Object.freeze({ degradedWithinMs: 6 * 3_600_000, degradedHeapShare: 0.9 });

export interface AgentHealth {
  status: 'ok' | 'degraded';
  reasons: string[];
  memory: MemoryReport | null;
}

export function memoryHealth(report: MemoryReport | null, options: HealthOptions): AgentHealth {
  const reasons: string[] = [];
  if (report !== null) {
    const ttl = report.timeToLimitMs;
    if (report.state !== 'stable' && ttl !== null && ttl < options.degradedWithinMs) {
      reasons.push(`memory ${report.state}: ${report.limitSource} limit reached in ~${formatDuration(ttl)} (threshold ${formatDuration(options.degradedWithinMs)})`);
    }
    if (report.postGcHeapBytes !== null && report.postGcHeapBytes >= options.degradedHeapShare * report.heapLimitBytes) {
      reasons.push(`post-GC heap at ${Math.round((100 * report.postGcHeapBytes) / report.heapLimitBytes)}% of the V8 heap limit`);
    }
    if (report.cgroupLimitBytes !== null && report.rssBytes >= options.degradedHeapShare * report.cgroupLimitBytes) {
      reasons.push(`RSS at ${Math.round((100 * report.rssBytes) / report.cgroupLimitBytes)}% of the cgroup memory limit`);
    }
  }
  return { status: reasons.length === 0 ? 'ok' : 'degraded', reasons, memory: report };
}
