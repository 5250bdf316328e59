// HikariCP's leak detection, for one pool: every tracked borrow has a deadline
// (borrow time + threshold) on one shared timer; past it, a warning with the
// borrower's stack and context; if it comes back later, an "unleaked" notice.
// The holders come from the holder registry, already in borrow (so deadline) order:
// no second collection to update on every borrow and return.
// With the threshold at 0 the pool gets NO_LEAK_DETECTION, which does nothing.
import diagnosticsChannel from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { describeContext } from '../context/request-context.js';
import { CHANNELS, publish } from '../diagnostics.js';
import { safeLog, type AgentLogger } from '../logger.js';
import { leakLine, unleakLine } from './format.js';
import { missingFramesReason, userFrames } from './stack.js';
import type { Borrow, LeakReport } from './types.js';

const leakChannel = diagnosticsChannel.channel(CHANNELS.poolLeak);
const unleakChannel = diagnosticsChannel.channel(CHANNELS.poolUnleak);

export interface LeakDetector {
  /** The borrow got its connection and is in the holders: make sure the timer runs. */
  track(): void;
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
  /** The tracked borrows now holding a connection, oldest first. */
  holders: () => Iterable<Borrow>;
}

export function createLeakDetector(options: LeakDetectorOptions): LeakDetector {
  return options.thresholdMs > 0 ? new ThresholdLeakDetector(options) : NO_LEAK_DETECTION;
}

class ThresholdLeakDetector implements LeakDetector {
  outstanding = 0;
  private _timer: NodeJS.Timeout | undefined;

  constructor(private readonly _options: LeakDetectorOptions) {}

  track(): void {
    if (this._timer === undefined) this._arm(this._options.thresholdMs);
  }

  returned(borrow: Borrow, heldMs: number): void {
    // The timer stays armed; when it fires with nothing due it re-arms for the oldest holder or stops.
    if (!borrow.reported) return;
    this.outstanding--;
    const { pool, logger } = this._options;
    safeLog(logger, 'info', unleakLine(pool, borrow.connectionId, heldMs));
    publish(unleakChannel, { pool, connectionId: borrow.connectionId, heldMs: Math.round(heldMs) });
  }

  stop(): void {
    if (this._timer !== undefined) clearTimeout(this._timer);
    this._timer = undefined;
    this.outstanding = 0;
  }

  private _arm(ms: number): void {
    this._timer = setTimeout(() => this._fire(), Math.max(1, Math.ceil(ms)));
    this._timer.unref();
  }

  private _fire(): void {
    this._timer = undefined;
    const threshold = this._options.thresholdMs;
    const now = performance.now();
    const due: Array<[Borrow, number]> = [];
    for (const borrow of this._options.holders()) {
      if (borrow.reported) continue;
      const held = now - borrow.acquiredAt;
      if (held < threshold) {
        this._arm(threshold - held);
        break;
      }
      due.push([borrow, held]);
    }
    // Reported after the walk: a logger or onLeak releasing a connection must not change the map under the loop.
    for (const [borrow, held] of due) {
      try {
        this._report(borrow, held);
      } catch {
        // A failing report must not stop the later ones or the timer.
      }
    }
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
