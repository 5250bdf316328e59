import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCgroupMemory } from '../../src/memory/cgroup.js';

/** Writes a fake /proc/self/cgroup + cgroup mount under a temp dir, reads it, removes it. */
function readTree(files: Record<string, string>): { cg: ReturnType<typeof readCgroupMemory>; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lh-cgroup-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return { cg: readCgroupMemory({ root: join(dir, 'fs'), procSelfCgroup: join(dir, 'proc/self/cgroup') }), dir };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('cgroup v2: lowest memory.max on the path wins, "max" is unlimited', () => {
  const { cg, dir } = readTree({
    'proc/self/cgroup': '0::/kubepods/pod1/app\n',
    'fs/kubepods/memory.max': '1073741824\n',
    'fs/kubepods/pod1/memory.max': 'max\n',
    'fs/kubepods/pod1/app/memory.max': '2147483648\n',
    'fs/kubepods/pod1/app/memory.current': '314572800\n',
  });
  assert.deepEqual(cg, { version: 2, limitBytes: 1073741824, usageBytes: 314572800, path: join(dir, 'fs/kubepods/pod1/app') });
});

test('cgroup v2 inside a container namespace ("0::/"), unlimited', () => {
  const { cg } = readTree({ 'proc/self/cgroup': '0::/\n', 'fs/memory.max': 'max\n', 'fs/memory.current': '1000\n' });
  assert.equal(cg?.version, 2);
  assert.equal(cg?.limitBytes, null);
  assert.equal(cg?.usageBytes, 1000);
});

test('cgroup v1: memory controller line, LONG_MAX page-aligned means unlimited, nested limit read', () => {
  const { cg, dir } = readTree({
    'proc/self/cgroup': '9:name=systemd:/\n4:memory:/docker/abc\n1:cpu,cpuacct:/\n',
    'fs/memory/memory.limit_in_bytes': '9223372036854771712\n',
    'fs/memory/docker/memory.limit_in_bytes': '9223372036854771712\n',
    'fs/memory/docker/abc/memory.limit_in_bytes': '536870912\n',
    'fs/memory/docker/abc/memory.usage_in_bytes': '104857600\n',
  });
  assert.deepEqual(cg, { version: 1, limitBytes: 536870912, usageBytes: 104857600, path: join(dir, 'fs/memory/docker/abc') });
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
