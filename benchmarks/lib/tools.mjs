// What the benchmarks run: the snapshots (generated on demand, cached in
// benchmarks/.data) and the command line of each tool.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(benchDir, '..');

/**
 * The benchmarked command of each tool, relative to the repository root.
 * `file` is one path, or the list of series files for the diff tools.
 */
export function toolCommand(tool, file, heapMb) {
  const node = ['node', `--max-old-space-size=${heapMb}`];
  const files = Array.isArray(file) ? file : [file];
  if (tool === 'leakhound-diff') return [...node, 'packages/leakhound/bin/leakhound.js', 'diff', ...files, '--json'];
  if (tool === 'memlab-find-leaks') {
    const [baseline = '', target = '', final = ''] = files;
    return [...node, 'benchmarks/node_modules/@memlab/cli/bin/memlab.js', 'find-leaks', '--baseline', baseline, '--target', target, '--final', final];
  }
  if (tool === 'leakhound') return [...node, 'packages/leakhound/bin/leakhound.js', 'analyze', file, '--json'];
  if (tool === 'memlab') return [...node, 'benchmarks/node_modules/@memlab/cli/bin/memlab.js', 'analyze', 'object-size', '--snapshot', file];
  return [...node, 'benchmarks/devtools-load.mjs', file];
}

export function ensureSnapshot(scale, series = 1) {
  const name = series > 1 ? `${scale}-series` : scale;
  const files = series > 1
    ? Array.from({ length: series }, (_, i) => join(benchDir, '.data', `${name}-${i + 1}.heapsnapshot`))
    : [join(benchDir, '.data', `${name}.heapsnapshot`)];
  if (files.every((f) => existsSync(f) && existsSync(`${f}.json`))) return files;
  console.error(`heap-bench: generating the ${name} snapshot(s) first`);
  const args = [join(benchDir, 'generate-snapshot.mjs'), '--scale', scale];
  if (series > 1) args.push('--series', String(series));
  const run = spawnSync(process.execPath, args, { stdio: 'inherit', timeout: 45 * 60_000 });
  if (run.status !== 0) throw new Error(`generating ${name} failed`);
  return files;
}

