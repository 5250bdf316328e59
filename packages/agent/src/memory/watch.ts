// Memory watch: sampler -> leak detector -> forecast, state-change log and
// event, guarded snapshots. Every timer is unref'd and every callback body is
// wrapped so nothing reaches the host's code paths.
import { safeLog, type AgentLogger } from '../logger.js';
import { readCgroupMemory, type CgroupMemory, type CgroupPaths } from './cgroup.js';
import { forecastTimeToLimit } from './forecast.js';
import { DEFAULT_HEALTH_OPTIONS, memoryHealth, type AgentHealth, type HealthOptions } from './health.js';
import { MemorySampler, type MemorySample } from './sampler.js';
import { defaultEnvironment, SnapshotGuard, type SnapshotOptions, type SnapshotResult, type SnapshotTrigger } from './snapshots.js';
import { formatDuration, formatMb, LeakDetector, type DetectorOptions, type MemoryState } from './trend.js';

export interface MemoryWatchOptions {
  detector?: Partial<DetectorOptions>;
  /** Samples kept in memory (ring buffer). Default 1024. */
  sampleCapacity?: number;
  /** At most one post-GC sample per this many ms. Default 1000. */
  minSampleIntervalMs?: number;
  /** Fallback sample when no major GC happened for this long. Default 5 min. */
  fallbackSampleAfterMs?: number;
  /** How often the detector is evaluated. Default 60 s. */
  evaluateIntervalMs?: number;
  /** Snapshot settings, or false for no automatic or signal snapshots. */
  snapshots?: Partial<SnapshotOptions> | false;
  health?: Partial<HealthOptions>;
  /** Where to read the cgroup from (tests); default /sys/fs/cgroup and /proc/self/cgroup. */
  cgroup?: CgroupPaths;
  logger: AgentLogger;
}

export interface MemoryReport {
  state: MemoryState;
  slopeBytesPerHour: number;
  confidence: number;
  /** Forecast time to the nearest limit (ms); null when stable. */
  timeToLimitMs: number | null;
  /** The limit the forecast uses (lower of cgroup and V8 heap limit). */
  limitBytes: number;
  limitSource: 'heap' | 'cgroup';
  reason: string;
  /** Window that decided the state (ms). */
  windowMs: number;
  /** Heap right after the last major GC; null before the first one. */
  postGcHeapBytes: number | null;
  heapUsedBytes: number;
  heapLimitBytes: number;
  rssBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  detachedContexts: number;
  nativeContexts: number;
  /** Native contexts now minus the fewest seen: growth means vm contexts/realms are kept alive. */
  nativeContextsGrowth: number;
  /** V8 leak signals seen (detached contexts that survive GCs, native contexts piling up); each is logged once. */
  signals: string[];
  cgroupLimitBytes: number | null;
  cgroupUsageBytes: number | null;
  cgroupVersion: 1 | 2 | null;
  samples: number;
  majorGcs: number;
  /** Wall-clock ms of the last sample. */
  lastSampleAt: number | null;
  snapshots: { taken: number; last: SnapshotResult | null };
}

export interface MemoryStateChange {
  from: MemoryState;
  to: MemoryState;
  message: string;
  report: MemoryReport;
}

export interface MemoryWatchEvents {
  onStateChange?: (change: MemoryStateChange) => void;
  onSnapshot?: (result: SnapshotResult) => void;
  onHealthChange?: (health: AgentHealth) => void;
}

/** Native contexts above the fewest seen before it is worth a log line (workers and vm use a few legitimately). */
const NATIVE_CONTEXT_GROWTH = 10;

export class MemoryWatch {
  readonly sampler: MemorySampler;
  readonly detector: LeakDetector;
  readonly snapshots: SnapshotGuard | null;
  private readonly _logger: AgentLogger;
  private readonly _events: MemoryWatchEvents;
  private readonly _evaluateIntervalMs: number;
  private readonly _health: HealthOptions;
  private readonly _cgroupPaths: CgroupPaths | undefined;
  private _cgroup: CgroupMemory | null = null;
  private _timer: NodeJS.Timeout | null = null;
  private _signalHandler: (() => void) | null = null;
  private _lastPostGc: MemorySample | null = null;
  private _minNativeContexts = Infinity;
  private _report: MemoryReport | null = null;
  private _healthStatus: 'ok' | 'degraded' = 'ok';
  private _detachedStreak = 0;
  private readonly _signals: string[] = [];
  private _stopped = true;

  constructor(options: MemoryWatchOptions, events: MemoryWatchEvents = {}) {
    this._logger = options.logger;
    this._events = events;
    this._evaluateIntervalMs = options.evaluateIntervalMs ?? 60_000;
    this._health = { ...DEFAULT_HEALTH_OPTIONS, ...options.health };
    this._cgroupPaths = options.cgroup;
    this.detector = new LeakDetector(options.detector);
    this.sampler = new MemorySampler({
      capacity: options.sampleCapacity,
      minIntervalMs: options.minSampleIntervalMs,
      fallbackAfterMs: options.fallbackSampleAfterMs,
      onSample: (sample) => this._onSample(sample),
      onError: (error) => safeLog(this._logger, 'debug', `leakhound agent: memory sample failed: ${describe(error)}`),
    });
    this.snapshots = options.snapshots === false ? null : new SnapshotGuard(options.snapshots, defaultEnvironment(options.cgroup));
  }

  start(): void {
    if (!this._stopped) return;
    this._stopped = false;
    this._cgroup = safe(() => readCgroupMemory(this._cgroupPaths)) ?? null;
    try {
      this.sampler.start();
      this.sampler.sample(false);
    } catch (error) {
      // The service runs on without memory samples rather than failing to start.
      safeLog(this._logger, 'warn', `leakhound agent: memory sampling not started: ${describe(error)}`);
    }
    this._timer = setInterval(() => this.evaluate(), this._evaluateIntervalMs);
    this._timer.unref();
    const signal = this.snapshots?.options.signal ?? null;
    if (signal !== null) {
      this._signalHandler = () => {
        // Out of the signal callback: the write blocks, and logging first tells the operator why.
        setImmediate(() => this.snapshot('signal')).unref();
      };
      try {
        process.on(signal, this._signalHandler);
      } catch (error) {
        this._signalHandler = null;
        safeLog(this._logger, 'warn', `leakhound agent: cannot listen for ${signal}: ${describe(error)}`);
      }
    }
  }

  stop(): void {
    if (this._stopped) return;
    this._stopped = true;
    this.sampler.stop();
    if (this._timer !== null) clearInterval(this._timer);
    this._timer = null;
    const signal = this.snapshots?.options.signal ?? null;
    if (signal !== null && this._signalHandler !== null) process.removeListener(signal, this._signalHandler);
    this._signalHandler = null;
  }

  /** The latest evaluation (evaluates now if there was none yet). */
  report(): MemoryReport | null {
    if (this._report === null) this.evaluate();
    return this._report;
  }

  health(): AgentHealth {
    return memoryHealth(this.report(), this._health);
  }

  /** Runs the detector now: updates the report, logs and emits on a state change, takes guarded snapshots. Never throws. */
  evaluate(now = performance.now()): MemoryReport | null {
    try {
      const previous = this._report;
      this._cgroup = safe(() => readCgroupMemory(this._cgroupPaths)) ?? this._cgroup;
      const latest = this.sampler.ring.recent(0);
      if (latest === undefined) return this._report;
      const result = this.detector.evaluate(now);
      const heapFloor = result.floorBytes ?? this._lastPostGc?.heapUsed ?? latest.heapUsed;
      const forecast = forecastTimeToLimit({
        slopeBytesPerHour: result.slopeBytesPerHour,
        heapFloorBytes: heapFloor,
        heapLimitBytes: latest.heapLimit,
        rssBytes: latest.rss,
        cgroupLimitBytes: this._cgroup?.limitBytes ?? null,
      });
      const report: MemoryReport = {
        state: result.state,
        slopeBytesPerHour: result.slopeBytesPerHour,
        confidence: result.confidence,
        timeToLimitMs: result.state === 'stable' ? null : forecast.timeToLimitMs,
        limitBytes: forecast.limitBytes,
        limitSource: forecast.limitSource,
        reason: result.reason,
        windowMs: result.windowMs,
        postGcHeapBytes: this._lastPostGc?.heapUsed ?? null,
        heapUsedBytes: latest.heapUsed,
        heapLimitBytes: latest.heapLimit,
        rssBytes: latest.rss,
        externalBytes: latest.external,
        arrayBuffersBytes: latest.arrayBuffers,
        detachedContexts: latest.detachedContexts,
        nativeContexts: latest.nativeContexts,
        nativeContextsGrowth: Number.isFinite(this._minNativeContexts) ? latest.nativeContexts - this._minNativeContexts : 0,
        signals: this._signals,
        cgroupLimitBytes: this._cgroup?.limitBytes ?? null,
        cgroupUsageBytes: this._cgroup?.usageBytes ?? null,
        cgroupVersion: this._cgroup?.version ?? null,
        samples: this.sampler.ring.size,
        majorGcs: this.sampler.majorGcs,
        lastSampleAt: latest.wallTime,
        snapshots: { taken: this.snapshots?.taken ?? 0, last: this.snapshots?.last ?? null },
      };
      this._report = report;
      this._checkContextSignals(report, latest);
      const from = previous?.state ?? 'stable';
      if (from !== report.state) this._stateChanged(from, report);
      this._maybeAutoSnapshot(from, report);
      const health = memoryHealth(report, this._health);
      if (health.status !== this._healthStatus) {
        this._healthStatus = health.status;
        safeLog(this._logger, health.status === 'degraded' ? 'warn' : 'info', `leakhound agent: health ${health.status}${health.reasons.length ? `: ${health.reasons.join('; ')}` : ''}`, { event: 'health', status: health.status, reasons: health.reasons });
        emit(() => this._events.onHealthChange?.(health));
      }
      return report;
    } catch (error) {
      safeLog(this._logger, 'debug', `leakhound agent: memory evaluation failed: ${describe(error)}`);
      return this._report;
    }
  }

  /** Takes a guarded snapshot now. Never throws; the result says whether and why not. */
  snapshot(trigger: SnapshotTrigger = 'manual'): SnapshotResult | null {
    const guard = this.snapshots;
    if (guard === null) return null;
    try {
      const result = guard.take(trigger, (path, heapUsed) => {
        safeLog(this._logger, 'warn', `leakhound agent: writing heap snapshot ${path} (${trigger}, heap ${formatMb(heapUsed)}); the event loop pauses while it is written`, { event: 'snapshot.start', trigger, path, heapUsedBytes: heapUsed });
      });
      if (result.taken) {
        safeLog(this._logger, 'warn', `leakhound agent: heap snapshot written to ${result.path} in ${((result.durationMs ?? 0) / 1000).toFixed(1)} s`, { event: 'snapshot', ...result });
      } else {
        // The heap-share trigger is re-checked every evaluation: its count/cooldown refusals go to debug, not every minute to the log.
        const level = result.throttled ? 'debug' : trigger === 'leak' || trigger === 'heap-share' ? 'info' : 'warn';
        safeLog(this._logger, level, `leakhound agent: heap snapshot not written: ${result.reason}${result.code ? ` (${result.code})` : ''}`, { event: 'snapshot.skipped', ...result });
      }
      if (!result.throttled) emit(() => this._events.onSnapshot?.(result));
      return result;
    } catch (error) {
      safeLog(this._logger, 'warn', `leakhound agent: heap snapshot failed: ${describe(error)}`);
      return null;
    }
  }

  private _onSample(sample: MemorySample): void {
    if (sample.nativeContexts < this._minNativeContexts) this._minNativeContexts = sample.nativeContexts;
    // Only post-GC samples feed the detector: a fallback sample includes garbage, and
    // an idle heap's old generation creeps up between rare major GCs, a slow ramp
    // that would read as growth. Fallback samples still refresh the report.
    if (sample.postGc) {
      this._lastPostGc = sample;
      this.detector.add(sample.at, sample.heapUsed);
    }
  }

  // V8's own leak signals: a context detached (e.g. a vm context or a closed
  // realm) that survives several GCs, or native contexts piling up. Logged once each.
  private _checkContextSignals(report: MemoryReport, latest: MemorySample): void {
    this._detachedStreak = latest.postGc && latest.detachedContexts > 0 ? this._detachedStreak + 1 : latest.detachedContexts > 0 ? this._detachedStreak : 0;
    if (this._detachedStreak >= 3) this._signal('detached-contexts', `V8 reports ${latest.detachedContexts} detached context(s) surviving ${this._detachedStreak} evaluations: something still references a context that was closed`);
    if (report.nativeContextsGrowth >= NATIVE_CONTEXT_GROWTH) this._signal('native-contexts', `V8 native contexts grew by ${report.nativeContextsGrowth} to ${report.nativeContexts} (vm contexts or realms kept alive)`);
  }

  private _signal(key: string, message: string): void {
    if (this._signals.some((s) => s.startsWith(`${key}:`)) || this._signals.length >= 8) return;
    this._signals.push(`${key}: ${message}`);
    safeLog(this._logger, 'warn', `leakhound agent: ${message}`, { event: 'memory.signal', signal: key });
  }

  private _stateChanged(from: MemoryState, report: MemoryReport): void {
    const message = describeState(report);
    const level = report.state === 'leaking' ? 'warn' : from === 'leaking' ? 'info' : 'debug';
    safeLog(this._logger, level, `leakhound agent: ${message}`, {
      event: 'memory.state',
      from,
      to: report.state,
      slopeBytesPerHour: Math.round(report.slopeBytesPerHour),
      timeToLimitMs: report.timeToLimitMs === null ? null : Math.round(report.timeToLimitMs),
      confidence: Number(report.confidence.toFixed(4)),
      postGcHeapBytes: report.postGcHeapBytes,
      limitBytes: report.limitBytes,
      limitSource: report.limitSource,
      reason: report.reason,
    });
    emit(() => this._events.onStateChange?.({ from, to: report.state, message, report }));
  }

  private _maybeAutoSnapshot(from: MemoryState, report: MemoryReport): void {
    const guard = this.snapshots;
    if (guard === null) return;
    if (guard.options.onLeak && report.state === 'leaking' && from !== 'leaking') {
      this.snapshot('leak');
      return;
    }
    const share = guard.options.heapShare;
    if (share !== null && report.postGcHeapBytes !== null && report.postGcHeapBytes >= share * report.heapLimitBytes) this.snapshot('heap-share');
  }
}

/** "leaking 4.1 MB/h, heap limit reached in ~3.2 days" */
export function describeState(report: MemoryReport): string {
  if (report.state === 'stable') return `memory stable (${report.reason})`;
  const rate = `${formatMb(report.slopeBytesPerHour)}/h`;
  const limit = report.limitSource === 'cgroup' ? 'container memory limit' : 'heap limit';
  const when = report.timeToLimitMs === null ? '' : `, ${limit} reached in ~${formatDuration(report.timeToLimitMs)}`;
  return `memory ${report.state} ${rate}${when}`;
}

function emit(fn: () => void): void {
  try {
    fn();
  } catch {
    // A throwing listener must not break the agent or reach the host.
  }
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
