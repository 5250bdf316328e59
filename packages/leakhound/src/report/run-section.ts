// The `leakhound run --html` report: the shared report page (findings, paths)
// plus a static section of our own with the memory timeline (post-GC heap per
// round, drawn as inline SVG like a CloudWatch graph) and pool stats over time.
// The section is plain markup, no script: it fits the page's CSP as is, and every
// string in it goes through escapeHtml.
import { escapeHtml, renderHtmlReport } from './html.js';
import type { HtmlReportInput, ReportFinding } from './html-model.js';
import type { RunResult } from '../run/types.js';
import { formatBytes } from '../run/verdict.js';
import { groupPoolLeaks } from '../run/render.js';

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 70, right: 20, top: 20, bottom: 40 };

/**
 * The post-GC heap per round, with the Theil-Sen trend (fitted against
 * requests, drawn at each round's request count). X is the round, so a service
 * that stopped answering (no requests) still gets a readable graph.
 */
export function memoryTimelineSvg(result: RunResult): string {
  const points = result.rounds.map((r) => ({ x: r.round, y: r.heapUsed, requests: r.cumulativeRequests }));
  if (points.length === 0) return '';
  const maxX = Math.max(1, ...points.map((p) => p.x));
  const minY = Math.min(...points.map((p) => p.y));
  const maxY = Math.max(minY + 1, ...points.map((p) => p.y));
  const spanY = maxY - minY;
  const lowY = Math.max(0, minY - spanY * 0.1);
  const highY = maxY + spanY * 0.1;
  const sx = (x: number): number => PAD.left + (x / maxX) * (WIDTH - PAD.left - PAD.right);
  const sy = (y: number): number => HEIGHT - PAD.bottom - ((y - lowY) / (highY - lowY)) * (HEIGHT - PAD.top - PAD.bottom);
  const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
  const dots = points.map((p) => `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3.5" fill="#1f77b4"><title>${escapeHtml(`round ${p.x}, ${p.requests} requests: ${formatBytes(p.y)}`)}</title></circle>`).join('');
  const first = points[0]!;
  // The trend through the median intercept of the fitted rounds, as Theil-Sen defines it.
  const slope = result.heap.bytesPerRequest;
  const fitted = points.filter((p) => p.x > 0);
  const intercepts = (fitted.length > 0 ? fitted : points).map((p) => p.y - slope * p.requests).sort((a, b) => a - b);
  const intercept = intercepts[intercepts.length >> 1] ?? first.y;
  const trendPoints = points.map((p) => `${sx(p.x).toFixed(1)},${sy(intercept + slope * p.requests).toFixed(1)}`).join(' ');
  const trend = `<polyline points="${trendPoints}" fill="none" stroke="#d62728" stroke-dasharray="5,4" stroke-width="1.5"/>`;
  const ticks = [lowY, (lowY + highY) / 2, highY]
    .map((v) => `<text x="${PAD.left - 6}" y="${sy(v).toFixed(1)}" text-anchor="end" font-size="11" dominant-baseline="middle">${escapeHtml(formatBytes(v))}</text>`)
    .join('');
  const axis = `<line x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}" stroke="#888"/><line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${HEIGHT - PAD.bottom}" stroke="#888"/>`;
  const xTicks = points.map((p) => `<text x="${sx(p.x).toFixed(1)}" y="${HEIGHT - PAD.bottom + 14}" text-anchor="middle" font-size="10">${p.x}</text>`).join('');
  const xLabel = `${xTicks}<text x="${(WIDTH / 2).toFixed(0)}" y="${HEIGHT - 8}" text-anchor="middle" font-size="11">round (0 = baseline after warm-up); dashed: trend ${escapeHtml(slope.toFixed(1))} B/request</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="post-GC heap per round">${axis}${ticks}${trend}<path d="${line}" fill="none" stroke="#1f77b4" stroke-width="2"/>${dots}${xLabel}</svg>`;
}

function table(head: string[], rows: string[][]): string {
  const th = head.map((h) => `<th style="text-align:left;padding:2px 10px">${escapeHtml(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td style="padding:2px 10px">${escapeHtml(cell)}</td>`).join('')}</tr>`).join('');
  return `<table style="border-collapse:collapse;font-size:13px"><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Static markup: verdict, memory timeline, rounds, pool stats over time, pool leaks, allocation sites. */
export function renderRunSection(result: RunResult): string {
  const color = result.verdict === 'leak' ? '#b00020' : result.verdict === 'clean' ? '#1b7f3b' : '#8a6d00';
  const parts: string[] = [];
  parts.push(`<section id="lh-run" style="font-family:system-ui,sans-serif;margin:16px;padding:12px;border:1px solid #ccc;border-radius:6px">`);
  parts.push(`<h2 style="margin-top:0">leakhound run: <span style="color:${color}">${escapeHtml(result.verdict.toUpperCase())}</span></h2>`);
  parts.push(`<ul>${result.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>`);
  parts.push(`<p>${escapeHtml(`${result.command.join(' ')} on ${result.target.origin}${result.target.paths.join(', ')}`)}</p>`);
  parts.push('<h3>Memory timeline (post-GC heap per round)</h3>', memoryTimelineSvg(result));
  parts.push(
    table(
      ['round', 'requests', 'req/s', 'errors', 'post-GC heap', 'RSS', 'p99 ms'],
      result.rounds.map((r) => [String(r.round), String(r.requests), r.requestsPerSec.toFixed(0), String(r.errors), formatBytes(r.heapUsed), formatBytes(r.rss), r.latencyP99Ms.toFixed(1)]),
    ),
  );
  const poolRows = result.rounds.flatMap((r) => r.pools.map((p) => [String(r.round), p.name, String(p.total), String(p.active), String(p.idle), String(p.waiting)]));
  if (poolRows.length > 0) parts.push('<h3>Pool stats over time</h3>', table(['round', 'pool', 'total', 'active', 'idle', 'waiting'], poolRows));
  if (result.pools.leaks.length > 0) {
    parts.push('<h3>Connections held past the leak threshold</h3>');
    const groups = groupPoolLeaks(result.pools.leaks).slice(0, 50);
    parts.push(`<ul>${groups.map((g) => `<li>${escapeHtml(g.headline)}, borrowed at:<pre style="margin:4px 0">${escapeHtml(g.frames.map((f) => `at ${f}`).join('\n'))}</pre></li>`).join('')}</ul>`);
  }
  if (result.allocationSites.length > 0) {
    parts.push('<h3>Allocation sites of live objects (sampling heap profile)</h3>');
    parts.push(table(['live bytes', 'function', 'location'], result.allocationSites.slice(0, 15).map((s) => [formatBytes(s.liveBytes), s.functionName, `${s.url}:${s.line}:${s.column}`])));
  }
  parts.push('</section>');
  return parts.join('\n');
}

function toReportFinding(finding: RunResult['findings'][number]): ReportFinding {
  return {
    title: finding.className,
    summary: finding.summary,
    bytes: finding.bytes,
    facts: [
      { label: 'kind', value: finding.kind },
      { label: 'count', value: String(finding.count) },
    ],
    path: finding.path,
    locations: finding.locations.map((location) => {
      const match = /^(.*):(\d+):(\d+)$/.exec(location);
      return match ? { label: 'source', url: match[1]!, line: Number(match[2]), column: Number(match[3]) } : { label: 'source', url: location, line: 0, column: 0 };
    }),
  };
}

export function renderRunHtml(result: RunResult): string {
  const input: HtmlReportInput = {
    kind: 'diff',
    title: `leakhound run: ${result.verdict}`,
    generatedAt: new Date().toISOString(),
    facts: [
      { label: 'verdict', value: result.verdict },
      { label: 'heap growth', value: `${result.heap.bytesPerRequest.toFixed(1)} B/request` },
      { label: 'rounds', value: String(result.rounds.length - 1) },
      { label: 'pool leaks', value: String(result.pools.leaks.length) },
    ],
    findings: result.findings.map(toReportFinding),
    histogram: [],
    tree: null,
    notes: ['The memory timeline, rounds and pool stats are in the leakhound run section at the top.'],
  };
  const page = renderHtmlReport(input);
  const at = page.indexOf('<body>');
  if (at < 0) return page;
  const insert = at + '<body>'.length;
  return `${page.slice(0, insert)}\n${renderRunSection(result)}${page.slice(insert)}`;
}
