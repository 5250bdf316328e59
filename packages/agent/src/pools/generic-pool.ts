// generic-pool: no borrow events, so the instance's acquire/release/destroy are
// wrapped (use() goes through acquire/release). Counts from its getters.
import { SelfReturningCalls, isFunction, undoAll, nameOf, patchMethod, type AnyFunction } from './patch.js';
import type { BorrowHooks, PoolAdapter, PoolStats } from './types.js';

interface GenericPoolLike {
  acquire: AnyFunction;
  release: AnyFunction;
  destroy: AnyFunction;
  size: number;
  available: number;
  borrowed: number;
  pending: number;
  max: number;
}

export function isGenericPool(pool: unknown): pool is GenericPoolLike {
  if (pool === null || typeof pool !== 'object') return false;
  const p = pool as Record<string, unknown>;
  return isFunction(p.acquire) && isFunction(p.release) && isFunction(p.destroy) && typeof p.borrowed === 'number' && typeof p.pending === 'number' && typeof p.available === 'number' && typeof p.size === 'number';
}

export class GenericPoolAdapter implements PoolAdapter {
  readonly kind = 'generic-pool' as const;
  private _undo: Array<() => void> = [];

  constructor(private readonly _pool: GenericPoolLike) {}

  stats(): PoolStats {
    const pool = this._pool;
    return { total: pool.size, active: pool.borrowed, idle: pool.available, waiting: pool.pending, max: pool.max };
  }

  attach(hooks: BorrowHooks): void {
    const internal = new SelfReturningCalls();
    this._undo.push(...internal.wrap(this._pool, ['use']));
    this._undo.push(
      patchMethod(this._pool, 'acquire', (original) =>
        function acquire(this: unknown, ...args: unknown[]): unknown {
          const borrow = hooks.begin(internal.callerOr(acquire));
          return (original.apply(this, args) as Promise<unknown>).then(
            (resource) => {
              if (resource !== null && typeof resource === 'object') hooks.acquired(borrow, resource);
              return resource;
            },
            (error: unknown) => {
              hooks.failed(borrow, error, nameOf(error) === 'TimeoutError');
              throw error;
            },
          );
        },
      ),
    );
    for (const name of ['release', 'destroy']) {
      this._undo.push(
        patchMethod(this._pool, name, (original) =>
          function giveBack(this: unknown, ...args: unknown[]): unknown {
            const resource = args[0];
            if (resource !== null && typeof resource === 'object') hooks.released(resource);
            return original.apply(this, args);
          },
        ),
      );
    }
  }

  detach(): void {
    undoAll(this._undo);
  }
}
