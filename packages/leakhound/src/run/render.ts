// The terminal verdict of `leakhound run`: the headline, why, and the top
// findings with what a person needs to fix the leak (culprit, retainer path,
// source location, the borrower's stack for connections).
import { formatBytes } from './verdict.js';
import type { PoolLeak, RunResult } from './types.js';

const TOP_FINDINGS = 3;
const TOP_SITES = 3;
const TOP_POOL_LEAKS = 3;

/** Locations and stack frames relative to the working directory, where they are under it. */
function shortUrl(text: string): string {
  const cwd = process.cwd() + '/';
  return text.split(`file://${cwd}`).join('').split(cwd).join('');
}

function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** The agent's own frames (request-context wrappers) say nothing about the user's bug. */
function isAgentFrame(frame: string): boolean {
  return frame.includes('/packages/agent/') || frame.includes('/@leakhound/agent/');
}

const PATH_TAIL = 7;

/** The last steps of a retainer path (the whole one is in --json / --html): `... -> Map .table -> (array) [12] -> TypeMap`. */
export interface PoolLeakGroup {
  headline: string;
  /** The borrower's stack without the agent's own frames. */
  frames: string[];
  leaks: PoolLeak[];
}

/** One entry per pool, route and borrowing frame: five leaks from one line of code are one bug. */
export function groupPoolLeaks(all: PoolLeak[]): PoolLeakGroup[] {
  const groups = new Map<string, PoolLeak[]>();
  for (const leak of all) {
    const key = `${leak.pool}|${leak.route ?? ''}|${leak.borrowedAt[0] ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), leak]);
  }
  return [...groups.values()].map((leaks) => {
    const first = leaks[0]!;
    const held = leaks.map((l) => l.heldMs);
    const connections = leaks.map((l) => l.connection).join(', ');
    const headline =
      `pool "${first.pool}": ${leaks.length} connection${leaks.length === 1 ? '' : 's'} (${connections}) held ${formatMs(Math.min(...held))}..${formatMs(Math.max(...held))}` +
      (first.route ? ` by ${first.route}` : '');
    return { headline, frames: first.borrowedAt.filter((f) => !isAgentFrame(f)), leaks };
  });
}

export function renderPath(steps: RunResult['findings'][number]['path']): string {
  const shown = steps.slice(-PATH_TAIL);
  const text = shown
    .map((step, i) => {
      const index = step.edgeName.startsWith('[') ? step.edgeName : /^\d+$/.test(step.edgeName) ? `[${step.edgeName}]` : null;
      const edge = i === 0 ? '' : index ? ` ${index} -> ` : ` .${step.edgeName} -> `;
      return `${edge}${step.className}`;
    })
    .join('');
  return steps.length > shown.length ? `... ${text}` : text;
}

export function renderVerdict(result: RunResult): string {
  const lines: string[] = [];
  const headline = { leak: 'LEAK', clean: 'CLEAN', inconclusive: 'INCONCLUSIVE' }[result.verdict];
  lines.push(`leakhound run: ${headline}`);
  for (const reason of result.reasons) lines.push(`  ${reason}`);

  const heapLine = result.rounds.map((r) => formatBytes(r.heapUsed)).join(' -> ');
  lines.push('', `post-GC heap per round: ${heapLine}`);
  const total = result.rounds.reduce((sum, r) => sum + r.requests, 0);
  const failed = result.rounds.reduce((sum, r) => sum + r.errors, 0);
  const non2xx = result.rounds.reduce((sum, r) => sum + r.non2xx, 0);
  const problems = [failed > 0 ? `${failed} failed or timed out` : '', non2xx > 0 ? `${non2xx} non-2xx` : ''].filter(Boolean).join(', ');
  lines.push(`requests: ${total} answered${problems ? ` (${problems})` : ''} in ${result.rounds.length - 1} rounds against ${result.target.origin}${result.target.paths.join(', ')}`);

  // On a clean verdict the findings were below the threshold: listed in --json / --html only.
  if (result.findings.length > 0 && result.verdict !== 'clean') {
    lines.push('', 'What grew (snapshot diff):');
    result.findings.slice(0, TOP_FINDINGS).forEach((finding, i) => {
      lines.push(`  ${i + 1}. ${finding.summary}`);
      if (finding.path.length > 0) lines.push(`     path: ${renderPath(finding.path)}`);
      for (const location of finding.locations.slice(0, 3)) lines.push(`     at ${shortUrl(location)}`);
    });
    if (result.findings.length > TOP_FINDINGS) lines.push(`  ... ${result.findings.length - TOP_FINDINGS} more in --json / --html`);
  }

  const sites = result.allocationSites.slice(0, TOP_SITES);
  if (sites.length > 0 && result.verdict !== 'clean') {
    lines.push('', 'Where the surviving objects were allocated (sampling heap profile):');
    for (const site of sites) {
      const caller = site.stack[0] ? ` <- ${site.stack[0].functionName} (${shortUrl(site.stack[0].url)}:${site.stack[0].line})` : '';
      lines.push(`  ${formatBytes(site.liveBytes).padStart(9)}  ${site.functionName} ${shortUrl(site.url)}:${site.line}:${site.column}${caller}`);
    }
  }

  if (result.pools.leaks.length > 0) {
    lines.push('', 'Connections held past the leak threshold:');
    const groups = groupPoolLeaks(result.pools.leaks);
    for (const group of groups.slice(0, TOP_POOL_LEAKS)) {
      lines.push(`  ${group.headline}, borrowed at:`);
      for (const frame of group.frames.slice(0, 4)) lines.push(`      at ${shortUrl(frame)}`);
    }
    if (groups.length > TOP_POOL_LEAKS) lines.push(`  ... ${groups.length - TOP_POOL_LEAKS} more borrowing sites in --json / --html`);
  }
  return lines.join('\n');
}
