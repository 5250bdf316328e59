// The retainer-path searches on a worker thread (analysis-workers.ts) must
// give the report of the one-thread analysis, and a failing worker must be a
// typed error, not a hang.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { analyzeSnapshot, analyzeSnapshotInParallel, type AnalysisReport } from '../../src/heap/analysis.js';
import { sharedGraph } from '../../src/heap/analysis-workers.js';
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

  test('paths from the worker: the same report as one thread, and the same parent edges', async () => {
    const expected = analyzeSnapshot(plain);
    let parentEdge: Int32Array | null = null;
    const report = await analyzeSnapshotInParallel(shared, {
      workers: { minNodes: 0 },
      onPrepared: (analysis) => (parentEdge = analysis.rootPaths.parentEdge),
    });
    assert.deepEqual(content(report), content(expected));
    assert.ok(parentEdge !== null && (parentEdge as Int32Array).buffer instanceof SharedArrayBuffer, 'the worker filled them');
    assert.deepEqual(parentEdge, computeRootPaths(plain).parentEdge);
  });

  test('below minNodes, or unshared: one thread, same report', async () => {
    const expected = content(analyzeSnapshot(plain));
    assert.deepEqual(content(await analyzeSnapshotInParallel(shared)), expected);
    assert.deepEqual(content(await analyzeSnapshotInParallel(plain, { workers: { minNodes: 0 } })), expected);
  });

  test('a worker that cannot start (a module URL it cannot load): LH_ERR_WORKER_FAILED', async () => {
    await assert.rejects(
      analyzeSnapshotInParallel(shared, { workers: { minNodes: 0, pathsWorkerUrl: new URL('https://example.invalid/paths-worker.mjs') } }),
      (error: { code?: string; message?: string }) => error.code === 'LH_ERR_WORKER_FAILED' && /could not start/.test(error.message ?? ''),
    );
  });

  for (const [name, source, pattern] of [
    ['throws', "throw new Error('boom');\n", /boom/],
    ['exits without an answer', '// exits without posting anything\n', /exited/],
  ] as const) {
    test(`a worker that ${name}: LH_ERR_WORKER_FAILED, not a hang`, async () => {
      const path = join(leaky.dir, `paths-worker-${name.replaceAll(' ', '-')}.mjs`);
      writeFileSync(path, source);
      await assert.rejects(
        analyzeSnapshotInParallel(shared, { workers: { minNodes: 0, pathsWorkerUrl: pathToFileURL(path) } }),
        (error: { code?: string; message?: string }) => error.code === 'LH_ERR_WORKER_FAILED' && pattern.test(error.message ?? ''),
      );
    });
  }
});
