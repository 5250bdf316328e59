// Reads the agent's pool report (`describeMonitoredPools()` in the agent: one
// entry per monitored pool with stats and current holders) defensively: it
// crosses a process boundary as JSON, so nothing is assumed about its shape.
import type { PoolLeak, PoolSample } from './types.js';

interface RawHolder {
  connectionId?: unknown;
  heldMs?: unknown;
  context?: unknown;
  frame?: unknown;
  stack?: unknown;
  leaked?: unknown;
}

interface RawPool {
  name?: unknown;
  stats?: { total?: unknown; active?: unknown; idle?: unknown; waiting?: unknown };
  holders?: unknown;
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

export function readPoolReport(raw: unknown): { samples: PoolSample[]; leaks: PoolLeak[] } {
  const samples: PoolSample[] = [];
  const leaks: PoolLeak[] = [];
  if (!Array.isArray(raw)) return { samples, leaks };
  for (const item of raw.slice(0, 100) as RawPool[]) {
    if (typeof item !== 'object' || item === null) continue;
    const name = str(item.name) ?? 'pool';
    const stats = item.stats ?? {};
    samples.push({ name, total: num(stats.total), active: num(stats.active), idle: num(stats.idle), waiting: num(stats.waiting) });
    const holders = Array.isArray(item.holders) ? (item.holders as RawHolder[]) : [];
    for (const holder of holders.slice(0, 1000)) {
      if (holder?.leaked !== true) continue;
      // Frames arrive as V8 prints them ("at leakyStats (file:///srv/stats.ts:21:30)"); the renderers add their own "at".
      const stack = Array.isArray(holder.stack) ? holder.stack.filter((f): f is string => typeof f === 'string').slice(0, 20).map((f) => f.replace(/^at /, '')) : [];
      const frame = str(holder.frame);
      const borrowedAt = stack.length > 0 ? stack : frame ? [frame] : [];
      const route = str(holder.context);
      const heldMs = num(holder.heldMs);
      const connection = `#${num(holder.connectionId)}`;
      leaks.push({
        pool: name,
        connection,
        heldMs,
        route,
        borrowedAt,
        message: `pool "${name}" connection ${connection} held ${Math.round(heldMs)} ms${route ? ` by ${route}` : ''}${borrowedAt[0] ? `, borrowed at ${borrowedAt[0]}` : ''}`,
      });
    }
  }
  return { samples, leaks };
}
