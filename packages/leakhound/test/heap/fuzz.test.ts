// Mutates a real snapshot written by Node (truncation, byte flips, deleted
// keys, changed digits, inserted garbage, deleted ranges; see fuzz-cases.ts)
// and checks that the parser either returns a self-consistent HeapSnapshot or
// throws a typed LeakhoundError. Each case runs in a worker thread under a
// deadline: a case that hangs is terminated and fails the test. Seeded, so a
// failure reproduces.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';

const CASE_DEADLINE_MS = 5000;

interface Reply {
  ready?: number;
  index?: number;
  name?: string;
  truncation?: boolean;
  ms?: number;
  result?: string;
  problem?: string;
}

/** A worker running TypeScript: the tsx loader does not carry over to workers by itself. */
function startWorker(file: string): Worker {
  const url = new URL('./fuzz-worker.ts', import.meta.url).href;
  const code = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(url)}); });`;
  return new Worker(code, { eval: true, workerData: { file } });
}

function nextReply(worker: Worker, what: string, deadlineMs = CASE_DEADLINE_MS): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what} did not finish within ${deadlineMs} ms`));
    }, deadlineMs);
    const onMessage = (reply: Reply) => {
      cleanup();
      resolve(reply);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
  });
}

describe('fuzzing the parser with mutated real snapshots', () => {
  let dir = '';
  let file = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lh-fuzz-'));
    file = join(dir, 'base.heapsnapshot');
    const script = `
      class Job { constructor(i) { this.i = i; this.name = 'job\\u00e9' + i; this.run = () => this.i; } }
      globalThis.jobs = Array.from({ length: 2000 }, (_, i) => new Job(i));
      require('v8').writeHeapSnapshot(${JSON.stringify(file)});
    `;
    execFileSync(process.execPath, ['-e', script], { stdio: 'inherit', timeout: 60_000 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('every mutation gives a consistent snapshot or a typed error, in bounded time', { timeout: 180_000 }, async () => {
    const worker = startWorker(file);
    try {
      // Loading tsx and building the cases may take a while on a busy machine.
      const ready = await nextReply(worker, 'worker start', 60_000);
      const count = ready.ready!;
      assert.ok(count > 300, `only ${count} cases`);
      const codes = new Map<string, number>();
      let parsed = 0;
      for (let index = 0; index < count; index++) {
        const reply = nextReply(worker, `case ${index}`);
        worker.postMessage(index);
        const outcome = await reply;
        assert.notEqual(outcome.result, 'BUG', `${outcome.name}: ${outcome.problem}`);
        if (outcome.truncation) assert.equal(outcome.result, 'LH_ERR_SNAPSHOT_TRUNCATED', outcome.name);
        if (outcome.result === 'ok') parsed++;
        else codes.set(outcome.result!, (codes.get(outcome.result!) ?? 0) + 1);
      }
      // The mutations reach the error paths and the happy one.
      assert.ok(codes.size >= 4, JSON.stringify([...codes]));
      assert.ok(parsed > 0);
    } finally {
      await worker.terminate();
    }
  });
});
