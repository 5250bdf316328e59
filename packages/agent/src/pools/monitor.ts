// monitorPool(): observes one pool through its adapter, keeps the current holders
// with their borrow stack and request context, and reports leaks, exhaustion,
// stats and metrics. Every hook runs inside try/catch: the host's borrow and
// release paths never see an error from here.
import diagnosticsChannel from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { currentContext } from '../context/request-context.js';
import { CHANNELS, publish } from '../diagnostics.js';
import { LeakhoundAgentError } from '../errors.js';
import { safeLog } from '../logger.js';
import { watchDeadlines, type DeadlineWatch } from './deadlines.js';
import { adapterFor } from './detect.js';
import { exhaustionLines, exhaustionSuffix, statsLine, type ExhaustionReason } from './format.js';
import { HolderRegistry } from './holders.js';
import { createLeakDetector, type LeakDetector } from './leak-detector.js';
import { monitorSettings, type MonitorSettings } from './options.js';
import { PoolMetrics } from './pool-metrics.js';
import { captureStack, libraryBorrow, noStack, notSampled, type CapturedStack, type StackCaller } from './stack.js';
import { Borrow, type BorrowHooks, type HolderInfo, type PoolAdapter, type PoolKind, type PoolMonitorOptions, type PoolStats } from './types.js';

const exhaustedChannel = diagnosticsChannel.channel(CHANNELS.poolExhausted);
const statsChannel = diagnosticsChannel.channel(CHANNELS.poolStats);

const now = (): number => performance.now();
const SLOW_REPORT_MIN_GAP_MS = 1000;
// captureStacks 'adaptive' while no leak is outstanding: one borrow in ADAPTIVE_MEAN_GAP on average, at
// random gaps (1..2*mean-1) so that a fixed pattern of borrow sites cannot always dodge the sample;
// every borrow while the oldest holder has been held for 1/LONG_HOLD_FRACTION of the threshold
// (a leak in the making: the borrows that follow it, and so the next leaks, are named before any report).
const ADAPTIVE_MEAN_GAP = 256;
const nextGap = (): number => 1 + Math.floor(Math.random() * (2 * ADAPTIVE_MEAN_GAP - 1));
const LONG_HOLD_FRACTION = 4;

/** A pool, its stats and its current holders, as `agent.pools()` returns them. */
export interface PoolReport {
  name: string;
  kind: PoolKind;
  stats: PoolStats;
  holders: HolderInfo[];
}

const monitors = new Set<PoolMonitor>();
const monitoredPools = new WeakMap<object, PoolMonitor>();
const kindCounters = new Map<string, number>();

/**
 * Starts watching `pool` (pg.Pool, a mysql2 pool, a mariadb pool, a generic-pool, a tarn pool or a knex instance).
 * Throws LH_ERR_POOL_UNSUPPORTED for anything else and LH_ERR_AGENT_OPTIONS for bad options.
 */
export function monitorPool(pool: unknown, options: PoolMonitorOptions = {}): PoolMonitor {
  const settings = monitorSettings(options);
  const adapter = adapterFor(pool);
  const target = pool as object;
  const existing = monitoredPools.get(target);
  if (existing !== undefined) {
    throw new LeakhoundAgentError('LH_ERR_AGENT_OPTIONS', `monitorPool: this pool is already monitored as "${existing.name}"; call stop() on that monitor first`);
  }
  const monitor = new PoolMonitor(adapter, settings, options);
  monitoredPools.set(target, monitor);
  monitor.onStop = () => {
    monitoredPools.delete(target);
    monitors.delete(monitor);
  };
  monitors.add(monitor);
  return monitor;
}

/** Every monitor not yet stopped, in creation order. */
export function listMonitoredPools(): PoolMonitor[] {
  return [...monitors];
}

/** Stats and holders of every monitored pool: what `agent.pools()` returns. */
export function describeMonitoredPools(): PoolReport[] {
  return listMonitoredPools().map((monitor) => monitor.report());
}

export class PoolMonitor implements BorrowHooks {
  readonly name: string;
  readonly kind: PoolKind;
  /** @internal */
  onStop: (() => void) | undefined;

  private readonly _adapter: PoolAdapter;
  private readonly _settings: MonitorSettings;
  private readonly _holders: HolderRegistry;
  private readonly _leaks: LeakDetector;
  private readonly _waits: DeadlineWatch<Borrow>;
  private readonly _metrics: PoolMetrics;
  private _statsTimer: NodeJS.Timeout | undefined;
  private _lastStatsLine: string | undefined;
  private _stopped = false;
  private _lastSlowReport = Number.NEGATIVE_INFINITY;
  private _untilSample = nextGap();
  /** captureStacks 'adaptive': a holder older than this (ms) switches to capturing every borrow. */
  private readonly _longHoldMs: number;

  constructor(adapter: PoolAdapter, settings: MonitorSettings, options: PoolMonitorOptions) {
    this._adapter = adapter;
    this._settings = settings;
    this.kind = adapter.kind;
    this.name = settings.name ?? defaultName(adapter.kind);
    this._holders = new HolderRegistry(settings.maxTrackedHolders, settings.maxStackFrames);
    const limits = [settings.leakDetectionThreshold, settings.acquireWarningMs].filter((ms) => ms > 0);
    this._longHoldMs = limits.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...limits) / LONG_HOLD_FRACTION;
    this._metrics = new PoolMetrics(this.name, () => this.stats(), options);
    this._leaks = createLeakDetector({
      pool: this.name,
      thresholdMs: settings.leakDetectionThreshold,
      logger: settings.logger,
      maxFrames: settings.maxStackFrames,
      onLeak: options.onLeak,
      counted: () => this._metrics.leaked(),
      holders: () => this._holders.borrows(),
    });
    this._waits = watchDeadlines(settings.acquireWarningMs, (b: Borrow) => b.requestedAt, (_b, waited) => this._slowBorrower(waited), now);
    adapter.attach(this);
    if (settings.statsInterval > 0) {
      this._statsTimer = setInterval(() => this._logStats(), settings.statsInterval);
      this._statsTimer.unref();
    }
  }

  /** Borrows not tracked because maxTrackedHolders was reached (they are still in the counts). */
  get untrackedBorrows(): number {
    return this._holders.untracked;
  }

  stats(): PoolStats {
    return this._adapter.stats();
  }

  /** Connections lent out now, oldest first. */
  holders(): HolderInfo[] {
    return this._holders.list();
  }

  report(): PoolReport {
    return { name: this.name, kind: this.kind, stats: this._safeStats(), holders: this.holders() };
  }

  /** Stops observing: restores the pool's methods, removes listeners, timers and metric callbacks. Idempotent. */
  stop(): void {
    if (this._stopped) return;
    this._stopped = true;
    try {
      this._adapter.detach();
    } finally {
      this._leaks.stop();
      this._waits.stop();
      if (this._statsTimer !== undefined) clearInterval(this._statsTimer);
      this._metrics.close();
      this._holders.clear();
      this.onStop?.();
    }
  }

  // --- BorrowHooks: called by the adapter from inside the pool's own code paths ---

  begin(caller: StackCaller | undefined, site?: CapturedStack): Borrow {
    let borrow: Borrow;
    try {
      const at = now();
      borrow = new Borrow(at, this._trace(caller, site, at), currentContext());
      this._waits.add(borrow);
    } catch {
      borrow = new Borrow(now(), noStack(), undefined);
    }
    return borrow;
  }

  siteStack(caller: StackCaller): CapturedStack {
    try {
      return this._trace(caller, undefined);
    } catch {
      return noStack();
    }
  }

  acquired(borrow: Borrow, key: object, id?: number): void {
    // A borrow started before stop() may complete after it: nothing may be re-armed then.
    if (this._stopped) return;
    try {
      this._waits.delete(borrow);
      const at = now();
      borrow.acquiredAt = at;
      this._metrics.waited(at - borrow.requestedAt);
      const replaced = this._holders.add(key, borrow, id);
      // Lent again without a release we saw (the pool dropped it silently): forget the old borrow.
      if (replaced !== undefined) this._leaks.returned(replaced, at - replaced.acquiredAt);
      if (borrow.slot !== undefined) this._leaks.track();
    } catch {
      // Observation only.
    }
  }

  failed(borrow: Borrow, error: unknown, exhausted: boolean): void {
    if (this._stopped) return;
    try {
      this._waits.delete(borrow);
      if (!exhausted) return;
      this._metrics.timedOut();
      const message = error instanceof Error ? error.message : String(error);
      const { stats, holders } = this._reportExhausted('timeout', now() - borrow.requestedAt, message);
      annotateError(error, exhaustionSuffix(this.name, stats, holders), { pool: this.name, stats, holders });
    } catch {
      // Observation only.
    }
  }

  released(key: object): void {
    try {
      const borrow = this._holders.take(key);
      if (borrow === undefined) return;
      // The clock is read only when something uses the hold time: most returns need none.
      if (this._metrics.recording || borrow.reported) {
        const held = now() - borrow.acquiredAt;
        this._metrics.used(held);
        this._leaks.returned(borrow, held);
      }
    } catch {
      // Observation only.
    }
  }

  /** The borrower's stack as the captureStacks setting wants it (V8's capture is most of the monitor's cost per borrow). */
  /** `at`: the borrow's clock reading, when the caller has one (read here only if 'adaptive' needs it). */
  private _trace(caller: StackCaller | undefined, site: CapturedStack | undefined, at?: number): CapturedStack {
    const mode = this._settings.captureStacks;
    if (mode === 'off') return noStack();
    if (site !== undefined) return site;
    if (caller === undefined) return libraryBorrow();
    if (mode === 'adaptive' && this._leaks.outstanding === 0 && !this._longHoldNow(at ?? now())) {
      if (--this._untilSample > 0) return notSampled();
      this._untilSample = nextGap();
    }
    return captureStack(caller);
  }

  private _longHoldNow(at: number): boolean {
    const oldest = this._holders.oldest;
    return oldest !== undefined && at - oldest.acquiredAt >= this._longHoldMs;
  }

  // --- reports ---

  /** One slow-borrower report per window, however many borrowers are waiting: an exhausted pool must not flood the log. */
  private _slowBorrower(waitedMs: number): void {
    const at = now();
    if (at - this._lastSlowReport < Math.max(this._settings.acquireWarningMs, SLOW_REPORT_MIN_GAP_MS)) return;
    this._lastSlowReport = at;
    this._reportExhausted('slow-acquire', waitedMs);
  }

  private _reportExhausted(reason: ExhaustionReason, waitedMs: number, errorMessage?: string): { stats: PoolStats; holders: HolderInfo[] } {
    const stats = this._safeStats();
    const holders = this.holders();
    safeLog(this._settings.logger, 'warn', exhaustionLines(this.name, reason, waitedMs, stats, holders, errorMessage));
    publish(exhaustedChannel, { pool: this.name, reason, waitedMs: Math.round(waitedMs), stats, holders });
    return { stats, holders };
  }

  private _logStats(): void {
    try {
      const stats = this.stats();
      const line = statsLine(this.name, stats);
      if (this._settings.statsOnlyWhenChanged && line === this._lastStatsLine) return;
      this._lastStatsLine = line;
      safeLog(this._settings.logger, 'info', line);
      publish(statsChannel, { pool: this.name, stats });
    } catch {
      // The next tick tries again.
    }
  }

  private _safeStats(): PoolStats {
    try {
      return this.stats();
    } catch {
      return { total: 0, active: 0, idle: 0, waiting: 0 };
    }
  }
}

/** Adds stats and holders to the pool's own error: same object, longer message, plus a `leakhound` property. */
function annotateError(error: unknown, suffix: string, data: object): void {
  if (!(error instanceof Error)) return;
  try {
    error.message = `${error.message} ${suffix}`;
    Object.defineProperty(error, 'leakhound', { value: data, enumerable: false, configurable: true, writable: true });
  } catch {
    // Frozen or exotic error: leave it as it was.
  }
}

function defaultName(kind: string): string {
  const n = (kindCounters.get(kind) ?? 0) + 1;
  kindCounters.set(kind, n);
  return `${kind}-${n}`;
}
