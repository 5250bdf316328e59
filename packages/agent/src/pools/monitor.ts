// monitorPool(): observes one pool through its adapter, keeps the current holders
// with their borrow stack and request context, and reports leaks, exhaustion,
// stats and metrics. Every hook runs inside try/catch: the host's borrow and
// release paths never see an error from here.
import diagnosticsChannel from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { currentContext, describeContext } from '../context/request-context.js';
import { CHANNELS, publish } from '../diagnostics.js';
import { LeakhoundAgentError } from '../errors.js';
import { consoleLogger, safeLog, type AgentLogger } from '../logger.js';
import { watchDeadlines, type DeadlineWatch } from './deadlines.js';
import { adapterFor } from './detect.js';
import { exhaustionLines, exhaustionSuffix, leakLine, statsLine, unleakLine, type ExhaustionReason } from './format.js';
import { PoolMetrics } from './pool-metrics.js';
import { captureStack, frameLocation, libraryBorrow, missingFramesReason, noStack, userFrames, type CapturedStack, type StackCaller } from './stack.js';
import { Borrow, type BorrowHooks, type HolderInfo, type PoolAdapter, type PoolKind, type PoolMonitorOptions, type PoolStats } from './types.js';

const leakChannel = diagnosticsChannel.channel(CHANNELS.poolLeak);
const unleakChannel = diagnosticsChannel.channel(CHANNELS.poolUnleak);
const exhaustedChannel = diagnosticsChannel.channel(CHANNELS.poolExhausted);
const statsChannel = diagnosticsChannel.channel(CHANNELS.poolStats);

const now = (): number => performance.now();

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
  const settings = validate(options);
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

interface Settings {
  name?: string;
  leakDetectionThreshold: number;
  statsInterval: number;
  statsOnlyWhenChanged: boolean;
  acquireWarningMs: number;
  captureStacks: boolean;
  logger: AgentLogger;
  maxTrackedHolders: number;
  maxStackFrames: number;
}

export class PoolMonitor implements BorrowHooks {
  readonly name: string;
  readonly kind: PoolKind;
  /** Borrows not tracked because maxTrackedHolders was reached (they are still in the counts). */
  untrackedBorrows = 0;
  /** @internal */
  onStop: (() => void) | undefined;

  private readonly _adapter: PoolAdapter;
  private readonly _settings: Settings;
  private readonly _onLeak: PoolMonitorOptions['onLeak'];
  private readonly _holders = new Map<object, Borrow>();
  private readonly _connectionIds = new WeakMap<object, number>();
  private _nextConnectionId = 1;
  private readonly _leaks: DeadlineWatch<Borrow>;
  private readonly _waits: DeadlineWatch<Borrow>;
  private readonly _metrics: PoolMetrics;
  private _statsTimer: NodeJS.Timeout | undefined;
  private _lastStatsLine: string | undefined;
  private _stopped = false;

  constructor(adapter: PoolAdapter, settings: Settings, options: PoolMonitorOptions) {
    this._adapter = adapter;
    this._settings = settings;
    this.kind = adapter.kind;
    this.name = settings.name ?? defaultName(adapter.kind);
    this._onLeak = options.onLeak;
    this._leaks = watchDeadlines(settings.leakDetectionThreshold, (b: Borrow) => b.acquiredAt, (b, held) => this._reportLeak(b, held), now);
    this._waits = watchDeadlines(settings.acquireWarningMs, (b: Borrow) => b.requestedAt, (b, waited) => this._reportExhausted('slow-acquire', waited), now);
    this._metrics = new PoolMetrics(this.name, () => this.stats(), options);
    adapter.attach(this);
    if (settings.statsInterval > 0) {
      this._statsTimer = setInterval(() => this._logStats(), settings.statsInterval);
      this._statsTimer.unref();
    }
  }

  stats(): PoolStats {
    return this._adapter.stats();
  }

  /** Connections lent out now, oldest first. */
  holders(): HolderInfo[] {
    const at = now();
    const list: HolderInfo[] = [];
    for (const borrow of this._holders.values()) list.push(this._describe(borrow, at));
    return list;
  }

  report(): PoolReport {
    return { name: this.name, kind: this.kind, stats: safeStats(this), holders: this.holders() };
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
      const trace = !this._settings.captureStacks ? noStack() : (site ?? (caller === undefined ? libraryBorrow() : captureStack(caller)));
      borrow = new Borrow(now(), trace, currentContext());
      this._waits.add(borrow);
    } catch {
      borrow = new Borrow(now(), noStack(), undefined);
    }
    return borrow;
  }

  acquired(borrow: Borrow, key: object, id?: number): void {
    try {
      this._waits.delete(borrow);
      borrow.acquiredAt = now();
      this._metrics.waited(borrow.acquiredAt - borrow.requestedAt);
      borrow.connectionId = id ?? this._connectionId(key);
      const previous = this._holders.get(key);
      if (previous !== undefined) {
        // Lent again without a release we saw (the pool dropped it silently): forget the old borrow.
        this._holders.delete(key);
        this._leaks.delete(previous);
      } else if (this._holders.size >= this._settings.maxTrackedHolders) {
        this.untrackedBorrows++;
        return;
      }
      this._holders.set(key, borrow);
      this._leaks.add(borrow);
    } catch {
      // Observation only.
    }
  }

  failed(borrow: Borrow, error: unknown, exhausted: boolean): void {
    try {
      this._waits.delete(borrow);
      if (!exhausted) return;
      this._metrics.timedOut();
      const waited = now() - borrow.requestedAt;
      const message = error instanceof Error ? error.message : String(error);
      const holders = this._reportExhausted('timeout', waited, message);
      annotateError(error, exhaustionSuffix(this.name, safeStats(this), holders), { pool: this.name, stats: safeStats(this), holders });
    } catch {
      // Observation only.
    }
  }

  released(key: object): void {
    try {
      const borrow = this._holders.get(key);
      if (borrow === undefined) return;
      this._holders.delete(key);
      this._leaks.delete(borrow);
      const held = now() - borrow.acquiredAt;
      this._metrics.used(held);
      if (borrow.reported) {
        safeLog(this._settings.logger, 'info', unleakLine(this.name, borrow.connectionId, held));
        publish(unleakChannel, { pool: this.name, connectionId: borrow.connectionId, heldMs: Math.round(held) });
      }
    } catch {
      // Observation only.
    }
  }

  // --- reports ---

  private _reportLeak(borrow: Borrow, heldMs: number): void {
    borrow.reported = true;
    this._metrics.leaked();
    const frames = userFrames(borrow.trace, this._settings.maxStackFrames);
    const context = describeContext(borrow.context);
    const message = leakLine(this.name, borrow.connectionId, heldMs, context, frames, missingFramesReason(borrow.trace));
    safeLog(this._settings.logger, 'warn', message);
    const report = { pool: this.name, connectionId: borrow.connectionId, heldMs: Math.round(heldMs), context, requestContext: borrow.context, stack: frames, message };
    publish(leakChannel, report);
    if (this._onLeak !== undefined) {
      try {
        this._onLeak(report);
      } catch {
        // The host's callback failing is not the host's request failing.
      }
    }
  }

  private _reportExhausted(reason: ExhaustionReason, waitedMs: number, errorMessage?: string): HolderInfo[] {
    const stats = safeStats(this);
    const holders = this.holders();
    safeLog(this._settings.logger, 'warn', exhaustionLines(this.name, reason, waitedMs, stats, holders, errorMessage));
    publish(exhaustedChannel, { pool: this.name, reason, waitedMs: Math.round(waitedMs), stats, holders });
    return holders;
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

  private _describe(borrow: Borrow, at: number): HolderInfo {
    const stack = userFrames(borrow.trace, this._settings.maxStackFrames);
    const first = stack[0];
    return {
      connectionId: borrow.connectionId,
      heldMs: Math.round(at - borrow.acquiredAt),
      borrowedAt: Math.round(performance.timeOrigin + borrow.acquiredAt),
      context: describeContext(borrow.context),
      frame: first === undefined ? undefined : frameLocation(first),
      stack,
      leaked: borrow.reported,
    };
  }

  private _connectionId(key: object): number {
    let id = this._connectionIds.get(key);
    if (id === undefined) {
      id = this._nextConnectionId++;
      this._connectionIds.set(key, id);
    }
    return id;
  }
}

function safeStats(monitor: PoolMonitor): PoolStats {
  try {
    return monitor.stats();
  } catch {
    return { total: 0, active: 0, idle: 0, waiting: 0 };
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

function validate(options: PoolMonitorOptions): Settings {
  if (options === null || typeof options !== 'object') throw optionError('options', 'an object');
  const ms = (key: keyof PoolMonitorOptions, fallback: number): number => {
    const value = options[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw optionError(key, 'a number of milliseconds >= 0 (0 turns it off)');
    return value;
  };
  const count = (key: keyof PoolMonitorOptions, fallback: number): number => {
    const value = options[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw optionError(key, 'an integer >= 1');
    return value;
  };
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) throw optionError('name', 'a non-empty string');
  if (options.onLeak !== undefined && typeof options.onLeak !== 'function') throw optionError('onLeak', 'a function');
  const logger = options.logger ?? consoleLogger;
  if (typeof logger !== 'object' || logger === null || typeof logger.warn !== 'function' || typeof logger.info !== 'function') {
    throw optionError('logger', 'an object with warn() and info() methods (console, pino, winston)');
  }
  const leakDetectionThreshold = ms('leakDetectionThreshold', 0);
  const acquireWarningMs = ms('acquireWarningMs', 0);
  return {
    name: options.name,
    leakDetectionThreshold,
    statsInterval: ms('statsInterval', 0),
    statsOnlyWhenChanged: options.statsOnlyWhenChanged === true,
    acquireWarningMs,
    captureStacks: options.captureStacks ?? (leakDetectionThreshold > 0 || acquireWarningMs > 0),
    logger,
    maxTrackedHolders: count('maxTrackedHolders', 1000),
    maxStackFrames: count('maxStackFrames', 10),
  };
}

function optionError(option: string, accepts: string): LeakhoundAgentError {
  return new LeakhoundAgentError('LH_ERR_AGENT_OPTIONS', `monitorPool: option "${option}" must be ${accepts}`);
}
