// The terminal verdict of `leakhound run`: the headline, why, and the top
// findings with what a person needs to fix the leak (culprit, retainer path,
// source location, the borrower's stack for connections).
import { formatBytes } from './verdict.js';
import type { RunResult } from './types.js';

const TOP_FINDINGS = 3;
const TOP_SITES = 3;
const TOP_POOL_LEAKS = 3;

/** Locations and stack frames relative to the working directory, where they are under it. */
function shortUrl(text: string): string {
  const cwd = process.cwd() + '/';
  return text.split(`file://${cwd}`).join('').split(cwd).join('');
}

export function renderPath(steps: RunResult['findings'][number]['path']): string {
  return steps
    .map((step, i) => {
      const edge = i === 0 ? '' : step.edgeType === 'element' ? `[${step.edgeName}] -> ` : `.${step.edgeName} -> `;
      return `${edge}${step.className}`;
    })
    .join(' ');
}

export function renderVerdict(result: RunResult): string {
  const lines: string[] = [];
  const headline = { leak: 'LEAK', clean: 'CLEAN', inconclusive: 'INCONCLUSIVE' }[result.verdict];
  lines.push(`leakhound run: ${headline}`);
  for (const reason of result.reasons) lines.push(`  ${reason}`);

  const heapLine = result.rounds.map((r) => formatBytes(r.heapUsed)).join(' -> ');
  lines.push('', `post-GC heap per round: ${heapLine}`);
  const total = result.rounds.reduce((sum, r) => sum + r.requests, 0);
  lines.push(`requests: ${total} in ${result.rounds.length - 1} rounds against ${result.target.origin}${result.target.paths.join(', ')}`);

  if (result.findings.length > 0) {
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
    for (const leak of result.pools.leaks.slice(0, TOP_POOL_LEAKS)) {
      lines.push(`  ${leak.message}`);
      for (const frame of leak.borrowedAt.slice(0, 4)) lines.push(`      at ${shortUrl(frame)}`);
    }
    if (result.pools.leaks.length > TOP_POOL_LEAKS) lines.push(`  ... ${result.pools.leaks.length - TOP_POOL_LEAKS} more`);
  }
  return lines.join('\n');
}
