// The exact texts the pool monitor logs (documented in docs/pools.md).
import type { HolderInfo, PoolStats } from './types.js';

export function formatStats(stats: PoolStats): string {
  return `(total=${stats.total}, active=${stats.active}, idle=${stats.idle}, waiting=${stats.waiting})`;
}

/** `coupons - Pool stats (total=5, active=5, idle=0, waiting=3)`, HikariCP's housekeeping line. */
export function statsLine(pool: string, stats: PoolStats): string {
  return `${pool} - Pool stats ${formatStats(stats)}`;
}

export function leakLine(pool: string, connectionId: number, heldMs: number, context: string | undefined, frames: readonly string[], noFramesReason: string): string {
  const by = context === undefined ? '' : ` by ${context}`;
  const where = frames.length > 0 ? `, borrowed at:\n    ${frames.join('\n    ')}` : ` (${noFramesReason})`;
  return `Connection leak detection triggered for pool "${pool}" connection #${connectionId}, held ${Math.round(heldMs)} ms${by}${where}`;
}

export function unleakLine(pool: string, connectionId: number, heldMs: number): string {
  return `Previously reported leaked connection #${connectionId} of pool "${pool}" was returned after ${Math.round(heldMs)} ms`;
}

export type ExhaustionReason = 'slow-acquire' | 'timeout';

// An exhausted pool can have hundreds of holders; the oldest are the likely culprits.
const MAX_LOGGED_HOLDERS = 20;
const MAX_ERROR_HOLDERS = 5;

/** Multi-line log text: what happened, the stats, then one line per holder, oldest first. */
export function exhaustionLines(pool: string, reason: ExhaustionReason, waitedMs: number, stats: PoolStats, holders: readonly HolderInfo[], errorMessage?: string): string {
  const what =
    reason === 'timeout'
      ? `could not lend a connection: ${errorMessage ?? 'acquire failed'} after ${Math.round(waitedMs)} ms`
      : `a borrower has waited ${Math.round(waitedMs)} ms for a connection`;
  const head = `Pool "${pool}" exhausted: ${what} ${formatStats(stats)}`;
  if (holders.length === 0) return `${head}; no tracked holders`;
  const lines = holders.slice(0, MAX_LOGGED_HOLDERS).map((h) => `    ${holderText(h)}`);
  if (holders.length > MAX_LOGGED_HOLDERS) lines.push(`    ... and ${holders.length - MAX_LOGGED_HOLDERS} more (monitor.holders() has them all)`);
  return `${head}; holders, oldest first:\n${lines.join('\n')}`;
}

/** The same on one line, appended to the pool's own error message. */
export function exhaustionSuffix(pool: string, stats: PoolStats, holders: readonly HolderInfo[]): string {
  const more = holders.length > MAX_ERROR_HOLDERS ? `; ${holders.length - MAX_ERROR_HOLDERS} more` : '';
  const list = holders.length === 0 ? 'no tracked holders' : `holders, oldest first: ${holders.slice(0, MAX_ERROR_HOLDERS).map(holderText).join('; ')}${more}`;
  return `[leakhound: pool "${pool}" ${formatStats(stats)}; ${list}]`;
}

function holderText(holder: HolderInfo): string {
  const by = holder.context === undefined ? '' : ` by ${holder.context}`;
  const at = holder.frame === undefined ? '' : ` at ${holder.frame}`;
  return `#${holder.connectionId} held ${holder.heldMs} ms${by}${at}`;
}
