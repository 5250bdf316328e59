import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCgroupMemory } from '../../src/memory/cgroup.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lh-cgroup-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

test('cgroup v2: lowest memory.max on the path wins, "max" is unlimited', () => {
  const dir = tree({
    'proc/self/cgroup': '0::/kubepods/pod1/app\n',
    'fs/kubepods/memory.max': '1073741824\n',
    'fs/kubepods/pod1/memory.max': 'max\n',
    'fs/kubepods/pod1/app/memory.max': '2147483648\n',
    'fs/kubepods/pod1/app/memory.current': '314572800\n',
  });
  try {
    const cg = readCgroupMemory({ root: join(dir, 'fs'), procSelfCgroup: join(dir, 'proc/self/cgroup') });
    assert.deepEqual(cg, { version: 2, limitBytes: 1073741824, usageBytes: 314572800, path: join(dir, 'fs/kubepods/pod1/app') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cgroup v2 inside a container namespace ("0::/"), unlimited', () => {
  const dir = tree({ 'proc/self/cgroup': '0::/\n', 'fs/memory.max': 'max\n', 'fs/memory.current': '1000\n' });
  try {
    const cg = readCgroupMemory({ root: join(dir, 'fs'), procSelfCgroup: join(dir, 'proc/self/cgroup') });
    assert.equal(cg?.version, 2);
    assert.equal(cg?.limitBytes, null);
    assert.equal(cg?.usageBytes, 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cgroup v1: memory controller line, LONG_MAX page-aligned means unlimited, nested limit read', () => {
  const dir = tree({
    'proc/self/cgroup': '9:name=systemd:/\n4:memory:/docker/abc\n1:cpu,cpuacct:/\n',
    'fs/memory/memory.limit_in_bytes': '9223372036854771712\n',
    'fs/memory/docker/memory.limit_in_bytes': '9223372036854771712\n',
    'fs/memory/docker/abc/memory.limit_in_bytes': '536870912\n',
    'fs/memory/docker/abc/memory.usage_in_bytes': '104857600\n',
  });
  try {
    const cg = readCgroupMemory({ root: join(dir, 'fs'), procSelfCgroup: join(dir, 'proc/self/cgroup') });
    assert.deepEqual(cg, { version: 1, limitBytes: 536870912, usageBytes: 104857600, path: join(dir, 'fs/memory/docker/abc') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no cgroup information: null, never a throw', () => {
  assert.equal(readCgroupMemory({ root: '/nonexistent-lh', procSelfCgroup: '/nonexistent-lh/cgroup' }), null);
});

test('this machine: the real reader returns a consistent answer', () => {
  const cg = readCgroupMemory();
  if (cg === null) return;
  assert.ok(cg.version === 1 || cg.version === 2);
  assert.ok(cg.limitBytes === null || cg.limitBytes > 0);
});
