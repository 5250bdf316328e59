// tarn (and knex, whose client pool is a tarn pool): observed through tarn's own
// events only. 'acquireRequest' runs synchronously inside acquire(), so the
// borrower's stack and context are captured there; 'acquireSuccess'/'acquireFail'
// carry the same event id; 'release' carries the resource.
import { AsyncLocalStorage } from 'node:async_hooks';
import { isFunction, nameOf, patchMethod, undoAll, type AnyFunction } from './patch.js';
import type { CapturedStack } from './stack.js';
import type { Borrow, BorrowHooks, PoolAdapter, PoolKind, PoolStats } from './types.js';

interface TarnPoolLike {
  acquire: AnyFunction;
  release: AnyFunction;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
  on(event: string, listener: AnyFunction): unknown;
  removeListener(event: string, listener: AnyFunction): unknown;
}

export function isTarnPool(pool: unknown): pool is TarnPoolLike {
  if (pool === null || typeof pool !== 'object') return false;
  const p = pool as Record<string, unknown>;
  return isFunction(p.acquire) && isFunction(p.release) && isFunction(p.numUsed) && isFunction(p.numFree) && isFunction(p.numPendingAcquires) && isFunction(p.on) && isFunction(p.removeListener);
}

interface KnexClientLike {
  pool?: unknown;
  acquireConnection?: unknown;
  transaction?: unknown;
}

/** The client of a knex instance (a function with `client.pool` and `client.acquireConnection`) whose pool is tarn. */
export function knexClientOf(value: unknown): (KnexClientLike & { pool: TarnPoolLike }) | undefined {
  if (typeof value !== 'function' && (value === null || typeof value !== 'object')) return undefined;
  const client = (value as { client?: KnexClientLike }).client;
  if (client === undefined || client === null || !isFunction(client.acquireConnection)) return undefined;
  return isTarnPool(client.pool) ? (client as KnexClientLike & { pool: TarnPoolLike }) : undefined;
}

// knex starts a transaction's borrow on a later tick, with no user frame left on the
// stack; the user's call site is captured when the transaction is created and carried
// to that borrow through the async context. `taken`: only the transaction's own first
// borrow uses it, not queries its callback runs on the main pool.
const transactionSite = new AsyncLocalStorage<{ trace: CapturedStack; taken: boolean }>();

// Borrows between request and success/fail; bounded because tarn settles every
// acquire (success, failure or its acquire timeout), and capped in case it does not.
const MAX_PENDING = 10_000;

export class TarnPoolAdapter implements PoolAdapter {
  private readonly _pending = new Map<number, Borrow>();
  private readonly _listeners: Array<[string, AnyFunction]> = [];
  private readonly _undo: Array<() => void> = [];

  constructor(
    private readonly _pool: TarnPoolLike,
    readonly kind: PoolKind = 'tarn',
    private readonly _knexClient?: KnexClientLike,
  ) {}

  stats(): PoolStats {
    const pool = this._pool;
    const active = pool.numUsed();
    const idle = pool.numFree();
    return { total: active + idle, active, idle, waiting: pool.numPendingAcquires(), max: pool.max };
  }

  attach(hooks: BorrowHooks): void {
    const pending = this._pending;
    const client = this._knexClient;
    const onRequest = function acquireRequest(eventId: unknown): void {
      if (typeof eventId !== 'number' || pending.size >= MAX_PENDING) return;
      const site = transactionSite.getStore();
      const trace = site === undefined || site.taken ? undefined : site.trace;
      if (site !== undefined) site.taken = true;
      // knex's own queries borrow from deep inside its runner with no user frame on the stack and
      // always give the connection back: only its transactions (site captured at the call) get a stack.
      pending.set(eventId, hooks.begin(client === undefined ? acquireRequest : undefined, trace));
    };
    if (client !== undefined && isFunction(client.transaction)) {
      this._undo.push(
        patchMethod(client, 'transaction', (original) =>
          function transaction(this: unknown, ...args: unknown[]): unknown {
            return transactionSite.run({ trace: hooks.siteStack(transaction), taken: false }, () => original.apply(this, args));
          },
        ),
      );
    }
    const take = (eventId: unknown): Borrow | undefined => {
      if (typeof eventId !== 'number') return undefined;
      const borrow = pending.get(eventId);
      pending.delete(eventId);
      return borrow;
    };
    this._on('acquireRequest', onRequest as AnyFunction);
    this._on('acquireSuccess', (eventId: unknown, resource: unknown) => {
      const borrow = take(eventId);
      if (borrow !== undefined && resource !== null && typeof resource === 'object') hooks.acquired(borrow, resource);
    });
    this._on('acquireFail', (eventId: unknown, error: unknown) => {
      const borrow = take(eventId);
      if (borrow !== undefined) hooks.failed(borrow, error, nameOf(error) === 'TimeoutError');
    });
    this._on('release', (resource: unknown) => {
      if (resource !== null && typeof resource === 'object') hooks.released(resource);
    });
  }

  detach(): void {
    for (const [event, listener] of this._listeners.splice(0)) this._pool.removeListener(event, listener);
    undoAll(this._undo);
    this._pending.clear();
  }

  private _on(event: string, listener: AnyFunction): void {
    this._pool.on(event, listener);
    this._listeners.push([event, listener]);
  }
}
