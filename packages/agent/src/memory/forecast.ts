// Time until the process hits a memory limit, from the post-GC floor's slope:
// against V8's heap limit (heap floor vs heap_size_limit) and, in a container,
// the cgroup limit (RSS vs memory.max), whichever comes first.

export interface ForecastInput {
  slopeBytesPerHour: number;
  heapFloorBytes: number;
  heapLimitBytes: number;
  rssBytes: number;
  cgroupLimitBytes: number | null;
}

export interface Forecast {
  /** ms until the nearest limit at the current slope; null when not growing. */
  timeToLimitMs: number | null;
  /** The limit that comes first. */
  limitBytes: number;
  limitSource: 'heap' | 'cgroup';
}

export function forecastTimeToLimit(input: ForecastInput): Forecast {
  const perMs = input.slopeBytesPerHour / 3_600_000;
  const heapHeadroom = Math.max(0, input.heapLimitBytes - input.heapFloorBytes);
  const cgroupHeadroom = input.cgroupLimitBytes === null ? Infinity : Math.max(0, input.cgroupLimitBytes - input.rssBytes);
  const source: 'heap' | 'cgroup' = cgroupHeadroom < heapHeadroom ? 'cgroup' : 'heap';
  const limitBytes = source === 'cgroup' ? (input.cgroupLimitBytes as number) : input.heapLimitBytes;
  const headroom = Math.min(heapHeadroom, cgroupHeadroom);
  return { timeToLimitMs: perMs > 0 ? headroom / perMs : null, limitBytes, limitSource: source };
}
