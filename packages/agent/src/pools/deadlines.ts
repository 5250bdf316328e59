// One timer per watched set, whatever the number of borrows. Every entry of a set
// has the same delay, so deadlines come in insertion order: the set is a FIFO, the
// timer is armed for the oldest entry only, and adding or removing is O(1).
// When the delay is 0 a do-nothing instance is used instead of `if`s at every call site.

export interface DeadlineWatch<T> {
  add(item: T): void;
  delete(item: T): void;
  stop(): void;
}

const NOTHING: DeadlineWatch<never> = { add() {}, delete() {}, stop() {} };

export function watchDeadlines<T>(delayMs: number, startOf: (item: T) => number, onDue: (item: T, elapsedMs: number) => void, now: () => number): DeadlineWatch<T> {
  return delayMs > 0 ? new Deadlines(delayMs, startOf, onDue, now) : (NOTHING as DeadlineWatch<T>);
}

class Deadlines<T> implements DeadlineWatch<T> {
  private readonly _items = new Set<T>();
  private _timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly _delay: number,
    private readonly _startOf: (item: T) => number,
    private readonly _onDue: (item: T, elapsedMs: number) => void,
    private readonly _now: () => number,
  ) {}

  add(item: T): void {
    this._items.add(item);
    if (this._timer === undefined) this._arm(this._delay);
  }

  delete(item: T): void {
    // The timer stays armed; when it fires with nothing due it simply re-arms or stops.
    this._items.delete(item);
  }

  stop(): void {
    if (this._timer !== undefined) clearTimeout(this._timer);
    this._timer = undefined;
    this._items.clear();
  }

  private _arm(ms: number): void {
    this._timer = setTimeout(() => this._fire(), Math.max(1, Math.ceil(ms)));
    this._timer.unref();
  }

  private _fire(): void {
    this._timer = undefined;
    const now = this._now();
    for (const item of this._items) {
      const elapsed = now - this._startOf(item);
      if (elapsed < this._delay) {
        this._arm(this._delay - elapsed);
        return;
      }
      this._items.delete(item);
      try {
        this._onDue(item, elapsed);
      } catch {
        // A failing report must not stop the later ones or the timer.
      }
    }
  }
}
