// The graph-only analyses on a worker thread (analysis-workers.ts: shallow
// sizes, retainer-path searches, statistics) must give the report of the
// one-thread analysis, and a failing worker must be a typed error, not a hang.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { analyzeSnapshot, analyzeSnapshotInParallel, type AnalysisReport, type HeapAnalysis } from '../../src/heap/analysis.js';
import { computeShallowSizes } from '../../src/heap/dominators.js';
import { prestartGraphWorker, sharedGraph } from '../../src/heap/analysis-workers.js';
import { classTable } from '../../src/heap/names.js';
import { computeRootPaths } from '../../src/heap/paths.js';
import { parseSnapshotFile } from '../../src/heap/parser.js';
import type { HeapSnapshot } from '../../src/heap/snapshot.js';
import { writeLeakySnapshot, type LeakySnapshot } from '../helpers/leaky-program.js';

/** The report without its timings. */
function content(report: AnalysisReport): unknown {
  const { timings: _timings, ...rest } = report;
  return rest;
}

describe('analysis workers', () => {
  let leaky: LeakySnapshot;
  let plain: HeapSnapshot;
  let shared: HeapSnapshot;

  before(async () => {
    leaky = writeLeakySnapshot(3000);
    plain = await parseSnapshotFile(leaky.snapshotPath, { edgeSplit: { minBytes: Number.POSITIVE_INFINITY } });
    // minBytes 0: the parser puts the graph on SharedArrayBuffers, as it does for big files.
    shared = await parseSnapshotFile(leaky.snapshotPath, { edgeSplit: { minBytes: 0 } });
  });
  after(() => leaky.cleanup());

  test('only a shared graph goes to a worker', () => {
    assert.equal(sharedGraph(plain), null);
    assert.notEqual(sharedGraph(shared), null);
  });

  test('sizes, paths and statistics from the worker: the same report as one thread, the same arrays', async () => {
    const expected = analyzeSnapshot(plain);
    let prepared: HeapAnalysis | null = null;
    const report = await analyzeSnapshotInParallel(shared, {
      workers: { minNodes: 0 },
      onPrepared: (analysis) => (prepared = analysis),
    });
    assert.deepEqual(content(report), content(expected));
    const { rootPaths, dominators, statistics } = prepared! as HeapAnalysis;
    assert.ok(rootPaths.parentEdge.buffer instanceof SharedArrayBuffer, 'the worker filled the parent edges');
    assert.deepEqual(rootPaths.parentEdge, computeRootPaths(plain).parentEdge);
    assert.ok(dominators.shallowSize.buffer instanceof SharedArrayBuffer, 'the worker filled the shallow sizes');
    assert.deepEqual(Array.from(dominators.shallowSize), Array.from(computeShallowSizes(plain)));
    assert.deepEqual(statistics, expected.statistics, 'the worker computed the statistics');
    const classes = classTable(shared);
    assert.ok(classes.classOf.buffer instanceof SharedArrayBuffer, 'the worker computed the class ids');
    assert.deepEqual(Array.from(classes.classOf), Array.from(classTable(plain).classOf));
    assert.deepEqual(classes.names, classTable(plain).names);
  });

  test('shallow sizes left to the main thread (as when one needs more than 32 bits): the same report', async () => {
    let prepared: HeapAnalysis | null = null;
    const report = await analyzeSnapshotInParallel(shared, {
      workers: { minNodes: 0, shallowSizes: false },
      onPrepared: (analysis) => (prepared = analysis),
    });
    assert.deepEqual(content(report), content(analyzeSnapshot(plain)));
    assert.equal((prepared! as HeapAnalysis).statistics, undefined, 'the report computed the statistics');
    assert.ok(!((prepared! as HeapAnalysis).dominators.shallowSize.buffer instanceof SharedArrayBuffer));
  });

  test('a worker started before the parse ends (the CLI on big files) gets its task as a message: the same report', async () => {
    const prestarted = prestartGraphWorker();
    let prepared: HeapAnalysis | null = null;
    const report = await analyzeSnapshotInParallel(shared, {
      workers: { minNodes: 0, prestarted },
      onPrepared: (analysis) => (prepared = analysis),
    });
    assert.deepEqual(content(report), content(analyzeSnapshot(plain)));
    assert.ok((prepared! as HeapAnalysis).rootPaths.parentEdge.buffer instanceof SharedArrayBuffer, 'a worker filled the parent edges');
    // It ends on its own once its last result is out.
    if (prestarted.worker.threadId !== -1) await once(prestarted.worker, 'exit');
  });

  test('a prestarted worker that died before its task is replaced; one not needed is stopped', async () => {
    const path = join(leaky.dir, 'dies-early.mjs');
    writeFileSync(path, "throw new Error('gone before the task');\n");
    const dead = prestartGraphWorker(pathToFileURL(path));
    // Prestarted threads do not keep the process alive; this wait has to.
    dead.worker.ref();
    await new Promise((resolve) => dead.worker.once('exit', resolve));
    assert.equal(dead.gone, true);
    const report = await analyzeSnapshotInParallel(shared, { workers: { minNodes: 0, prestarted: dead } });
    assert.deepEqual(content(report), content(analyzeSnapshot(plain)));
    const unused = prestartGraphWorker();
    unused.worker.ref();
    const exited = once(unused.worker, 'exit');
    await analyzeSnapshotInParallel(plain, { workers: { prestarted: unused } });
    await exited;
  });

  test('below minNodes, or unshared: one thread, same report', async () => {
    const expected = content(analyzeSnapshot(plain));
    assert.deepEqual(content(await analyzeSnapshotInParallel(shared)), expected);
    assert.deepEqual(content(await analyzeSnapshotInParallel(plain, { workers: { minNodes: 0 } })), expected);
  });

  test('a worker that cannot start (a module URL it cannot load): LH_ERR_WORKER_FAILED', async () => {
    await assert.rejects(
      analyzeSnapshotInParallel(shared, { workers: { minNodes: 0, graphWorkerUrl: new URL('https://example.invalid/graph-worker.mjs') } }),
      (error: { code?: string; message?: string }) => error.code === 'LH_ERR_WORKER_FAILED' && /could not start/.test(error.message ?? ''),
    );
  });

  for (const [name, source, pattern] of [
    ['throws', "throw new Error('boom');\n", /boom/],
    ['exits without an answer', '// exits without posting anything\n', /exited/],
  ] as const) {
    test(`a worker that ${name}: LH_ERR_WORKER_FAILED, not a hang`, async () => {
      const path = join(leaky.dir, `graph-worker-${name.replaceAll(' ', '-')}.mjs`);
      writeFileSync(path, source);
      await assert.rejects(
        analyzeSnapshotInParallel(shared, { workers: { minNodes: 0, graphWorkerUrl: pathToFileURL(path) } }),
        (error: { code?: string; message?: string }) => error.code === 'LH_ERR_WORKER_FAILED' && pattern.test(error.message ?? ''),
      );
    });
  }
});
