// HikariCP's leak detection, for one pool: every tracked borrow gets a deadline
// (borrow time + threshold) on one shared timer; past it, a warning with the
// borrower's stack and context; if it comes back later, an "unleaked" notice.
// With the threshold at 0 the pool gets NO_LEAK_DETECTION, which does nothing.
import diagnosticsChannel from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { describeContext } from '../context/request-context.js';
import { CHANNELS, publish } from '../diagnostics.js';
import { safeLog, type AgentLogger } from '../logger.js';
import { watchDeadlines, type DeadlineWatch } from './deadlines.js';
import { leakLine, unleakLine } from './format.js';
import { missingFramesReason, userFrames } from './stack.js';
import type { Borrow, LeakReport } from './types.js';

const leakChannel = diagnosticsChannel.channel(CHANNELS.poolLeak);
const unleakChannel = diagnosticsChannel.channel(CHANNELS.poolUnleak);

export interface LeakDetector {
  /** The borrow got its connection: start its clock. */
  track(borrow: Borrow): void;
  /** The connection came back after `heldMs`. */
  returned(borrow: Borrow, heldMs: number): void;
  /** Connections reported as leaked and not returned yet. */
  readonly outstanding: number;
  stop(): void;
}

export const NO_LEAK_DETECTION: LeakDetector = { track() {}, returned() {}, outstanding: 0, stop() {} };

export interface LeakDetectorOptions {
  pool: string;
  thresholdMs: number;
  logger: AgentLogger;
  maxFrames: number;
  onLeak?: (report: LeakReport) => void;
  /** Called once per leak (the metrics counter). */
  counted: () => void;
}

export function createLeakDetector(options: LeakDetectorOptions): LeakDetector {
  return options.thresholdMs > 0 ? new ThresholdLeakDetector(options) : NO_LEAK_DETECTION;
}

class ThresholdLeakDetector implements LeakDetector {
  outstanding = 0;
  private readonly _deadlines: DeadlineWatch<Borrow>;

  constructor(private readonly _options: LeakDetectorOptions) {
    this._deadlines = watchDeadlines(_options.thresholdMs, (b: Borrow) => b.acquiredAt, (b, held) => this._report(b, held), () => performance.now());
  }

  track(borrow: Borrow): void {
    this._deadlines.add(borrow);
  }

  returned(borrow: Borrow, heldMs: number): void {
    this._deadlines.delete(borrow);
    if (!borrow.reported) return;
    this.outstanding--;
    const { pool, logger } = this._options;
    safeLog(logger, 'info', unleakLine(pool, borrow.connectionId, heldMs));
    publish(unleakChannel, { pool, connectionId: borrow.connectionId, heldMs: Math.round(heldMs) });
  }

  stop(): void {
    this._deadlines.stop();
    this.outstanding = 0;
  }

  private _report(borrow: Borrow, heldMs: number): void {
    const { pool, logger, maxFrames, onLeak } = this._options;
    borrow.reported = true;
    this.outstanding++;
    this._options.counted();
    const frames = userFrames(borrow.trace, maxFrames);
    const context = describeContext(borrow.context);
    const message = leakLine(pool, borrow.connectionId, heldMs, context, frames, missingFramesReason(borrow.trace));
    safeLog(logger, 'warn', message);
    const report: LeakReport = { pool, connectionId: borrow.connectionId, heldMs: Math.round(heldMs), context, requestContext: borrow.context, stack: frames, message };
    publish(leakChannel, report);
    if (onLeak === undefined) return;
    try {
      onLeak(report);
    } catch {
      // The host's callback failing is not the host's request failing.
    }
  }
}
