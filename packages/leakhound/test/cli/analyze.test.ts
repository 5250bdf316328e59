// `leakhound analyze` as a user runs it: the built CLI in a child process
// (run `npm run build` first), on a snapshot Node writes in this test.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLeakySnapshot } from '../helpers/leaky-program.js';

const bin = fileURLToPath(new URL('../../bin/leakhound.js', import.meta.url));
const leaky = writeLeakySnapshot(5000);
after(() => leaky.cleanup());

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('terminal report: the suspect, its path and a source location in the leaky program', { timeout: 60_000 }, () => {
  const run = cli('analyze', leaky.snapshotPath, '--top', '8');
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '', 'no progress bar when stderr is not a TTY');
  const out = run.stdout;
  assert.match(out, /^Heap snapshot\n {2}file +.*leaky\.heapsnapshot \(\d+\.\d MB\)/);
  assert.match(out, /1\. Map `registry` \(module scope of file:\/\/\/.*leaky-service\.mjs\) retains \d+\.\d% of the heap/);
  assert.match(out, new RegExp(`5,000 LeakyEntry objects \\(.+\\) created at .*leaky-service\\.mjs:${leaky.lineOf('constructor(id)')}:\\d+`));
  assert.match(out, /retainer path \(GC root first\):\n\s+global @\d+/);
  assert.match(out, /\(closure variable\) registry -> Map @\d+/);
  assert.match(out, /Classes by retained size \(top 8 of \d+\)/);
  assert.match(out, /Heap statistics\n/);
  assert.match(out, /time +parse \d+.*analysis \d+/);
});

test('--json prints the documented schema', { timeout: 60_000 }, () => {
  const run = cli('analyze', leaky.snapshotPath, '--json', '--top=5', '--suspect-threshold', '5');
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Record<string, unknown> & {
    snapshot: Record<string, unknown>;
    suspects: { kind: string; className: string; path: { edgeName: string }[]; location: unknown; retainedPercent: number }[];
    histogram: unknown[];
    options: { top: number; suspectThreshold: number };
    statistics: object;
  };
  assert.equal(report.schemaVersion, 1);
  for (const key of ['tool', 'snapshot', 'timings', 'options', 'suspects', 'histogram', 'classCount', 'statistics']) assert.ok(key in report, key);
  for (const key of ['file', 'fileBytes', 'nodeCount', 'edgeCount', 'totalSize', 'reachableSize', 'unreachableCount', 'unreachableSize']) {
    assert.ok(key in report.snapshot, `snapshot.${key}`);
  }
  assert.ok((report.snapshot.fileBytes as number) > 1_000_000);
  const phases = (report.timings as { phases: Record<string, number> }).phases;
  for (const phase of ['read', 'essential edges', 'leak suspects']) assert.equal(typeof phases[phase], 'number', phase);
  assert.deepEqual(report.options, { top: 5, suspectThreshold: 0.05 });
  assert.equal(report.histogram.length, 5);
  const first = report.suspects[0]!;
  // Every field the CLI prints is documented in docs/json-schema.md.
  const docs = readFileSync(fileURLToPath(new URL('../../../../docs/json-schema.md', import.meta.url)), 'utf8');
  const objects: object[] = [report, report.snapshot, first, first.path[0]!, report.histogram[0]!, report.statistics];
  for (const object of objects) for (const key of Object.keys(object)) assert.ok(docs.includes(`\`${key}\``), `docs/json-schema.md does not document ${key}`);
  assert.equal(first.className, 'Map');
  assert.equal(first.path.at(-1)!.edgeName, 'registry');
  assert.ok(first.retainedPercent >= 5);
});

test('bad input: one line naming the problem, exit 2, no stack', { timeout: 60_000 }, () => {
  const notJson = join(leaky.dir, 'not-json.heapsnapshot');
  writeFileSync(notJson, 'this is not a heap snapshot\n');
  const empty = join(leaky.dir, 'empty.heapsnapshot');
  writeFileSync(empty, '');
  const directory = join(leaky.dir, 'a-directory');
  mkdirSync(directory);
  const cases: [string[], string][] = [
    [['analyze', join(leaky.dir, 'missing.heapsnapshot')], 'LH_ERR_FILE_NOT_FOUND'],
    [['analyze', notJson], 'LH_ERR_SNAPSHOT_'],
    [['analyze', empty], 'LH_ERR_SNAPSHOT_EMPTY'],
    [['analyze', directory], 'LH_ERR_FILE_UNREADABLE'],
    [['analyze'], 'LH_ERR_USAGE'],
    [['analyze', leaky.snapshotPath, '--top', 'many'], 'LH_ERR_USAGE'],
    [['analyze', leaky.snapshotPath, '--suspect-threshold', '0'], 'LH_ERR_USAGE'],
    [['analyze', leaky.snapshotPath, '--bogus'], 'LH_ERR_USAGE'],
  ];
  for (const [args, code] of cases) {
    const run = cli(...args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, new RegExp(`^leakhound: .+ \\(${code}[A-Z_]*\\)$`));
    assert.ok(!run.stderr.includes('    at '), 'no stack trace');
  }
});

test('--help lists the options', () => {
  const run = cli('analyze', '--help');
  assert.equal(run.status, 0);
  for (const flag of ['--json', '--top <N>', '--suspect-threshold <PCT>']) assert.ok(run.stdout.includes(flag), flag);
  assert.match(cli('--help').stdout, /analyze +dominator tree/);
});
