// Container memory limit from the cgroup the process runs in (v2 unified or v1
// memory controller). Parsing only: the caller decides how often to read, and a
// test feeds it a fake directory tree.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CgroupMemory {
  version: 1 | 2;
  /** Lowest limit on the path from the process's cgroup up to the mount root; null when unlimited. */
  limitBytes: number | null;
  /** Current usage of the process's cgroup (bytes), null when unreadable. */
  usageBytes: number | null;
  /** Directory the limit was read from. */
  path: string;
}

export interface CgroupPaths {
  /** Mount point of the cgroup filesystem, default /sys/fs/cgroup. */
  root?: string;
  /** File listing the process's cgroups, default /proc/self/cgroup. */
  procSelfCgroup?: string;
}

// cgroup v1 reports "no limit" as a page-aligned LONG_MAX; anything this large is unlimited.
const UNLIMITED = 2 ** 60;

/** Reads the cgroup memory limit and usage; null when the process is in no memory cgroup (or on another OS). */
export function readCgroupMemory(paths: CgroupPaths = {}): CgroupMemory | null {
  const root = paths.root ?? '/sys/fs/cgroup';
  const membership = readText(paths.procSelfCgroup ?? '/proc/self/cgroup');
  if (membership === null) return null;
  let v2Path: string | null = null;
  let v1Path: string | null = null;
  for (const line of membership.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const hierarchy = line.slice(0, first);
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1).trim();
    if (hierarchy === '0' && controllers === '') v2Path = path;
    else if (controllers.split(',').includes('memory')) v1Path = path;
  }
  if (v2Path !== null) {
    const v2 = readV2(root, v2Path);
    if (v2 !== null) return v2;
  }
  if (v1Path !== null) return readV1(root, v1Path);
  return null;
}

function readV2(root: string, cgroupPath: string): CgroupMemory | null {
  // Inside a container with a cgroup namespace the path is "/" and the mount root is the container's own cgroup.
  const leaf = existing([join(root, cgroupPath), root], 'memory.max') ?? existing([join(root, cgroupPath), root], 'memory.current');
  if (leaf === null) return null;
  return { version: 2, limitBytes: lowestLimit(leaf, root, 'memory.max'), usageBytes: parseNumber(readText(join(leaf, 'memory.current'))), path: leaf };
}

function readV1(root: string, cgroupPath: string): CgroupMemory | null {
  const mount = existing([join(root, 'memory')], 'memory.limit_in_bytes') === null ? root : join(root, 'memory');
  const leaf = existing([join(mount, cgroupPath), mount], 'memory.limit_in_bytes');
  if (leaf === null) return null;
  return { version: 1, limitBytes: lowestLimit(leaf, mount, 'memory.limit_in_bytes'), usageBytes: parseNumber(readText(join(leaf, 'memory.usage_in_bytes'))), path: leaf };
}

/** Limits nest: a parent's limit caps every child, so take the lowest from the leaf up to the mount root. */
function lowestLimit(leaf: string, mount: string, file: string): number | null {
  let limit: number | null = null;
  for (let dir = leaf; dir.startsWith(mount); dir = parentOf(dir)) {
    const value = parseLimit(readText(join(dir, file)));
    if (value !== null && (limit === null || value < limit)) limit = value;
    if (dir === mount) break;
  }
  return limit;
}

function existing(dirs: string[], file: string): string | null {
  for (const dir of dirs) if (readText(join(dir, file)) !== null) return dir.replace(/\/+$/, '') || '/';
  return null;
}

function parentOf(dir: string): string {
  const cut = dir.lastIndexOf('/');
  return cut <= 0 ? '/' : dir.slice(0, cut);
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function parseLimit(text: string | null): number | null {
  if (text === null) return null;
  const value = text.trim();
  if (value === 'max' || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 && n < UNLIMITED ? n : null;
}

function parseNumber(text: string | null): number | null {
  if (text === null) return null;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : null;
}
