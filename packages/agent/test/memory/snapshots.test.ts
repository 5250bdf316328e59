import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultEnvironment, SnapshotGuard, type SnapshotEnvironment } from '../../src/memory/snapshots.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'lh-snap-'));
  try {
    fn(dir);
  } finally {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  }
}

test('writes a real, parseable heap snapshot named with pid and time, then enforces cooldown and count', () => {
  withDir((dir) => {
    const guard = new SnapshotGuard({ dir, maxCount: 1, cooldownMs: 60_000 });
    let announced = '';
    const first = guard.take('leak', (path) => (announced = path));
    assert.equal(first.taken, true, first.reason);
    assert.equal(announced, first.path);
    assert.match(first.path ?? '', new RegExp(`leakhound-${process.pid}-\\d{4}-\\d\\d-\\d\\dT[\\d-]+Z\\.heapsnapshot$`));
    const head = readFileSync(first.path as string, 'utf8').slice(0, 200);
    assert.match(head, /"snapshot":\{"meta":/);
    const second = guard.take('heap-share');
    assert.equal(second.taken, false);
    assert.match(second.reason ?? '', /limit reached|cooldown/);
    assert.equal(readdirSync(dir).length, 1);
  });
});

test('a failing write (permission denied) is reported with its code, never thrown, no partial file', { skip: process.getuid?.() === 0 ? 'root ignores permissions' : false }, () => {
  withDir((dir) => {
    chmodSync(dir, 0o500);
    const result = new SnapshotGuard({ dir }).take('manual');
    assert.equal(result.taken, false);
    assert.match(result.reason ?? '', /write failed/);
    assert.equal(result.code, 'EACCES');
  });
});

test('a failing real write (target is a directory: EISDIR, works as root too) is reported, never thrown', () => {
  withDir((dir) => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    mkdirSync(join(dir, `leakhound-${process.pid}-2026-01-02T03-04-05-006Z.heapsnapshot`));
    const result = new SnapshotGuard({ dir }, { ...defaultEnvironment(), now: () => at }).take('signal');
    assert.equal(result.taken, false);
    assert.match(result.reason ?? '', /write failed/);
    assert.ok(result.code === 'EISDIR' || result.code === 'EEXIST', result.code);
  });
});

test('guards: not enough free memory, cgroup headroom or disk space means no snapshot', () => {
  withDir((dir) => {
    const base = defaultEnvironment();
    let writes = 0;
    const env = (over: Partial<SnapshotEnvironment>): SnapshotEnvironment => ({ ...base, write: (p) => (writes++, p), ...over });
    const lowMemory = new SnapshotGuard({ dir }, env({ freeMemory: () => 1024 })).take('manual');
    assert.match(lowMemory.reason ?? '', /not enough free memory/);
    const lowCgroup = new SnapshotGuard({ dir }, env({ cgroupHeadroom: () => 1024 })).take('manual');
    assert.match(lowCgroup.reason ?? '', /cgroup memory headroom/);
    const lowDisk = new SnapshotGuard({ dir }, env({ diskFree: () => 4096 })).take('manual');
    assert.match(lowDisk.reason ?? '', /not enough disk space/);
    const diskFull = new SnapshotGuard({ dir }, env({ write: () => { throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }); } })).take('leak');
    assert.equal(diskFull.code, 'ENOSPC');
    assert.equal(writes, 0);
    assert.equal(existsSync(diskFull.path as string), false);
  });
});

test('one snapshot at a time: a request made while a write is in progress is refused as throttled', () => {
  withDir((dir) => {
    let nested: ReturnType<SnapshotGuard['take']> | undefined;
    const guard: SnapshotGuard = new SnapshotGuard({ dir }, { ...defaultEnvironment(), write: (p) => ((nested = guard.take('signal')), p) });
    const outer = guard.take('manual');
    assert.equal(outer.taken, true);
    assert.equal(nested?.taken, false);
    assert.equal(nested?.throttled, true);
    assert.match(nested?.reason ?? '', /another snapshot is being written/);
    assert.equal(guard.busy, false);
  });
});

test('automatic snapshots are refused above maxHeapBytes (minutes of pause), a signal still takes one', () => {
  withDir((dir) => {
    const guard = new SnapshotGuard({ dir, maxHeapBytes: 1024 });
    const automatic = guard.take('leak');
    assert.equal(automatic.taken, false);
    assert.match(automatic.reason ?? '', /above the 0\.0 MB limit for automatic snapshots/);
    assert.equal(guard.take('signal').taken, true);
  });
});
