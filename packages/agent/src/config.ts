// LEAKHOUND_* environment variables -> startAgent options, for the
// `--require/--import @leakhound/agent/register` preload. docs/configuration.md
// documents every variable. A bad value is reported and its default used: a
// typo in an environment variable must not stop the service from starting.
import type { AgentOptions } from './agent.js';
import type { SnapshotOptions } from './memory/snapshots.js';
import type { DetectorOptions } from './memory/trend.js';

export interface EnvConfig {
  /** false when LEAKHOUND_ENABLED=0: the preload does nothing. */
  enabled: boolean;
  options: AgentOptions;
  /** One line per ignored value. */
  warnings: string[];
}

export const ENV_VARIABLES = [
  'LEAKHOUND_ENABLED',
  'LEAKHOUND_MEMORY',
  'LEAKHOUND_WARMUP',
  'LEAKHOUND_MIN_WINDOW',
  'LEAKHOUND_CONFIRM_WINDOW',
  'LEAKHOUND_MAX_WINDOW',
  'LEAKHOUND_MIN_GROWTH',
  'LEAKHOUND_EVALUATE_INTERVAL',
  'LEAKHOUND_SNAPSHOTS',
  'LEAKHOUND_SNAPSHOT_DIR',
  'LEAKHOUND_SNAPSHOT_ON_LEAK',
  'LEAKHOUND_SNAPSHOT_HEAP_SHARE',
  'LEAKHOUND_SNAPSHOT_MAX',
  'LEAKHOUND_SNAPSHOT_COOLDOWN',
  'LEAKHOUND_SNAPSHOT_SIGNAL',
  'LEAKHOUND_SNAPSHOT_MAX_HEAP',
  'LEAKHOUND_HEALTH_PORT',
  'LEAKHOUND_HEALTH_HOST',
  'LEAKHOUND_DEGRADED_WITHIN',
  'LEAKHOUND_DEGRADED_HEAP_SHARE',
] as const;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZES: Record<string, number> = { b: 1, kb: 1024, k: 1024, mb: 1024 ** 2, m: 1024 ** 2, gb: 1024 ** 3, g: 1024 ** 3 };

/** "90s", "10m", "4h", "2d", "1500" (ms) -> ms; null when malformed. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?\s*$/i.exec(text);
  if (match === null) return null;
  const unit = UNITS[(match[2] ?? 'ms').toLowerCase()] ?? 1;
  return Number(match[1]) * unit;
}

/** "2MB", "512kb", "1g", "1048576" -> bytes; null when malformed. */
export function parseBytes(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?b?|[kmg])?\s*$/i.exec(text);
  if (match === null) return null;
  const unit = SIZES[(match[2] || 'b').toLowerCase()];
  return unit === undefined ? null : Math.round(Number(match[1]) * unit);
}

export function parseEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const warnings: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const bool = (name: string): boolean | undefined => {
    const value = get(name);
    if (value === undefined) return undefined;
    if (/^(1|true|yes|on)$/i.test(value)) return true;
    if (/^(0|false|no|off)$/i.test(value)) return false;
    warnings.push(`${name}=${value} ignored: use 1/0, true/false, on/off`);
    return undefined;
  };
  const duration = (name: string): number | undefined => {
    const value = get(name);
    if (value === undefined) return undefined;
    const ms = parseDuration(value);
    if (ms === null || ms <= 0) {
      warnings.push(`${name}=${value} ignored: use a duration like 90s, 10m, 4h, 2d`);
      return undefined;
    }
    return ms;
  };
  const share = (name: string, allowOff: boolean): number | null | undefined => {
    const value = get(name);
    if (value === undefined) return undefined;
    if (allowOff && /^(off|0|none)$/i.test(value)) return null;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > 1) {
      warnings.push(`${name}=${value} ignored: use a share between 0 and 1${allowOff ? ', or off' : ''}`);
      return undefined;
    }
    return n;
  };
  const integer = (name: string, min: number, max: number): number | undefined => {
    const value = get(name);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      warnings.push(`${name}=${value} ignored: use an integer from ${min} to ${max}`);
      return undefined;
    }
    return n;
  };

  const enabled = bool('LEAKHOUND_ENABLED') ?? true;
  const options: AgentOptions = {};
  if (bool('LEAKHOUND_MEMORY') === false) {
    options.memory = false;
  } else {
    const detector: Partial<DetectorOptions> = {};
    setIf(detector, 'warmupMs', duration('LEAKHOUND_WARMUP'));
    setIf(detector, 'minWindowMs', duration('LEAKHOUND_MIN_WINDOW'));
    setIf(detector, 'confirmWindowMs', duration('LEAKHOUND_CONFIRM_WINDOW'));
    setIf(detector, 'maxWindowMs', duration('LEAKHOUND_MAX_WINDOW'));
    const minGrowth = get('LEAKHOUND_MIN_GROWTH');
    if (minGrowth !== undefined) {
      const bytes = parseBytes(minGrowth);
      if (bytes === null) warnings.push(`LEAKHOUND_MIN_GROWTH=${minGrowth} ignored: use a size like 2MB`);
      else detector.minGrowthBytes = bytes;
    }
    const memory: NonNullable<Exclude<AgentOptions['memory'], false>> = { detector };
    setIf(memory, 'evaluateIntervalMs', duration('LEAKHOUND_EVALUATE_INTERVAL'));
    if (bool('LEAKHOUND_SNAPSHOTS') === false) {
      memory.snapshots = false;
    } else {
      const snapshots: Partial<SnapshotOptions> = {};
      setIf(snapshots, 'dir', get('LEAKHOUND_SNAPSHOT_DIR'));
      setIf(snapshots, 'onLeak', bool('LEAKHOUND_SNAPSHOT_ON_LEAK'));
      const heapShare = share('LEAKHOUND_SNAPSHOT_HEAP_SHARE', true);
      if (heapShare !== undefined) snapshots.heapShare = heapShare;
      setIf(snapshots, 'maxCount', integer('LEAKHOUND_SNAPSHOT_MAX', 0, 1000));
      setIf(snapshots, 'cooldownMs', duration('LEAKHOUND_SNAPSHOT_COOLDOWN'));
      const maxHeap = get('LEAKHOUND_SNAPSHOT_MAX_HEAP');
      if (maxHeap !== undefined) {
        const bytes = parseBytes(maxHeap);
        if (bytes === null) warnings.push(`LEAKHOUND_SNAPSHOT_MAX_HEAP=${maxHeap} ignored: use a size like 1GB`);
        else snapshots.maxHeapBytes = bytes;
      }
      const signal = get('LEAKHOUND_SNAPSHOT_SIGNAL');
      if (signal !== undefined) {
        if (/^(off|none|0)$/i.test(signal)) snapshots.signal = null;
        else if (/^SIG[A-Z0-9]+$/.test(signal) && signal !== 'SIGKILL' && signal !== 'SIGSTOP') snapshots.signal = signal as NodeJS.Signals;
        else warnings.push(`LEAKHOUND_SNAPSHOT_SIGNAL=${signal} ignored: use a signal name like SIGUSR2, or off`);
      }
      memory.snapshots = snapshots;
    }
    const health: { degradedWithinMs?: number; degradedHeapShare?: number } = {};
    setIf(health, 'degradedWithinMs', duration('LEAKHOUND_DEGRADED_WITHIN'));
    const degradedShare = share('LEAKHOUND_DEGRADED_HEAP_SHARE', false);
    if (degradedShare !== undefined && degradedShare !== null) health.degradedHeapShare = degradedShare;
    memory.health = health;
    options.memory = memory;
  }
  const port = integer('LEAKHOUND_HEALTH_PORT', 0, 65535);
  if (port !== undefined) options.healthServer = { port, host: get('LEAKHOUND_HEALTH_HOST') ?? '127.0.0.1' };
  return { enabled, options, warnings };
}

function setIf<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
