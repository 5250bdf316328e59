// The connections a pool has lent out, keyed by the pool's own connection object,
// in borrow order (a Map keeps insertion order, so "oldest first" costs nothing).
// Capped: past `max`, borrows are only counted.
import { performance } from 'node:perf_hooks';
import { describeContext } from '../context/request-context.js';
import { frameLocation, userFrames } from './stack.js';
import type { Borrow, HolderInfo } from './types.js';

export class HolderRegistry {
  /** Borrows not tracked because the cap was reached. */
  untracked = 0;
  private readonly _byConnection = new Map<object, Borrow>();
  private readonly _ids = new WeakMap<object, number>();
  private _nextId = 1;

  constructor(
    private readonly _max: number,
    private readonly _maxFrames: number,
  ) {}

  /**
   * Records `borrow` as holding `key`; `id` is the pool's own id for the connection, else one is assigned.
   * Returns the borrow it replaces (a connection lent again without a release we saw), or undefined;
   * `borrow.connectionId` is set either way. False when not tracked (cap reached).
   */
  add(key: object, borrow: Borrow, id: number | undefined): { tracked: boolean; replaced?: Borrow } {
    borrow.connectionId = id ?? this._idOf(key);
    const replaced = this._byConnection.get(key);
    if (replaced !== undefined) {
      this._byConnection.delete(key);
    } else if (this._byConnection.size >= this._max) {
      this.untracked++;
      return { tracked: false };
    }
    this._byConnection.set(key, borrow);
    return { tracked: true, replaced };
  }

  /** Removes and returns the borrow holding `key`, if tracked. */
  take(key: object): Borrow | undefined {
    const borrow = this._byConnection.get(key);
    if (borrow !== undefined) this._byConnection.delete(key);
    return borrow;
  }

  /** The tracked borrows, oldest first (live view: do not change the registry while iterating). */
  borrows(): IterableIterator<Borrow> {
    return this._byConnection.values();
  }

  /** Current holders as data, oldest first (stack text formatted here, on demand). */
  list(): HolderInfo[] {
    const at = performance.now();
    const list: HolderInfo[] = [];
    for (const borrow of this._byConnection.values()) list.push(this._describe(borrow, at));
    return list;
  }

  clear(): void {
    this._byConnection.clear();
  }

  private _describe(borrow: Borrow, at: number): HolderInfo {
    const stack = userFrames(borrow.trace, this._maxFrames);
    const first = stack[0];
    return {
      connectionId: borrow.connectionId,
      heldMs: Math.round(at - borrow.acquiredAt),
      borrowedAt: Math.round(performance.timeOrigin + borrow.acquiredAt),
      context: describeContext(borrow.context),
      frame: first === undefined ? undefined : frameLocation(first),
      stack,
      leaked: borrow.reported,
    };
  }

  private _idOf(key: object): number {
    let id = this._ids.get(key);
    if (id === undefined) {
      id = this._nextId++;
      this._ids.set(key, id);
    }
    return id;
  }
}
