// Guarded heap snapshots. Writing one blocks the event loop for seconds to
// minutes and needs up to ~2x the heap in memory (PRODUCT.md), so every write
// is checked first: one at a time, cooldown and count limits, free memory in the
// host and the cgroup above the heap size, room on the disk. A failed write is
// reported, never thrown.
import { mkdirSync, rmSync, statfsSync } from 'node:fs';
import { freemem } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { readCgroupMemory, type CgroupPaths } from './cgroup.js';

export type SnapshotTrigger = 'leak' | 'heap-share' | 'signal' | 'manual';

export interface SnapshotOptions {
  /** Directory for .heapsnapshot files (created if missing). Default: the working directory. */
  dir: string;
  /** Automatic snapshots (leak, heap share) allowed per process. Default 2. */
  maxCount: number;
  /** Minimum time between two automatic snapshots. Default 1 h. */
  cooldownMs: number;
  /** Take one when a leak is confirmed. Default true. */
  onLeak: boolean;
  /** Take one when the post-GC heap passes this share of the limit (0..1); null disables. Default 0.8. */
  heapShare: number | null;
  /** Signal that requests a snapshot (e.g. SIGUSR2); null disables. Default SIGUSR2. */
  signal: NodeJS.Signals | null;
  /**
   * No automatic snapshot above this heap size (bytes): writing pauses the service
   * for roughly 2 min per GB (PRODUCT.md measurements). Signal and manual ones are not limited. Default 1 GiB.
   */
  maxHeapBytes: number;
}

export const DEFAULT_SNAPSHOT_OPTIONS: Readonly<SnapshotOptions> = Object.freeze({
  dir: '.',
  maxCount: 2,
  cooldownMs: 3_600_000,
  onLeak: true,
  heapShare: 0.8,
  signal: 'SIGUSR2',
  maxHeapBytes: 1024 ** 3,
});

export interface SnapshotResult {
  trigger: SnapshotTrigger;
  taken: boolean;
  path?: string;
  /** Why it was skipped or failed. */
  reason?: string;
  /** Skipped only because of the count limit, the cooldown or a write in progress (not worth a log line each time). */
  throttled?: boolean;
  /** Error code of a failed write (ENOSPC, EACCES, ...). */
  code?: string;
  durationMs?: number;
  heapUsedBytes: number;
}

export interface SnapshotEnvironment {
  freeMemory(): number;
  /** Bytes the cgroup can still grow, null without a cgroup limit. */
  cgroupHeadroom(): number | null;
  /** Free bytes for unprivileged users on the file system holding dir. */
  diskFree(dir: string): number;
  write(path: string): string;
  now(): number;
}

export function defaultEnvironment(cgroupPaths?: CgroupPaths): SnapshotEnvironment {
  return {
    freeMemory: () => freemem(),
    cgroupHeadroom: () => {
      const cg = readCgroupMemory(cgroupPaths);
      if (cg === null || cg.limitBytes === null || cg.usageBytes === null) return null;
      return cg.limitBytes - cg.usageBytes;
    },
    diskFree: (dir) => {
      const s = statfsSync(dir);
      return s.bavail * s.bsize;
    },
    write: (path) => writeHeapSnapshot(path),
    now: () => Date.now(),
  };
}

export class SnapshotGuard {
  readonly options: Readonly<SnapshotOptions>;
  private readonly _env: SnapshotEnvironment;
  private _busy = false;
  private _automatic = 0;
  private _taken = 0;
  private _lastAutomaticAt = -Infinity;
  private _last: SnapshotResult | null = null;

  constructor(options: Partial<SnapshotOptions> = {}, env: SnapshotEnvironment = defaultEnvironment()) {
    this.options = Object.freeze({ ...DEFAULT_SNAPSHOT_OPTIONS, ...options });
    this._env = env;
  }

  get taken(): number {
    return this._taken;
  }

  get last(): SnapshotResult | null {
    return this._last;
  }

  get busy(): boolean {
    return this._busy;
  }

  /**
   * Checks the guards and writes a snapshot synchronously (V8 offers no other way).
   * `beforeWrite` is called with the path just before the event loop pauses, so the
   * caller can log it. Never throws.
   */
  take(trigger: SnapshotTrigger, beforeWrite?: (path: string, heapUsedBytes: number) => void): SnapshotResult {
    let heapUsed = 0;
    try {
      heapUsed = getHeapStatistics().used_heap_size;
      const throttle = this._checkThrottle(trigger, heapUsed);
      if (throttle !== null) return { trigger, taken: false, reason: throttle, throttled: true, heapUsedBytes: heapUsed };
      const skip = this._checkGuards(heapUsed);
      if (skip !== null) return this._remember({ trigger, taken: false, reason: skip, heapUsedBytes: heapUsed });
      const path = join(this.options.dir, `leakhound-${process.pid}-${timestamp(this._env.now())}.heapsnapshot`);
      if (trigger === 'leak' || trigger === 'heap-share') {
        this._automatic++;
        this._lastAutomaticAt = this._env.now();
      }
      try {
        beforeWrite?.(path, heapUsed);
      } catch {
        // A logging failure must not stop the snapshot.
      }
      const started = performance.now();
      try {
        this._busy = true;
        const written = this._env.write(path);
        this._taken++;
        return this._remember({ trigger, taken: true, path: written, durationMs: performance.now() - started, heapUsedBytes: heapUsed });
      } catch (error) {
        // A half-written file is worse than none: it would fail to parse later.
        try {
          rmSync(path, { force: true });
        } catch {
          // Best effort.
        }
        const code = (error as NodeJS.ErrnoException | undefined)?.code;
        return this._remember({ trigger, taken: false, path, reason: `write failed: ${error instanceof Error ? error.message : String(error)}`, ...(code === undefined ? {} : { code }), heapUsedBytes: heapUsed });
      } finally {
        this._busy = false;
      }
    } catch (error) {
      return this._remember({ trigger, taken: false, reason: `snapshot check failed: ${error instanceof Error ? error.message : String(error)}`, heapUsedBytes: heapUsed });
    }
  }

  private _checkThrottle(trigger: SnapshotTrigger, heapUsed: number): string | null {
    if (this._busy) return 'another snapshot is being written';
    if (trigger === 'leak' || trigger === 'heap-share') {
      if (heapUsed > this.options.maxHeapBytes) return `heap ${mb(heapUsed)} above the ${mb(this.options.maxHeapBytes)} limit for automatic snapshots (the write would pause the service for minutes; send ${this.options.signal ?? 'the snapshot signal'} to take one anyway)`;
      if (this._automatic >= this.options.maxCount) return `automatic snapshot limit reached (${this.options.maxCount})`;
      const since = this._env.now() - this._lastAutomaticAt;
      if (since < this.options.cooldownMs) return `cooldown: last automatic snapshot ${Math.round(since / 1000)} s ago (cooldown ${Math.round(this.options.cooldownMs / 1000)} s)`;
    }
    return null;
  }

  private _checkGuards(heapUsed: number): string | null {
    const free = this._env.freeMemory();
    if (free <= heapUsed) return `not enough free memory: ${mb(free)} free, heap ${mb(heapUsed)} (writing needs about the heap size again)`;
    const headroom = this._env.cgroupHeadroom();
    if (headroom !== null && headroom <= heapUsed) return `not enough cgroup memory headroom: ${mb(headroom)} left below the limit, heap ${mb(heapUsed)}`;
    try {
      mkdirSync(this.options.dir, { recursive: true });
    } catch (error) {
      return `snapshot directory ${this.options.dir} unusable: ${error instanceof Error ? error.message : String(error)}`;
    }
    let disk: number;
    try {
      disk = this._env.diskFree(this.options.dir);
    } catch (error) {
      return `cannot check free disk space in ${this.options.dir}: ${error instanceof Error ? error.message : String(error)}`;
    }
    // A snapshot file is typically 1.5-2x the used heap.
    if (disk <= heapUsed * 2) return `not enough disk space in ${this.options.dir}: ${mb(disk)} free, needs about ${mb(heapUsed * 2)}`;
    return null;
  }

  private _remember(result: SnapshotResult): SnapshotResult {
    this._last = result;
    return result;
  }
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function timestamp(ms: number): string {
  // Colons are not allowed in file names on every system.
  return new Date(ms).toISOString().replace(/[:.]/g, '-');
}
