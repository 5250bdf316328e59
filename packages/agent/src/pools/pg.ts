// pg.Pool (pg-pool): borrows are seen by wrapping the instance's connect() (pool.query()
// goes through it too), returns through the pool's own 'release' event, counts from
// totalCount/idleCount/waitingCount.
import { SelfReturningCalls, isFunction, undoAll, listen, patchMethod, type AnyFunction, type EventSource } from './patch.js';
import type { Borrow, BorrowHooks, PoolAdapter, PoolStats } from './types.js';

interface PgPoolLike extends EventSource {
  connect: AnyFunction;
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

export function isPgPool(pool: unknown): pool is PgPoolLike {
  if (pool === null || typeof pool !== 'object') return false;
  const p = pool as Record<string, unknown>;
  return isFunction(p.connect) && isFunction(p.on) && isFunction(p.removeListener) && typeof p.totalCount === 'number' && typeof p.idleCount === 'number' && typeof p.waitingCount === 'number';
}

const TIMEOUT_MESSAGE = 'timeout exceeded when trying to connect';

export class PgPoolAdapter implements PoolAdapter {
  readonly kind = 'pg' as const;
  private _undo: Array<() => void> = [];

  constructor(private readonly _pool: PgPoolLike) {}

  stats(): PoolStats {
    const pool = this._pool;
    const total = pool.totalCount;
    const idle = pool.idleCount;
    return { total, active: total - idle, idle, waiting: pool.waitingCount, max: pool.options?.max };
  }

  attach(hooks: BorrowHooks): void {
    const internal = new SelfReturningCalls();
    this._undo.push(...internal.wrap(this._pool, ['query']));
    const settle = (borrow: Borrow, error: unknown, client: unknown): void => {
      if (error) hooks.failed(borrow, error, error instanceof Error && error.message === TIMEOUT_MESSAGE);
      else if (client !== null && typeof client === 'object') hooks.acquired(borrow, client);
    };
    // pg-pool's connect() takes at most a callback; no rest arguments, one closure per borrow.
    this._undo.push(
      patchMethod(this._pool, 'connect', (original) =>
        function connect(this: unknown, callback?: unknown): unknown {
          const borrow = hooks.begin(internal.callerOr(connect));
          if (isFunction(callback)) {
            return original.call(this, (error: unknown, client: unknown, release: unknown) => {
              settle(borrow, error, client);
              return callback(error, client, release);
            });
          }
          return (original.call(this) as Promise<unknown>).then(
            (client) => {
              settle(borrow, undefined, client);
              return client;
            },
            (error: unknown) => {
              settle(borrow, error, undefined);
              throw error;
            },
          );
        } as AnyFunction,
      ),
    );
    this._undo.push(
      listen(this._pool, 'release', (_error: unknown, client: unknown) => {
        if (client !== null && typeof client === 'object') hooks.released(client);
      }),
    );
  }

  detach(): void {
    undoAll(this._undo);
  }
}
