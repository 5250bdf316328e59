// The monitor's own rules, on a generic-pool of in-memory resources (no database needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import genericPool from 'generic-pool';
import { monitorPool, describeMonitoredPools } from '../../src/pools/monitor.js';
import { CHANNELS } from '../../src/diagnostics.js';
import { lineOf, recordingLogger, waitFor } from './support.js';

interface Resource {
  id: number;
}

function memoryPool(max: number): genericPool.Pool<Resource> {
  let next = 0;
  return genericPool.createPool<Resource>({ create: async () => ({ id: ++next }), destroy: async () => {} }, { max });
}

async function closePool(pool: genericPool.Pool<Resource>): Promise<void> {
  await pool.drain();
  await pool.clear();
}

test('an unsupported object gets LH_ERR_POOL_UNSUPPORTED naming what is supported', () => {
  for (const value of [{}, null, 42, new Map(), { connect() {} }]) {
    assert.throws(
      () => monitorPool(value),
      (error: Error & { code?: string }) =>
        error.code === 'LH_ERR_POOL_UNSUPPORTED' && /is not a pool leakhound can observe; supported: pg\.Pool, mysql2 pools .*mariadb pools .*generic-pool .*tarn Pool, and knex instances$/.test(error.message),
    );
  }
  assert.throws(() => monitorPool(new Map()), /an instance of Map is not a pool/);
});

test('bad options are refused with LH_ERR_AGENT_OPTIONS and the option name', async () => {
  const pool = memoryPool(1);
  for (const [options, name] of [
    [{ leakDetectionThreshold: -1 }, 'leakDetectionThreshold'],
    [{ statsInterval: Number.NaN }, 'statsInterval'],
    [{ maxTrackedHolders: 0 }, 'maxTrackedHolders'],
    [{ name: '' }, 'name'],
    [{ logger: {} }, 'logger'],
    [{ captureStacks: 'sometimes' }, 'captureStacks'],
  ] as const) {
    assert.throws(() => monitorPool(pool, options as never), (e: Error & { code?: string }) => e.code === 'LH_ERR_AGENT_OPTIONS' && e.message.includes(`"${name}"`));
  }
  // A refused monitorPool left nothing behind.
  assert.equal(Object.prototype.hasOwnProperty.call(pool, 'acquire'), false);
  await closePool(pool);
});

test('holders are capped; borrows beyond the cap are counted, and stacks are not captured when detection is off', async () => {
  const pool = memoryPool(10);
  const monitor = monitorPool(pool, { name: 'capped', maxTrackedHolders: 3 });
  try {
    const resources = await Promise.all(Array.from({ length: 10 }, () => pool.acquire()));
    assert.equal(monitor.holders().length, 3);
    assert.equal(monitor.untrackedBorrows, 7);
    assert.deepEqual(monitor.holders()[0]?.stack, []);
    assert.deepEqual(monitor.stats(), { total: 10, active: 10, idle: 0, waiting: 0, max: 10 });
    const report = describeMonitoredPools().find((p) => p.name === 'capped');
    assert.equal(report?.kind, 'generic-pool');
    assert.equal(report?.holders.length, 3);
    for (const resource of resources) await pool.release(resource);
    assert.deepEqual(monitor.holders(), []);
  } finally {
    monitor.stop();
    await closePool(pool);
  }
});

async function holdOne(pool: genericPool.Pool<Resource>): Promise<Resource> {
  return pool.acquire(); // MARK:adaptive-borrow
}

test('captureStacks "adaptive": few healthy borrows sampled; once a leak is outstanding every borrow names its frame; sampling resumes after', { timeout: 20_000 }, async () => {
  const pool = memoryPool(1200);
  const logger = recordingLogger();
  // 2 s: the 1100 healthy holds below must all be lent before the oldest is held for a quarter of it (then every borrow is captured).
  const monitor = monitorPool(pool, { name: 'adaptive', leakDetectionThreshold: 2000, captureStacks: 'adaptive', maxTrackedHolders: 2000, logger });
  const line = lineOf(import.meta.url, 'MARK:adaptive-borrow');
  const framed = (): number => monitor.holders().filter((h) => h.frame !== undefined).length;
  try {
    // Healthy: random gaps of 1..511 borrows between samples, so 1100 borrows give at least 2 stacks and (mean gap 256) far fewer than 1100.
    const healthy = await Promise.all(Array.from({ length: 1100 }, () => holdOne(pool)));
    const sampled = framed();
    assert.ok(sampled >= 2 && sampled < 100, `${sampled} of 1100 healthy borrows captured`);
    for (const held of monitor.holders()) if (held.frame !== undefined) assert.match(held.frame, new RegExp(`monitor\\.test\\.ts:${line}:\\d+$`));
    for (const resource of healthy) await pool.release(resource);

    // The first leak names its frame only if it happened to be sampled; otherwise its warning says why it has none.
    const first = await holdOne(pool);
    const warning = await waitFor('first leak warning', () => logger.matching(/^Connection leak detection/)[0]);
    if (!warning.includes('borrowed at:')) {
      assert.match(warning, /connection #\d+, held \d+ ms \(borrower stack not sampled: captureStacks "adaptive" captures every borrow only while a leak is outstanding or a connection has been held for a quarter of the threshold\)$/);
    }

    // A leak is outstanding: every borrow is captured, so the next leak always names its frame.
    const suspects = await Promise.all(Array.from({ length: 20 }, () => holdOne(pool)));
    assert.equal(framed(), 20 + (warning.includes('borrowed at:') ? 1 : 0));
    await waitFor('20 more leak warnings', () => logger.matching(/^Connection leak detection/).length === 21);
    for (const next of logger.matching(/^Connection leak detection/).slice(1)) assert.match(next.split('\n')[1] ?? '', new RegExp(`^ {4}at holdOne \\(.*monitor\\.test\\.ts:${line}:\\d+\\)$`));

    // Every leak returned: back to sampling.
    for (const resource of [first, ...suspects]) await pool.release(resource);
    assert.equal(logger.matching(/^Previously reported/).length, 21);
    const later = await Promise.all(Array.from({ length: 20 }, () => holdOne(pool)));
    assert.ok(framed() < 20, `${framed()} of 20 captured after the leaks were returned`);
    for (const resource of later) await pool.release(resource);
  } finally {
    monitor.stop();
    await closePool(pool);
  }
});

test('captureStacks "adaptive": while a connection has been held for a quarter of the threshold, every borrow names its frame, before any report', { timeout: 10_000 }, async () => {
  const pool = memoryPool(20);
  const logger = recordingLogger();
  const monitor = monitorPool(pool, { name: 'long-hold', leakDetectionThreshold: 1200, captureStacks: 'adaptive', logger });
  const line = lineOf(import.meta.url, 'MARK:adaptive-borrow');
  try {
    const first = await holdOne(pool);
    // Young holder: the next borrows are sampled (at most one of these few is captured: gaps are at least 1).
    const young = await Promise.all(Array.from({ length: 5 }, () => holdOne(pool)));
    assert.ok(monitor.holders().filter((h) => h.frame !== undefined).length <= 2);
    for (const resource of young) await pool.release(resource);
    await new Promise((resolve) => setTimeout(resolve, 400)); // first is now held past 1200 / 4 ms
    const during = await Promise.all(Array.from({ length: 5 }, () => holdOne(pool)));
    assert.equal(logger.matching(/^Connection leak detection/).length, 0, 'no report yet');
    const later = monitor.holders().slice(1);
    assert.equal(later.length, 5);
    for (const held of later) assert.match(held.frame ?? '', new RegExp(`monitor\\.test\\.ts:${line}:\\d+$`));
    for (const resource of [first, ...during]) await pool.release(resource);
    assert.equal(logger.matching(/^Connection leak detection/).length, 0);
  } finally {
    monitor.stop();
    await closePool(pool);
  }
});

test('leak and unleak are published on diagnostics_channel; a throwing logger or onLeak never reaches the pool user', { timeout: 10_000 }, async () => {
  const pool = memoryPool(2);
  const events: Array<[string, unknown]> = [];
  const onLeak = (message: unknown): void => void events.push(['leak', message]);
  const onUnleak = (message: unknown): void => void events.push(['unleak', message]);
  diagnosticsChannel.subscribe(CHANNELS.poolLeak, onLeak);
  diagnosticsChannel.subscribe(CHANNELS.poolUnleak, onUnleak);
  const broken = {
    warn: () => {
      throw new Error('logger down');
    },
    info: () => {
      throw new Error('logger down');
    },
  };
  const monitor = monitorPool(pool, {
    name: 'events',
    leakDetectionThreshold: 50,
    logger: broken,
    onLeak: () => {
      throw new Error('callback bug');
    },
  });
  try {
    const resource = await pool.acquire();
    await waitFor('leak event', () => events.length === 1);
    await pool.release(resource);
    assert.deepEqual(
      events.map(([kind, message]) => [kind, (message as { pool: string }).pool, (message as { connectionId: number }).connectionId]),
      [
        ['leak', 'events', 1],
        ['unleak', 'events', 1],
      ],
    );
    assert.ok((events[0]?.[1] as { heldMs: number }).heldMs >= 50);
  } finally {
    diagnosticsChannel.unsubscribe(CHANNELS.poolLeak, onLeak);
    diagnosticsChannel.unsubscribe(CHANNELS.poolUnleak, onUnleak);
    monitor.stop();
    await closePool(pool);
  }
});

test('many short borrows under one threshold: each leak reported once, in borrow order, nothing for returned ones', { timeout: 10_000 }, async () => {
  const pool = memoryPool(50);
  const logger = recordingLogger();
  const monitor = monitorPool(pool, { name: 'order', leakDetectionThreshold: 100, logger });
  try {
    const kept: Resource[] = [];
    for (let i = 0; i < 40; i++) {
      const resource = await pool.acquire();
      if (i % 10 === 0) kept.push(resource);
      else await pool.release(resource);
    }
    await waitFor('four leak warnings', () => logger.matching(/^Connection leak/).length === 4);
    const ids = logger.matching(/^Connection leak/).map((line) => Number(/connection #(\d+)/.exec(line)?.[1]));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    for (const resource of kept) await pool.release(resource);
    assert.equal(logger.matching(/^Previously reported/).length, 4);
  } finally {
    monitor.stop();
    await closePool(pool);
  }
});

test('OpenTelemetry: pool metrics use the db client semantic-convention names and attributes', async () => {
  // A recording MeterProvider stands in for the OTel SDK (not installed here); the monitor is what is under test.
  const instruments = new Map<string, { kind: string; unit?: string; callbacks: Array<(r: { observe(v: number, a?: object): void }) => void>; values: Array<[number, object | undefined]> }>();
  const instrument = (kind: string) => (name: string, options?: { unit?: string }) => {
    const entry = { kind, unit: options?.unit, callbacks: [] as Array<(r: { observe(v: number, a?: object): void }) => void>, values: [] as Array<[number, object | undefined]> };
    instruments.set(name, entry);
    return {
      add: (v: number, a?: object) => void entry.values.push([v, a]),
      record: (v: number, a?: object) => void entry.values.push([v, a]),
      addCallback: (cb: (r: { observe(v: number, a?: object): void }) => void) => void entry.callbacks.push(cb),
      removeCallback: (cb: (r: { observe(v: number, a?: object): void }) => void) => void entry.callbacks.splice(entry.callbacks.indexOf(cb), 1),
    };
  };
  const meter = {
    createCounter: instrument('counter'),
    createHistogram: instrument('histogram'),
    createObservableGauge: instrument('gauge'),
    createObservableUpDownCounter: instrument('updown'),
  };
  const pool = memoryPool(3);
  const monitor = monitorPool(pool, { name: 'otel', meterProvider: { getMeter: () => meter } as never });
  try {
    const held = await pool.acquire();
    await pool.release(await pool.acquire());
    const observed = (name: string): Array<[number, object | undefined]> => {
      const out: Array<[number, object | undefined]> = [];
      for (const cb of instruments.get(name)?.callbacks ?? []) cb({ observe: (v, a) => void out.push([v, a]) });
      return out;
    };
    assert.deepEqual(
      [...instruments].map(([name, i]) => `${i.kind} ${name} ${i.unit}`),
      [
        'updown db.client.connection.count {connection}',
        'updown db.client.connection.pending_requests {request}',
        'updown db.client.connection.max {connection}',
        'counter db.client.connection.timeouts {timeout}',
        'counter leakhound.pool.leaks {connection}',
        'histogram db.client.connection.wait_time s',
        'histogram db.client.connection.use_time s',
      ],
    );
    assert.deepEqual(observed('db.client.connection.count'), [
      [1, { 'db.client.connection.pool.name': 'otel', 'db.client.connection.state': 'used' }],
      [1, { 'db.client.connection.pool.name': 'otel', 'db.client.connection.state': 'idle' }],
    ]);
    assert.deepEqual(observed('db.client.connection.max'), [[3, { 'db.client.connection.pool.name': 'otel' }]]);
    assert.equal(instruments.get('db.client.connection.wait_time')?.values.length, 2);
    assert.equal(instruments.get('db.client.connection.use_time')?.values.length, 1);
    await pool.release(held);
  } finally {
    monitor.stop();
    await closePool(pool);
  }
  assert.equal(instruments.get('db.client.connection.count')?.callbacks.length, 0);
});

test('a borrow that completes after stop() is not tracked and arms no timer', { timeout: 10_000 }, async () => {
  const pool = memoryPool(1);
  const logger = recordingLogger();
  const monitor = monitorPool(pool, { name: 'stopped', leakDetectionThreshold: 30, logger });
  const first = await pool.acquire();
  const pending = pool.acquire(); // waits for `first`
  monitor.stop();
  await pool.release(first);
  const second = await pending;
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(monitor.holders(), []);
  assert.deepEqual(logger.lines, []);
  await pool.release(second);
  await closePool(pool);
});

test('an exhausted pool with many waiters and holders logs one bounded report per window', { timeout: 10_000 }, async () => {
  const pool = memoryPool(30);
  const logger = recordingLogger();
  const monitor = monitorPool(pool, { name: 'flood', acquireWarningMs: 50, logger });
  try {
    const held = await Promise.all(Array.from({ length: 30 }, () => pool.acquire()));
    const waiting = Array.from({ length: 20 }, () => pool.acquire());
    await waitFor('slow-borrower report', () => logger.matching(/waited/).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const reports = logger.matching(/exhausted/);
    assert.equal(reports.length, 1, 'one report for 20 waiters within the window');
    const lines = (reports[0] ?? '').split('\n');
    assert.equal(lines.length, 1 + 20 + 1);
    assert.equal(lines.at(-1), '    ... and 10 more (monitor.holders() has them all)');
    for (const resource of held) await pool.release(resource);
    for (const resource of await Promise.all(waiting)) await pool.release(resource);
  } finally {
    monitor.stop();
    await closePool(pool);
  }
});
