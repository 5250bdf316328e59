// mysql2 pools (callback API, and the promise API through its `.pool`). The pool's
// 'acquire'/'release' events are not emitted when a returned connection is handed
// straight to a queued borrower, so the core pool's getConnection/releaseConnection
// are wrapped instead (query(), execute() and connection.release() all go through them).
import { SelfReturningCalls, isFunction, undoAll, threadIdOf, patchMethod, type AnyFunction } from './patch.js';
import type { BorrowHooks, PoolAdapter, PoolStats } from './types.js';

interface Sized {
  length: number;
}
interface Mysql2CorePool {
  getConnection: AnyFunction;
  releaseConnection: AnyFunction;
  _allConnections: Sized;
  _freeConnections: Sized;
  _connectionQueue: Sized;
  config?: { connectionLimit?: number };
}

function isCorePool(pool: unknown): pool is Mysql2CorePool {
  if (pool === null || typeof pool !== 'object') return false;
  const p = pool as Record<string, unknown>;
  return isFunction(p.getConnection) && isFunction(p.releaseConnection) && isSized(p._allConnections) && isSized(p._freeConnections) && isSized(p._connectionQueue);
}

function isSized(value: unknown): value is Sized {
  return value !== null && typeof value === 'object' && typeof (value as Sized).length === 'number';
}

/** The callback-API pool behind a mysql2 pool of either API, or undefined. */
export function mysql2CorePool(pool: unknown): Mysql2CorePool | undefined {
  if (isCorePool(pool)) return pool;
  const inner = pool !== null && typeof pool === 'object' ? (pool as { pool?: unknown }).pool : undefined;
  return isCorePool(inner) ? inner : undefined;
}

// mysql2 has no acquire timeout; these are its "pool is full" refusals.
const EXHAUSTED = new Set(['No connections available.', 'Queue limit reached.']);

export class Mysql2PoolAdapter implements PoolAdapter {
  readonly kind = 'mysql2' as const;
  private _undo: Array<() => void> = [];

  constructor(private readonly _pool: Mysql2CorePool) {}

  stats(): PoolStats {
    const pool = this._pool;
    const total = pool._allConnections.length;
    const idle = pool._freeConnections.length;
    return { total, active: total - idle, idle, waiting: pool._connectionQueue.length, max: pool.config?.connectionLimit || undefined };
  }

  attach(hooks: BorrowHooks): void {
    const internal = new SelfReturningCalls();
    this._undo.push(...internal.wrap(this._pool, ['query', 'execute']));
    this._undo.push(
      patchMethod(this._pool, 'getConnection', (original) =>
        function getConnection(this: unknown, ...args: unknown[]): unknown {
          const callback = args[0];
          if (!isFunction(callback)) return original.apply(this, args);
          const borrow = hooks.begin(internal.callerOr(getConnection));
          return original.call(this, (error: unknown, connection: unknown) => {
            if (error) hooks.failed(borrow, error, error instanceof Error && EXHAUSTED.has(error.message));
            else if (connection !== null && typeof connection === 'object') hooks.acquired(borrow, connection, threadIdOf(connection));
            return callback(error, connection);
          });
        },
      ),
    );
    this._undo.push(
      patchMethod(this._pool, 'releaseConnection', (original) =>
        function releaseConnection(this: unknown, ...args: unknown[]): unknown {
          const connection = args[0];
          if (connection !== null && typeof connection === 'object') hooks.released(connection);
          return original.apply(this, args);
        },
      ),
    );
  }

  detach(): void {
    undoAll(this._undo);
  }
}
