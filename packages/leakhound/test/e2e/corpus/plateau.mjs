// Not a leak: a cache that warms up to 300 keys during the first phase and
// then only serves hits (keys repeat), so it stops growing.
import { runScenario } from './harness.mjs';

const cache = new Map();

await runScenario((i) => {
  const key = 'product:' + (i % 300);
  if (!cache.has(key)) cache.set(key, { key, price: i, tags: ['a', 'b'] });
  return cache.get(key).price;
}, { warmup: 0 });
