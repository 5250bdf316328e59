// monitorPool() options, checked once, with their defaults.
import { LeakhoundAgentError } from '../errors.js';
import { consoleLogger, type AgentLogger } from '../logger.js';
import type { PoolMonitorOptions } from './types.js';

export type StackCapture = 'every' | 'adaptive' | 'off';

export interface MonitorSettings {
  name?: string;
  leakDetectionThreshold: number;
  statsInterval: number;
  statsOnlyWhenChanged: boolean;
  acquireWarningMs: number;
  /** 'every' borrow, 'adaptive' (sampled while healthy, every borrow while a leak is outstanding or a hold is long), or 'off'. */
  captureStacks: StackCapture;
  logger: AgentLogger;
  maxTrackedHolders: number;
  maxStackFrames: number;
}

export function monitorSettings(options: PoolMonitorOptions): MonitorSettings {
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
    captureStacks: stackCapture(options.captureStacks, leakDetectionThreshold > 0 || acquireWarningMs > 0),
    logger,
    maxTrackedHolders: count('maxTrackedHolders', 1000),
    maxStackFrames: count('maxStackFrames', 10),
  };
}

function stackCapture(value: PoolMonitorOptions['captureStacks'], detecting: boolean): StackCapture {
  if (value === undefined) return detecting ? 'every' : 'off';
  if (value === true) return 'every';
  if (value === false) return 'off';
  if (value === 'adaptive') return 'adaptive';
  throw optionError('captureStacks', 'true, false or "adaptive"');
}

export function optionError(option: string, accepts: string): LeakhoundAgentError {
  return new LeakhoundAgentError('LH_ERR_AGENT_OPTIONS', `monitorPool: option "${option}" must be ${accepts}`);
}
