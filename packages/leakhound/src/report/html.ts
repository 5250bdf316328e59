// One self-contained HTML file: no network, no external file. The data rides
// in a <script type="application/json"> block, escaped so no snapshot string
// can close it, and the inline script renders it with textContent only. The
// CSP allows exactly that script (by hash) and inline styles, nothing else.
import { createHash } from 'node:crypto';
import { CLIENT_CSS, CLIENT_JS } from './html-client.js';
import type { HtmlReportInput } from './html-model.js';

export type { HtmlReportInput } from './html-model.js';

/**
 * JSON that is safe inside a script element and in any HTML parser state:
 * `<`, `>` and `&` become \u escapes (so `</script>` and `<!--` cannot
 * appear) and U+2028/2029 are escaped for old JS parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** For the few strings written into markup by the server side (the title). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function scriptHash(script: string): string {
  return `sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}`;
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const csp = `default-src 'none'; script-src '${scriptHash(CLIENT_JS)}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(input.title)}</title>`,
    `<style>${CLIENT_CSS}</style>`,
    '</head>',
    '<body>',
    '<noscript>This report needs JavaScript to render its data (it runs locally, nothing is fetched).</noscript>',
    `<script type="application/json" id="lh-data">${jsonForScript(input)}</script>`,
    `<script>${CLIENT_JS}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
