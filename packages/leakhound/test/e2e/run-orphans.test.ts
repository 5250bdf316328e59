// Ctrl-C in the middle of a round: `leakhound run` stops the service and the
// grandchild it started (the whole process group), and exits 130.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { cli, repoRoot } from './run-helpers.js';

const service = fileURLToPath(new URL('../run/fixtures/grandchild-service.mjs', import.meta.url));

/** Gone, or a zombie waiting for a reaper (it holds no resources and runs no code). */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
  // SIGKILL cannot be caught: then every Node process of the service (the agent is preloaded into
  // all of them through NODE_OPTIONS) sees its runner gone and stops itself.
  test(`${signal} mid-round kills the service and its grandchild`, { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lh-orphans-'));
    const pidsFile = join(dir, 'pids');
    try {
      const child = spawn(process.execPath, [cli, 'run', '--duration', '30', '--no-snapshots', '--', process.execPath, service], {
        cwd: repoRoot,
        // A SIGKILLed runner cannot remove its work dir: keep it inside ours.
        env: { ...process.env, PIDS_FILE: pidsFile, TMPDIR: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
      const inRound = new Promise<void>((resolve) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes('baseline:')) resolve();
        });
      });
      const ready = await Promise.race([inRound.then(() => true), sleep(40_000).then(() => false)]);
      assert.ok(ready, `the run never reached its rounds: ${stderr}`);
      await sleep(500);
      const pids = readFileSync(pidsFile, 'utf8').trim().split('\n').map(Number);
      assert.equal(pids.length, 2);
      for (const pid of pids) assert.ok(!isGone(pid), `pid ${pid} should be running mid-round`);

      child.kill(signal);
      const code = await closed;
      if (signal !== 'SIGKILL') assert.equal(code, signal === 'SIGINT' ? 130 : 143, stderr);
      // The group was SIGKILLed before leakhound exited (or, after a SIGKILL, the agents' watchdog
      // fires within a second); give the kernel a moment to reap.
      for (let i = 0; i < 80 && !pids.every(isGone); i++) await sleep(100);
      for (const pid of [...pids, child.pid!]) assert.ok(isGone(pid), `pid ${pid} is still alive`);
    } finally {
      if (existsSync(pidsFile)) {
        for (const pid of readFileSync(pidsFile, 'utf8').trim().split('\n').map(Number)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone: the expected case.
          }
        }
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
