// The connections a pool has lent out, in borrow order. This sits on the borrow and
// return path of every query, so it allocates nothing and hashes nothing per borrow:
// - each connection object gets one slot (its number and the borrow holding it) under a
//   symbol private to this registry, defined once per connection, non-enumerable, so
//   spreads, Object.assign, JSON and for-in never see it (a Map or WeakMap lookup per
//   borrow and return measured at about a third of the monitor's cost);
// - the borrows themselves form a doubly linked list, oldest first, so adding,
//   removing and "oldest first" are O(1).
// Connections that cannot take a property (frozen, sealed) get their slot in a WeakMap.
// Capped: past `max` tracked borrows, borrows are only counted.
import { performance } from 'node:perf_hooks';
import { describeContext } from '../context/request-context.js';
import { frameLocation, userFrames } from './stack.js';
import type { Borrow, BorrowSlot, HolderInfo } from './types.js';

/** One connection as the registry knows it. */
class Slot implements BorrowSlot {
  holder: Borrow | undefined = undefined;
  constructor(readonly id: number) {}
}

export class HolderRegistry {
  /** Borrows not tracked because the cap was reached. */
  untracked = 0;
  /** Tracked borrows now holding a connection. */
  size = 0;
  private _oldest: Borrow | undefined = undefined;
  private _newest: Borrow | undefined = undefined;
  private readonly _key = Symbol('leakhound.connection');
  private readonly _sealed = new WeakMap<object, Slot>();
  private _nextId = 1;

  constructor(
    private readonly _max: number,
    private readonly _maxFrames: number,
  ) {}

  /**
   * Records `borrow` as holding `key`; `id` is the pool's own id for the connection, else one is assigned
   * (`borrow.connectionId` is set either way; `borrow.slot` stays undefined when the cap was reached).
   * Returns the borrow it replaces (a connection lent again without a release we saw), or undefined.
   */
  add(key: object, borrow: Borrow, id: number | undefined): Borrow | undefined {
    const slot = this._slotOf(key);
    borrow.connectionId = id ?? slot.id;
    const replaced = slot.holder;
    if (replaced !== undefined) {
      this._unlink(replaced);
    } else if (this.size >= this._max) {
      this.untracked++;
      return undefined;
    }
    slot.holder = borrow;
    borrow.slot = slot;
    borrow.older = this._newest;
    if (this._newest === undefined) this._oldest = borrow;
    else this._newest.newer = borrow;
    this._newest = borrow;
    this.size++;
    return replaced;
  }

  /** The tracked borrow holding its connection longest. */
  get oldest(): Borrow | undefined {
    return this._oldest;
  }

  /** Removes and returns the borrow holding `key`, if tracked. */
  take(key: object): Borrow | undefined {
    const borrow = this._find(key)?.holder;
    if (borrow === undefined) return undefined;
    this._unlink(borrow);
    return borrow;
  }

  /** The tracked borrows, oldest first (a snapshot: the registry may change while the caller iterates). */
  borrows(): Borrow[] {
    const list: Borrow[] = [];
    for (let b = this._oldest; b !== undefined; b = b.newer) list.push(b);
    return list;
  }

  /** Current holders as data, oldest first (stack text formatted here, on demand). */
  list(): HolderInfo[] {
    const at = performance.now();
    return this.borrows().map((borrow) => this._describe(borrow, at));
  }

  /** Forgets every holder (the slots stay on their connections, empty). */
  clear(): void {
    while (this._oldest !== undefined) this._unlink(this._oldest);
  }

  private _unlink(borrow: Borrow): void {
    const slot = borrow.slot;
    if (slot === undefined) return;
    slot.holder = undefined;
    borrow.slot = undefined;
    const { older, newer } = borrow;
    if (older === undefined) this._oldest = newer;
    else older.newer = newer;
    if (newer === undefined) this._newest = older;
    else newer.older = older;
    borrow.older = borrow.newer = undefined;
    this.size--;
  }

  /** The connection's slot, if it has one: its own property, else (frozen, sealed) the fallback map's. */
  private _find(key: object): Slot | undefined {
    return (key as Record<symbol, Slot | undefined>)[this._key] ?? this._sealed.get(key);
  }

  private _slotOf(key: object): Slot {
    const found = this._find(key);
    if (found !== undefined) return found;
    const slot = new Slot(this._nextId++);
    try {
      Object.defineProperty(key, this._key, { value: slot, writable: false, enumerable: false, configurable: true });
    } catch {
      this._sealed.set(key, slot); // frozen, sealed or an exotic object that refuses new properties
    }
    return slot;
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
}
