// The demo's four runs: both incidents of the product brief, leaky and fixed,
// as the example services in examples/ (run through tsx from a checkout).
import type { Verdict } from '../run/types.js';

export interface DemoScenario {
  name: string;
  example: 'device-price' | 'coupon-stats';
  /** Arguments after `node --import tsx`, relative to the repository root. */
  args: string[];
  urls: string[];
  expected: Verdict;
  needsDatabase: boolean;
  /**
   * Load per round. The leaky coupon service stalls once its pool is exhausted,
   * so its rounds are bounded by time, not by a request count.
   */
  requests?: number;
  durationSec?: number;
  warmup: number;
  warmupTimeoutSec: number;
  connections: number;
  rounds: number;
}

export const DEMO_SCENARIOS: readonly DemoScenario[] = [
  { name: 'device-price-leaky', example: 'device-price', args: ['examples/device-price/src/server.ts'], urls: ['/devices/1/price'], expected: 'leak', needsDatabase: false, requests: 1500, warmup: 800, warmupTimeoutSec: 30, connections: 8, rounds: 5 },
  { name: 'device-price-fixed', example: 'device-price', args: ['examples/device-price/src/server.ts', '--fixed'], urls: ['/devices/1/price'], expected: 'clean', needsDatabase: false, requests: 1500, warmup: 800, warmupTimeoutSec: 30, connections: 8, rounds: 5 },
  { name: 'coupon-stats-leaky', example: 'coupon-stats', args: ['examples/coupon-stats/src/main.ts', 'leaky', '0'], urls: ['/coupons/stats'], expected: 'leak', needsDatabase: true, durationSec: 4, warmup: 2500, warmupTimeoutSec: 6, connections: 4, rounds: 6 },
  { name: 'coupon-stats-fixed', example: 'coupon-stats', args: ['examples/coupon-stats/src/main.ts', 'fixed', '0'], urls: ['/coupons/stats'], expected: 'clean', needsDatabase: true, durationSec: 4, warmup: 2500, warmupTimeoutSec: 6, connections: 4, rounds: 6 },
];
