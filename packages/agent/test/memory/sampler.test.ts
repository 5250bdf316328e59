import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySampler, SampleRing, type MemorySample } from '../../src/memory/sampler.js';

const gc = (globalThis as { gc?: () => void }).gc;

test('post-GC samples arrive from real major GCs, with V8 and process fields', async () => {
  assert.ok(gc, 'run with --expose-gc');
  const samples: MemorySample[] = [];
  const sampler = new MemorySampler({ minIntervalMs: 0, onSample: (s) => samples.push(s) });
  sampler.start();
  try {
    for (let i = 0; i < 20 && samples.filter((s) => s.postGc).length < 2; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    sampler.stop();
  }
  const post = samples.filter((s) => s.postGc);
  assert.ok(post.length >= 2, `post-GC samples: ${post.length}`);
  const s = post[0] as MemorySample;
  assert.ok(s.heapUsed > 0 && s.heapUsed <= s.heapTotal && s.heapLimit > s.heapTotal);
  assert.ok(s.rss > s.heapUsed && s.nativeContexts >= 1 && s.detachedContexts >= 0);
  assert.ok(sampler.majorGcs >= post.length);
});

test('minIntervalMs throttles a GC storm', async () => {
  assert.ok(gc);
  const sampler = new MemorySampler({ minIntervalMs: 60_000 });
  sampler.start();
  try {
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    sampler.stop();
  }
  assert.ok(sampler.majorGcs >= 2);
  assert.equal(sampler.ring.size, 1);
});

test('ring buffer keeps the newest samples within its capacity', () => {
  const ring = new SampleRing(3);
  const make = (at: number): MemorySample => ({ at, wallTime: at, postGc: at % 2 === 0, heapUsed: at * 10, heapTotal: 0, heapLimit: 0, rss: 0, external: 0, arrayBuffers: 0, detachedContexts: 0, nativeContexts: 1 });
  for (let i = 1; i <= 5; i++) ring.push(make(i));
  assert.equal(ring.size, 3);
  assert.deepEqual(ring.toArray().map((s) => s.at), [3, 4, 5]);
  assert.equal(ring.recent(0)?.heapUsed, 50);
  assert.equal(ring.recent(0)?.postGc, false);
  assert.equal(ring.recent(1)?.postGc, true);
  assert.equal(ring.recent(3), undefined);
});
