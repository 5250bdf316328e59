// A growable stack of node ordinals in a typed array. Walks over big dominator
// subtrees push millions of siblings; a JS number[] of that size costs several
// times the bytes in the JS heap and is not returned until a later collection.
export class NodeStack {
  private _items = new Uint32Array(1024);
  private _top = 0;

  get length(): number {
    return this._top;
  }

  push(node: number): void {
    if (this._top === this._items.length) {
      const grown = new Uint32Array(this._items.length * 2);
      grown.set(this._items);
      this._items = grown;
    }
    this._items[this._top++] = node;
  }

  /** Only when length > 0. */
  pop(): number {
    return this._items[--this._top]!;
  }
}
