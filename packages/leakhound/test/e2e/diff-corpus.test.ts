// The validation corpus: small leaky and non-leaky programs write three real
// snapshots of themselves (corpus/harness.mjs), diffSnapshots runs on them,
// and every leaky one must be named (collection or class, and its path) while
// the non-leaking ones yield nothing. Prints the precision/recall table that
// docs/diff.md records (also written to .test-output/diff-corpus.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { diffSnapshots, type DiffFinding } from '../../src/diff/diff.js';

const run = promisify(execFile);
const corpus = fileURLToPath(new URL('./corpus/', import.meta.url));
const outputDir = fileURLToPath(new URL('../../../../.test-output/', import.meta.url));

interface Case {
  program: string;
  leak: string | null;
  /** True when a finding names the leak. */
  names?: (f: DiffFinding) => boolean;
}

const steps = (f: DiffFinding): string => f.path.map((s) => s.edgeName).join('.');

const cases: Case[] = [
  {
    program: 'registry',
    leak: 'TypeMap per request in a module-level Map',
    names: (f) => f.collection?.heldAs === 'registry' && f.className === 'TypeMap' && /Map `registry` held by module .*registry\.mjs gained 600 TypeMap entries/.test(f.summary),
  },
  {
    program: 'listeners',
    leak: 'listener per request on a long-lived emitter',
    names: (f) =>
      f.collection?.heldAs === 'config-changed' && steps(f).includes('bus._events.config-changed') &&
      f.summary.includes('EventEmitter `bus` gained 600 onConfigChanged() entries'),
  },
  {
    program: 'cache',
    leak: 'unbounded Map cache',
    names: (f) => f.collection?.heldAs === 'cache' && f.collection.kind === 'Map' && f.collection.addedPerStep.every((n) => n === 300),
  },
  {
    program: 'timers',
    leak: 'setInterval never cleared',
    names: (f) => f.className === 'Timeout' && steps(f).includes('timerListMap') && f.locations.some((l) => l.location.url.endsWith('/timers.mjs')),
  },
  {
    program: 'closures',
    leak: 'closures kept by a global array',
    names: (f) => f.collection?.heldAs === 'cleanupHooks' && f.collection.kind === 'Array' && f.locations.some((l) => l.location.url.endsWith('/closures.mjs')),
  },
  {
    program: 'promises',
    leak: 'promises kept in a list',
    names: (f) => f.collection?.heldAs === 'inflight' && f.className === 'Promise',
  },
  {
    program: 'dictionary',
    leak: 'plain object used as a dictionary of sessions',
    names: (f) => f.collection?.heldAs === 'sessionsById' && f.collection.kind === 'Object' && f.className === 'UserSession',
  },
  {
    program: 'seen-set',
    leak: 'Set of processed messages never pruned',
    names: (f) => f.collection?.heldAs === 'processed' && f.collection.kind === 'Set' && f.className === 'IncomingMessage',
  },
  { program: 'lru', leak: null },
  { program: 'churn', leak: null },
  { program: 'plateau', leak: null },
];

async function findingsOf(program: string): Promise<DiffFinding[]> {
  const dir = await mkdtemp(join(tmpdir(), `lh-corpus-${program}-`));
  try {
    await run(process.execPath, ['--expose-gc', join(corpus, `${program}.mjs`), dir, '300'], { timeout: 30_000 });
    const report = await diffSnapshots(['s0', 's1', 's2'].map((s) => join(dir, `${s}.heapsnapshot`)));
    return report.findings;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('validation corpus: every leak is named, nothing else is reported', { timeout: 120_000 }, async () => {
  const rows: string[] = [];
  let truePositives = 0;
  let falsePositives = 0;
  let leaks = 0;
  let detected = 0;
  const failures: string[] = [];
  for (const c of cases) {
    const findings = await findingsOf(c.program);
    const matching = c.names ? findings.filter(c.names) : [];
    const falses = findings.length - matching.length;
    if (c.leak) {
      leaks++;
      if (matching.length > 0) detected++;
      else failures.push(`${c.program}: leak not named; findings: ${JSON.stringify(findings.map((f) => f.summary))}`);
    }
    truePositives += matching.length > 0 ? 1 : 0;
    falsePositives += falses;
    if (falses > 0) failures.push(`${c.program}: ${falses} unexpected findings: ${JSON.stringify(findings.filter((f) => !matching.includes(f)).map((f) => f.summary))}`);
    const top = matching[0] ?? findings[0];
    rows.push(`| \`${c.program}.mjs\` | ${c.leak ?? 'no leak'} | ${findings.length} | ${c.leak ? (matching.length > 0 ? 'yes' : 'no') : '-'} | ${falses} | ${top ? top.summary.replace(/\|/g, '\\|').replace(/[^ ]*\/corpus\//g, 'corpus/') : ''} |`);
  }
  const precision = truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives);
  const recall = leaks === 0 ? 1 : detected / leaks;
  const table = [
    '| program | leak | findings | leak named | false findings | top finding |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `Precision ${(precision * 100).toFixed(0)}% (${truePositives} named / ${truePositives + falsePositives} findings), recall ${(recall * 100).toFixed(0)}% (${detected} of ${leaks} leaks).`,
  ].join('\n');
  console.log(table);
  await mkdir(outputDir, { recursive: true });
  await writeFile(join(outputDir, 'diff-corpus.md'), table + '\n');
  assert.deepEqual(failures, []);
});
