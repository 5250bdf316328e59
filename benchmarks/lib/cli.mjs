// The small pieces the pool benchmark scripts share: `--name value` options, the median, the agent build, child slices.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The value after `--name` on the command line, or `fallback`. */
export function option(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** URL of the agent's built entry: this checkout's, or the one under `dir` (a checkout of another commit, built). */
export function agentEntry(dir) {
  const root = dir === undefined ? new URL('../../', import.meta.url) : pathToFileURL(`${resolve(dir)}/`);
  return new URL('packages/agent/dist/index.js', root).href;
}

/**
 * Runs `script` (this same benchmark in its one-slice child mode) in a fresh Node process with `args`,
 * forwarding `--agent` when given, and returns the JSON the child printed.
 */
export async function sliceInChild(script, args, timeoutMs) {
  const agent = option('agent', undefined);
  const all = [script, ...args, ...(agent === undefined ? [] : ['--agent', agent])];
  const { stdout } = await promisify(execFile)(process.execPath, all, { timeout: timeoutMs });
  return JSON.parse(stdout);
}
