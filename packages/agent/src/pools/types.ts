// Shapes shared by the pool monitor and its adapters.
import type { RequestContext } from '../context/request-context.js';
import type { AgentLogger } from '../logger.js';
import type { OtelMeterProviderLike, PromRegistryLike } from '../metrics/types.js';
import type { CapturedStack, StackCaller } from './stack.js';

/** Counts in HikariCP's terms: active = lent out, idle = ready in the pool, waiting = borrowers queued. */
export interface PoolStats {
  total: number;
  active: number;
  idle: number;
  waiting: number;
  /** The pool's configured maximum size, when the pool exposes it. */
  max?: number;
}

/** One connection currently lent out, as data (oldest first in every list). */
export interface HolderInfo {
  connectionId: number;
  heldMs: number;
  /** Epoch milliseconds of the borrow. */
  borrowedAt: number;
  /** "GET /coupons/stats" or the context's label, when the borrow ran inside a request context. */
  context?: string;
  /** First user frame of the borrower's stack ("/srv/app/stats.ts:21:30"). */
  frame?: string;
  /** The borrower's stack trimmed to user frames (empty when stacks are not captured). */
  stack: string[];
  /** True once a leak warning was logged for it. */
  leaked: boolean;
}

export interface LeakReport {
  pool: string;
  connectionId: number;
  heldMs: number;
  context?: string;
  requestContext?: RequestContext;
  stack: string[];
  /** The exact warning text that was logged. */
  message: string;
}

export interface PoolMonitorOptions {
  /** Shown in every log line and metric; default "<kind>-<n>". */
  name?: string;
  /** ms a connection may be held before a leak warning; 0 = off (default). HikariCP's minimum is 2000. */
  leakDetectionThreshold?: number;
  /** ms between "Pool stats" log lines; 0 = off (default). */
  statsInterval?: number;
  /** Log a stats line only when a number changed since the last one. Default false. */
  statsOnlyWhenChanged?: boolean;
  /** ms a borrower may wait before an exhaustion warning with stats and holders; 0 = off (default). */
  acquireWarningMs?: number;
  /**
   * Capture the borrower's stack; default: true (every borrow) when leakDetectionThreshold or acquireWarningMs is set.
   * 'adaptive': every borrow while a reported leak is outstanding or the oldest holder has been held for a quarter of
   * leakDetectionThreshold (or acquireWarningMs, the smaller), else one borrow in 256 on average (cheaper, but a leak
   * borrowed while no other connection was held long names its frame only if it was sampled; the route is always known).
   */
  captureStacks?: boolean | 'adaptive';
  logger?: AgentLogger;
  onLeak?: (report: LeakReport) => void;
  /** Cap on connections tracked with their stacks (more are counted, not tracked). Default 1000. */
  maxTrackedHolders?: number;
  /** Cap on user frames kept per stack. Default 10. */
  maxStackFrames?: number;
  /** A prom-client Registry to register the pool metrics with. */
  registry?: PromRegistryLike;
  /** An OpenTelemetry MeterProvider; default: the global one when @opentelemetry/api is installed. */
  meterProvider?: OtelMeterProviderLike;
}

/** The connection a tracked borrow holds, as the holder registry keeps it. */
export interface BorrowSlot {
  holder: Borrow | undefined;
}

/** One borrow, from the request until the connection comes back. */
export class Borrow {
  connectionId = 0;
  acquiredAt = 0;
  reported = false;
  /** Set while the holder registry tracks this borrow; `older`/`newer` link the tracked borrows in borrow order. */
  slot: BorrowSlot | undefined = undefined;
  older: Borrow | undefined = undefined;
  newer: Borrow | undefined = undefined;

  constructor(
    readonly requestedAt: number,
    readonly trace: CapturedStack,
    readonly context: RequestContext | undefined,
  ) {}
}

/** What an adapter calls while observing its pool. Implementations never throw. */
export interface BorrowHooks {
  /**
   * Called synchronously in the borrower's call; `caller` is the frame to cut the stack above, or
   * undefined for a borrow the pool library returns by itself (pool.query()): no stack is captured for
   * those, since they cannot be left unreturned by user code and capturing costs about a microsecond.
   * `site`: a stack the adapter captured earlier at the user's call, for pools that borrow on a later tick.
   */
  begin(caller: StackCaller | undefined, site?: CapturedStack): Borrow;
  /** The stack at `caller`'s call, as the captureStacks setting wants it, for a borrow that happens on a later tick (knex transactions): pass it to begin() as `site`. */
  siteStack(caller: StackCaller): CapturedStack;
  /** `key` identifies the connection until it is released; `id` is the pool's own id for it (mysql thread id), if any. */
  acquired(borrow: Borrow, key: object, id?: number): void;
  /** The borrow failed; `exhausted` when the failure is the pool's acquire timeout or full queue. */
  failed(borrow: Borrow, error: unknown, exhausted: boolean): void;
  released(key: object): void;
}

export type PoolKind = 'pg' | 'mysql2' | 'mariadb' | 'generic-pool' | 'tarn' | 'knex';

export interface PoolAdapter {
  readonly kind: PoolKind;
  stats(): PoolStats;
  attach(hooks: BorrowHooks): void;
  detach(): void;
}
