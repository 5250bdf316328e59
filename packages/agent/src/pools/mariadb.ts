// mariadb pools (promise and callback APIs). Their internal pool is private, so
// borrows are seen by wrapping the public getConnection(), and returns by wrapping
// release/end/close/destroy on each lent connection object (a fresh object per
// borrow in mariadb, so nothing shared is patched). pool.query()/execute()/batch()
// borrow and release inside mariadb itself: they show in the counts, not as holders.
import { isFunction, undoAll, threadIdOf, patchMethod, type AnyFunction } from './patch.js';
import type { BorrowHooks, PoolAdapter, PoolStats } from './types.js';

interface MariadbPoolLike {
  getConnection: AnyFunction;
  totalConnections(): number;
  activeConnections(): number;
  idleConnections(): number;
  taskQueueSize(): number;
}

export function isMariadbPool(pool: unknown): pool is MariadbPoolLike {
  if (pool === null || typeof pool !== 'object') return false;
  const p = pool as Record<string, unknown>;
  return isFunction(p.getConnection) && isFunction(p.totalConnections) && isFunction(p.activeConnections) && isFunction(p.idleConnections) && isFunction(p.taskQueueSize);
}

const RETURN_METHODS = ['release', 'end', 'close', 'destroy'];

export class MariadbPoolAdapter implements PoolAdapter {
  readonly kind = 'mariadb' as const;
  private _undo: Array<() => void> = [];

  constructor(private readonly _pool: MariadbPoolLike) {}

  stats(): PoolStats {
    const pool = this._pool;
    return { total: pool.totalConnections(), active: pool.activeConnections(), idle: pool.idleConnections(), waiting: pool.taskQueueSize() };
  }

  attach(hooks: BorrowHooks): void {
    const lend = (borrow: ReturnType<BorrowHooks['begin']>, connection: unknown): void => {
      if (connection === null || typeof connection !== 'object') return;
      for (const name of RETURN_METHODS) {
        if (!isFunction((connection as Record<string, unknown>)[name])) continue;
        patchMethod(connection, name, (original) =>
          function giveBack(this: unknown, ...args: unknown[]): unknown {
            hooks.released(connection);
            return original.apply(this, args);
          },
        );
      }
      hooks.acquired(borrow, connection, threadIdOf(connection));
    };
    this._undo.push(
      patchMethod(this._pool, 'getConnection', (original) =>
        function getConnection(this: unknown, ...args: unknown[]): unknown {
          const borrow = hooks.begin(getConnection);
          const callback = args[0];
          if (isFunction(callback)) {
            return original.call(this, (error: unknown, connection: unknown) => {
              if (error) hooks.failed(borrow, error, isTimeout(error));
              else lend(borrow, connection);
              return callback(error, connection);
            });
          }
          let result: Promise<unknown>;
          try {
            result = original.apply(this, args) as Promise<unknown>;
          } catch (error) {
            // The callback API throws at once when the callback is missing: end the wait we started.
            hooks.failed(borrow, error, false);
            throw error;
          }
          return result.then(
            (connection) => {
              lend(borrow, connection);
              return connection;
            },
            (error: unknown) => {
              hooks.failed(borrow, error, isTimeout(error));
              throw error;
            },
          );
        },
      ),
    );
  }

  detach(): void {
    undoAll(this._undo);
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'ER_GET_CONNECTION_TIMEOUT';
}
