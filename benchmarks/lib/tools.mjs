// What the benchmarks run: the snapshots (generated on demand, cached in
// benchmarks/.data) and the command line of each tool.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killRunning } from './measure.mjs';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(benchDir, '..');
export const LEAKHOUND_BIN = 'packages/leakhound/bin/leakhound.js';

/**
 * Builds leakhound as committed at `rev` in a temporary export (git archive +
 * tsc -b, the repository's node_modules linked in), so a benchmark measures a
 * known commit and not a working tree that others are editing and rebuilding
 * meanwhile. Returns the bin path, the resolved commit and a cleanup function.
 */
export function buildLeakhoundAt(rev) {
  const commit = spawnSync('git', ['rev-parse', '--short', rev], { cwd: repoRoot, encoding: 'utf8' }).stdout.trim();
  if (!commit) throw new Error(`unknown git revision ${rev}`);
  const dir = mkdtempSync(join(tmpdir(), 'lh-bench-build-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const archive = spawnSync('sh', ['-c', `git archive ${commit} | tar -x -C "${dir}"`], { cwd: repoRoot, encoding: 'utf8' });
    if (archive.status !== 0) throw new Error(`git archive failed: ${archive.stderr}`);
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    const tsc = spawnSync(join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-b', 'packages/agent', 'packages/leakhound'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
    if (tsc.status !== 0) throw new Error(`building ${commit} failed: ${(tsc.stdout + tsc.stderr).trim().split('\n').slice(0, 3).join(' | ')}`);
  } catch (err) {
    cleanup();
    throw err;
  }
  return { bin: join(dir, LEAKHOUND_BIN), commit, dir, cleanup };
}

/**
 * Runs `fn(build)` with leakhound built at `rev` (see buildLeakhoundAt), or with
 * the working tree's build when `rev` is null (`build` is then null). The
 * temporary build is removed on every exit path, Ctrl-C and kill included.
 */
export async function withLeakhound(rev, label, fn) {
  const build = rev ? buildLeakhoundAt(rev) : null;
  if (build) console.error(`${label}: leakhound built from commit ${build.commit} in ${build.dir}`);
  else if (!existsSync(join(repoRoot, 'packages/leakhound/dist/cli/main.js'))) {
    throw new Error('leakhound is not built: run `npm run build` at the repository root');
  }
  const onSignal = () => { killRunning(); build?.cleanup(); process.exit(130); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn(build);
  } finally {
    build?.cleanup();
  }
}

/**
 * The benchmarked command of each tool, relative to the repository root.
 * `file` is one path, or the list of series files for the diff tools.
 */
export function toolCommand(tool, file, heapMb, leakhoundBin = LEAKHOUND_BIN) {
  const node = ['node', `--max-old-space-size=${heapMb}`];
  const files = Array.isArray(file) ? file : [file];
  if (tool === 'leakhound-diff') return [...node, leakhoundBin, 'diff', ...files, '--json'];
  if (tool === 'memlab-find-leaks') {
    const [baseline = '', target = '', final = ''] = files;
    return [...node, 'benchmarks/node_modules/@memlab/cli/bin/memlab.js', 'find-leaks', '--baseline', baseline, '--target', target, '--final', final];
  }
  if (tool === 'leakhound') return [...node, leakhoundBin, 'analyze', file, '--json'];
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

