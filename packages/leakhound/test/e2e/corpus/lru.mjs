// Not a leak: an LRU cache bounded to 100 entries under unique keys.
import { runScenario } from './harness.mjs';

class LruCache {
  constructor(capacity) {
    this.capacity = capacity;
    this.entries = new Map();
  }
  set(key, value) {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value);
  }
}

const cache = new LruCache(100);

await runScenario((i) => {
  cache.set('session:' + i, { id: i, createdAt: Date.now(), data: new Array(8).fill(i) });
});
