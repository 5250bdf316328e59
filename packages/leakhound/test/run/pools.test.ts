import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readPoolReport } from '../../src/run/pools.js';

test('pool report: stats per pool, leaked holders only, defensive about shapes', () => {
  const raw = [
    {
      name: 'coupons',
      kind: 'pg',
      stats: { total: 5, active: 5, idle: 0, waiting: 2, max: 5 },
      holders: [
        { connectionId: 3, heldMs: 4100.4, borrowedAt: 1, context: 'GET /coupons/stats', frame: '/srv/stats.ts:21:30', stack: ['at leakyStats (file:///srv/stats.ts:21:30)', 'at /srv/server.ts:40:5'], leaked: true },
        { connectionId: 4, heldMs: 10, borrowedAt: 2, stack: [], leaked: false },
        { connectionId: 5, heldMs: 3000, borrowedAt: 3, frame: '/srv/other.ts:1:1', stack: [], leaked: true },
      ],
    },
    null,
    { name: 42, stats: 'nope', holders: 'nope' },
  ];
  const { samples, leaks } = readPoolReport(raw);
  assert.deepEqual(samples, [
    { name: 'coupons', total: 5, active: 5, idle: 0, waiting: 2 },
    { name: 'pool', total: 0, active: 0, idle: 0, waiting: 0 },
  ]);
  assert.equal(leaks.length, 2);
  assert.deepEqual(leaks[0], {
    pool: 'coupons',
    connection: '#3',
    heldMs: 4100.4,
    route: 'GET /coupons/stats',
    borrowedAt: ['leakyStats (file:///srv/stats.ts:21:30)', '/srv/server.ts:40:5'],
    message: 'pool "coupons" connection #3 held 4100 ms by GET /coupons/stats, borrowed at leakyStats (file:///srv/stats.ts:21:30)',
  });
  assert.deepEqual(leaks[1]!.borrowedAt, ['/srv/other.ts:1:1']);
  assert.equal(leaks[1]!.route, null);
  assert.deepEqual(readPoolReport(undefined), { samples: [], leaks: [] });
  assert.deepEqual(readPoolReport({ not: 'a list' }), { samples: [], leaks: [] });
});
