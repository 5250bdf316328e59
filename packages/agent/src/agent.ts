// startAgent(): memory watch, health (method and optional HTTP endpoint),
// metrics, pool reports, in one object the host can stop.
import { EventEmitter } from 'node:events';
import { LeakhoundAgentError } from './errors.js';
import { HealthServer, type HealthServerOptions } from './health-server.js';
import { consoleLogger, safeLog, type AgentLogger } from './logger.js';
import { MetricsBridge } from './metrics/bridge.js';
import type { OtelMeterProviderLike, PromRegistryLike } from './metrics/types.js';
import { memoryHealth, type AgentHealth } from './memory/health.js';
import { registerMemoryMetrics } from './memory/metrics.js';
import type { SnapshotResult } from './memory/snapshots.js';
import { MemoryWatch, type MemoryReport, type MemoryStateChange, type MemoryWatchOptions } from './memory/watch.js';
import { describeMonitoredPools, type PoolReport } from './pools/monitor.js';
import { parseEnv } from './config.js';
import { startControlFromEnv } from './control/index.js';

export interface AgentOptions {
  logger?: AgentLogger;
  /** Memory watch settings, or false to turn it off. */
  memory?: false | Omit<MemoryWatchOptions, 'logger'>;
  /** HTTP health endpoint (GET /health, /memory); off unless given. Host defaults to 127.0.0.1. */
  healthServer?: false | HealthServerOptions;
  /** prom-client registry to register the memory metrics on. */
  registry?: PromRegistryLike;
  /** OpenTelemetry meter provider; default: the global one when @opentelemetry/api is installed. */
  meterProvider?: OtelMeterProviderLike;
  /** false: never look for @opentelemetry/api. */
  otel?: boolean;
}

export interface AgentEvents {
  /** The memory state changed (stable / growing / leaking). */
  'memory.state': [MemoryStateChange];
  /** A snapshot was written, skipped by a guard, or failed. */
  snapshot: [SnapshotResult];
  /** health().status changed. */
  health: [AgentHealth];
}

let current: Agent | null = null;

export class Agent extends EventEmitter<AgentEvents> {
  /** Resolves once the health endpoint listens (or failed to; the failure is logged). */
  readonly ready: Promise<void>;
  private readonly _logger: AgentLogger;
  private readonly _watch: MemoryWatch | null;
  private readonly _bridge: MetricsBridge;
  private readonly _server: HealthServer | null;
  private _healthAddress: { host: string; port: number } | null = null;
  private _stopped = false;

  constructor(options: AgentOptions = {}) {
    super();
    validate(options);
    this._logger = options.logger ?? consoleLogger;
    const memory = options.memory;
    this._watch =
      memory === false
        ? null
        : new MemoryWatch(
            { ...memory, logger: this._logger },
            {
              onStateChange: (change) => this.emit('memory.state', change),
              onSnapshot: (result) => this.emit('snapshot', result),
              onHealthChange: (health) => this.emit('health', health),
            },
          );
    this._bridge = new MetricsBridge({ registry: options.registry, meterProvider: options.meterProvider, otel: options.otel });
    const metrics = this._watch === null ? null : registerMemoryMetrics(this._bridge, () => this._watch?.report() ?? null);
    if (metrics !== null) this.on('snapshot', (result) => (result.taken ? metrics.snapshotTaken(result.trigger) : undefined));
    this._watch?.start();
    this._server = options.healthServer ? new HealthServer(this, options.healthServer) : null;
    this.ready = this._server === null ? Promise.resolve() : this._listen(this._server, options.healthServer as HealthServerOptions);
  }

  /** Address of the health endpoint once listening. */
  get healthAddress(): { host: string; port: number } | null {
    return this._healthAddress;
  }

  get stopped(): boolean {
    return this._stopped;
  }

  /** 'degraded' when the memory forecast reaches the limit within the threshold, or the heap is near it. */
  health(): AgentHealth {
    try {
      return this._watch?.health() ?? memoryHealth(null, { degradedWithinMs: 0, degradedHeapShare: 1 });
    } catch {
      return { status: 'ok', reasons: [], memory: null };
    }
  }

  /** The latest memory evaluation; null when the memory watch is off. */
  memory(): MemoryReport | null {
    try {
      return this._watch?.report() ?? null;
    } catch {
      return null;
    }
  }

  /** Re-evaluates the memory state now (it is evaluated periodically anyway). */
  evaluateMemory(): MemoryReport | null {
    return this._watch?.evaluate() ?? null;
  }

  /** Stats and holders of every monitored pool. */
  pools(): PoolReport[] {
    try {
      return describeMonitoredPools();
    } catch {
      return [];
    }
  }

  /** Writes a guarded heap snapshot now (same guards as automatic ones, minus cooldown and count). */
  snapshot(): SnapshotResult | null {
    return this._watch?.snapshot('manual') ?? null;
  }

  /** Stops every timer, observer, signal listener and the health server: no handle is left behind. */
  async stop(): Promise<void> {
    if (this._stopped) return;
    this._stopped = true;
    if (current === this) current = null;
    try {
      this._watch?.stop();
      this._bridge.close();
      await this.ready;
      await this._server?.close();
    } catch (error) {
      safeLog(this._logger, 'debug', `leakhound agent: stop: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async _listen(server: HealthServer, options: HealthServerOptions): Promise<void> {
    try {
      const address = await server.listen();
      this._healthAddress = { host: address.address, port: address.port };
      safeLog(this._logger, 'info', `leakhound agent: health endpoint on http://${address.address}:${address.port}${options.path ?? '/health'}`);
    } catch (error) {
      safeLog(this._logger, 'warn', `leakhound agent: health endpoint not started on ${options.host ?? '127.0.0.1'}:${options.port}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/**
 * Starts the agent. One per process: while one runs, later calls return it
 * unchanged (the preload and the host's own call can coexist). Throws
 * LH_ERR_AGENT_OPTIONS for invalid options, never afterwards.
 */
export function startAgent(options: AgentOptions = {}): Agent {
  if (current !== null && !current.stopped) return current;
  current = new Agent(options);
  return current;
}

/** The running agent, if any. */
export function currentAgent(): Agent | null {
  return current;
}

/** What the register preload runs: LEAKHOUND_* -> startAgent. Never throws. */
export function startAgentFromEnv(env: NodeJS.ProcessEnv = process.env, logger: AgentLogger = consoleLogger): Agent | null {
  // `leakhound run` sets LEAKHOUND_CONTROL; the channel works even when the agent itself is disabled.
  startControlFromEnv({ logger, env });
  try {
    const config = parseEnv(env);
    for (const warning of config.warnings) safeLog(logger, 'warn', `leakhound agent: ${warning}`);
    if (!config.enabled) return null;
    return startAgent({ ...config.options, logger });
  } catch (error) {
    safeLog(logger, 'warn', `leakhound agent: not started: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

function validate(options: AgentOptions): void {
  const fail = (message: string): never => {
    throw new LeakhoundAgentError('LH_ERR_AGENT_OPTIONS', `startAgent: ${message}`);
  };
  if (options === null || typeof options !== 'object') fail('options must be an object');
  const server = options.healthServer;
  if (server !== undefined && server !== false) {
    if (typeof server !== 'object' || !Number.isInteger(server.port) || server.port < 0 || server.port > 65535) fail('healthServer.port must be an integer from 0 to 65535');
    if (server.host !== undefined && typeof server.host !== 'string') fail('healthServer.host must be a string');
  }
  const memory = options.memory;
  if (memory !== undefined && memory !== false) {
    if (typeof memory !== 'object') fail('memory must be an object or false');
    for (const [key, value] of Object.entries(memory.detector ?? {})) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(`memory.detector.${key} must be a non-negative number`);
    }
    for (const key of ['evaluateIntervalMs', 'sampleCapacity', 'fallbackSampleAfterMs'] as const) {
      const value = memory[key];
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) fail(`memory.${key} must be a positive number`);
    }
    const minInterval = memory.minSampleIntervalMs;
    if (minInterval !== undefined && (typeof minInterval !== 'number' || !Number.isFinite(minInterval) || minInterval < 0)) fail('memory.minSampleIntervalMs must be a non-negative number');
    const snapshots = memory.snapshots;
    if (snapshots !== undefined && snapshots !== false) {
      if (snapshots.dir !== undefined && typeof snapshots.dir !== 'string') fail('memory.snapshots.dir must be a string');
      if (snapshots.heapShare !== undefined && snapshots.heapShare !== null && !(snapshots.heapShare > 0 && snapshots.heapShare <= 1)) fail('memory.snapshots.heapShare must be in (0, 1] or null');
      if (snapshots.maxCount !== undefined && !(Number.isInteger(snapshots.maxCount) && snapshots.maxCount >= 0)) fail('memory.snapshots.maxCount must be a non-negative integer');
      if (snapshots.maxHeapBytes !== undefined && !(typeof snapshots.maxHeapBytes === 'number' && snapshots.maxHeapBytes > 0)) fail('memory.snapshots.maxHeapBytes must be a positive number of bytes');
    }
  }
}
