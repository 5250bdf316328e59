// Services run through tsx, ts-node or a bundler execute generated code: a
// location like device-price.ts:1:598 is useless. Node keeps the source maps
// of loaded modules when source maps are enabled (tsx enables them), so the
// agent can translate a generated position into the one the developer wrote.
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface CodeLocation {
  url: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** The original position of a generated 1-based location, or the input when there is no map. */
export function originalLocation(location: CodeLocation): CodeLocation {
  try {
    const map = lookup(location.url);
    if (!map) return location;
    const entry = map.findEntry(location.line - 1, location.column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) return location;
    return { url: entry.originalSource, line: entry.originalLine + 1, column: entry.originalColumn + 1 };
  } catch {
    return location;
  }
}

function lookup(url: string): ReturnType<typeof findSourceMap> {
  if (url === '' || url.startsWith('node:')) return undefined;
  // ESM modules are keyed by URL, CommonJS ones by path.
  const byUrl = findSourceMap(url);
  if (byUrl) return byUrl;
  if (url.startsWith('file:')) return findSourceMap(fileURLToPath(url));
  return undefined;
}
